"""Two-factor sign-in: the code step after the password (/login/two-factor),
and the user's own set-up in the profile (/profile/two-factor/...)."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from coordination.accounts import two_factor
from coordination.accounts.sessions import (
    end_code_step,
    finish_login,
    pending_login,
    renew_session,
)
from coordination.accounts.views import LOCKED_MESSAGE
from coordination.pipeline import REFUSED, acting_user, allow_write, attempt
from coordination.refusals import NotFound
from forms.accounts import TwoFactorCheckForm, TwoFactorSetupForm
from forms.auth import TwoFactorLoginForm

bp = Blueprint("two_factor", __name__)


@bp.route("/login/two-factor", methods=["GET", "POST"])
def login_step():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    pending = pending_login()
    if pending is None:
        end_code_step()
        flash(_("Please sign in to continue."), "info")
        return redirect(url_for("accounts.login"))
    user, target = pending
    form = TwoFactorLoginForm()
    if form.validate_on_submit():
        outcome = two_factor.verify_login_code(user, form.code.data)
        if outcome is two_factor.CodeOutcome.LOCKED:
            end_code_step()
            flash(str(LOCKED_MESSAGE), "error")
            return redirect(url_for("accounts.login"))
        if outcome is two_factor.CodeOutcome.REFUSED:
            form.add_error("code", _("The code is wrong."))
        else:
            response = finish_login(user, target)  # a new session: flash after it
            if outcome is two_factor.CodeOutcome.RECOVERY_CODE:
                flash(_("You used a recovery code; %(count)d remain. If your phone is lost, "
                        "ask your agency head or administrator to reset two-factor sign-in, "
                        "then set it up again.",
                        count=two_factor.unused_recovery_codes(user)), "info")
            return response
    return render_template("auth/two_factor.html", form=form)


@bp.route("/profile/two-factor")
@login_required
def status():
    user = acting_user()
    return render_template("accounts/two_factor.html", user=user,
                           required=two_factor.required_for(user),
                           remaining=two_factor.unused_recovery_codes(user))


@bp.route("/profile/two-factor/setup", methods=["GET", "POST"])
@login_required
def setup():
    user = acting_user()
    if user.has_two_factor:
        return redirect(url_for("two_factor.status"))
    # Begun on the first visit and kept: reloading the page keeps the QR code
    # the user may already have scanned.
    secret = two_factor.begin_enrolment(user)
    allow_write("two-factor enrolment begun on the first visit")
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        codes = attempt(form, two_factor.confirm_enrolment, user, form.code.data)
        if codes is not REFUSED:
            renew_session(user)  # the other sessions ended when it was switched on
            # The recovery codes are in this response only.
            return render_template("accounts/recovery_codes.html", codes=codes, enabled=True)
    return render_template("accounts/two_factor_setup.html", form=form,
                           secret=two_factor.grouped(secret),
                           required=two_factor.required_for(user))


@bp.route("/profile/two-factor/qr.svg")
@login_required
def qr():
    """The set-up's QR code; never cached (the global ``no-store`` header)."""
    user = acting_user()
    secret = two_factor.pending_secret(user)
    if secret is None:
        raise NotFound()
    svg = two_factor.qr_code_svg(two_factor.provisioning_uri(user, secret))
    return Response(svg, mimetype="image/svg+xml")


@bp.route("/profile/two-factor/disable", methods=["GET", "POST"])
@login_required
def disable():
    user = acting_user()
    if not user.has_two_factor:
        return redirect(url_for("two_factor.status"))
    form = TwoFactorCheckForm()
    if form.validate_on_submit():
        if attempt(form, two_factor.disable, user, form.password.data,
                form.code.data) is not REFUSED:
            flash(_("Two-factor sign-in is off."), "success")
            return redirect(url_for("two_factor.status"))
    return render_template("accounts/two_factor_check.html", form=form,
                           title=_("Turn off two-factor sign-in"),
                           button=_("Turn off"),
                           required=two_factor.required_for(user))


@bp.route("/profile/two-factor/recovery-codes", methods=["GET", "POST"])
@login_required
def recovery_codes():
    user = acting_user()
    if not user.has_two_factor:
        return redirect(url_for("two_factor.status"))
    form = TwoFactorCheckForm()
    if form.validate_on_submit():
        codes = attempt(form, two_factor.renew_recovery_codes, user, form.password.data,
                     form.code.data)
        if codes is not REFUSED:
            return render_template("accounts/recovery_codes.html", codes=codes, enabled=False)
    return render_template("accounts/two_factor_check.html", form=form,
                           title=_("New recovery codes"),
                           button=_("Make new recovery codes"), required=False)
