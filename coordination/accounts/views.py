"""Sign in and out, and the user's own profile: password, language, recent sign-ins."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user

from coordination.accounts.models import SessionEnd
from coordination.accounts.services import (
    LoginOutcome,
    authenticate,
    change_password,
    recent_logins,
    set_language,
)
from coordination.accounts.sessions import begin_code_step, finish_login, renew_session
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.pipeline import REFUSED, acting_user, attempt
from coordination.security import end_current_session
from forms import ConfirmForm
from forms.accounts import ChangePasswordForm, LanguageForm
from forms.auth import LoginForm

bp = Blueprint("accounts", __name__)

#: Why a locked account is refused (after wrong codes: the password was right).
LOCKED_MESSAGE = _l("Too many failed attempts. The account is locked for a while; "
                    "try again later or ask your agency head or administrator.")
#: The one answer to a refused sign-in, whether the username exists or not,
#: the account is locked or not (nothing tells an attacker who exists).
REFUSED_MESSAGE = _l("Wrong username or password. After too many failed attempts an "
                     "account is locked for a few minutes.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if form.validate_on_submit():
        # a refused sign-in still counts its failure: the pipeline commits this
        # POST whatever the answer (no refusal is raised)
        result = authenticate(form.username.data, form.password.data, request.remote_addr)
        if result.outcome is LoginOutcome.SUCCEEDED:
            return finish_login(result.user, request.args.get("next"))
        if result.outcome is LoginOutcome.CODE_NEEDED:
            return begin_code_step(result.user)
        form.form_errors.append(REFUSED_MESSAGE)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    """Sign out by POST only (with its CSRF token); a GET asks to confirm, so
    that a link or an image elsewhere cannot sign anyone out, and nothing
    but the form ends a session."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        if request.method == "POST":
            abort(400)
        return render_template("core/confirm.html", form=form, title=_("Sign out"),
                               message=_("Your session ends on the server: this page and "
                                         "any copy of it stop working."),
                               button=_("Sign out"), subject=current_user.full_name,
                               back=url_for("core.index"))
    end_current_session(SessionEnd.SIGNED_OUT)
    record(AuditAction.LOGOUT, current_user._get_current_object(), "user", current_user.id)
    # a POST: the pipeline commits the session's end and its audit
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = acting_user()
    form = LanguageForm()
    if request.method == "GET":
        form.language.data = user.language or session.get("lang") or "ky"
    if form.validate_on_submit():
        if attempt(form, set_language, user, form.language.data) is not REFUSED:
            session["lang"] = user.language
            flash(_("Your language is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, logins=recent_logins(user))


@bp.route("/profile/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_view():
    user = acting_user()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if attempt(form, change_password, user, form.current_password.data,
                form.password.data) is not REFUSED:
            renew_session(user)  # the other sessions ended with the old password
            flash(_("Your password is changed."), "success")
            return redirect(url_for("core.index"))
    return render_template("accounts/password.html", form=form, forced=user.must_change_password)
