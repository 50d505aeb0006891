"""Sign in and sign out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from coordination import policy
from coordination.accounts.services import LoginOutcome, authenticate
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.notifications.services import check_due
from coordination.security import SEEN_KEY, is_safe_next
from forms.auth import LoginForm

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if form.validate_on_submit():
        result = authenticate(form.username.data, form.password.data)
        db.session.commit()  # failures count even when the login is refused
        if result.outcome is LoginOutcome.SUCCEEDED:
            if policy.may_use(result.user, policy.Section.CASES):
                check_due(result.user.agency)  # what fell due since the last visit
                db.session.commit()
            return _start_session(result.user)
        if result.outcome is LoginOutcome.LOCKED:
            form.form_errors.append(
                _("Too many failed attempts. The account is locked for a while; "
                  "try again later or ask your agency head or administrator.")
            )
        else:
            form.form_errors.append(_("Wrong username or password."))
    return render_template("auth/login.html", form=form)


def _start_session(user):
    lang = session.get("lang")
    session.clear()  # a new session id: nothing from before the login survives
    if lang:
        session["lang"] = lang
    login_user(user)
    session.permanent = True
    session[SEEN_KEY] = utcnow().isoformat()
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for("core.index"))


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    record(AuditAction.LOGOUT, current_user._get_current_object(), "user", current_user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))
