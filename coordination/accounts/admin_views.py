"""Administration of accounts (/admin/users): administrators for everyone,
agency heads for their own agency. Never a way into case files."""
from __future__ import annotations

import base64
import binascii

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from coordination import csv_import, policy
from coordination.accounts import administration, imports, shown_once, two_factor
from coordination.accounts.models import Role, User
from coordination.accounts.services import recent_logins
from coordination.agencies.models import Agency
from coordination.agencies.views import FILTER_LEVELS
from coordination.bounds import id_or_none
from coordination.decorators import section_required
from coordination.extensions import db
from coordination.i18n import current_language
from coordination.pipeline import REFUSED, acting_user, attempt, current_page
from coordination.refusals import Forbidden, NotFound
from coordination.territories.services import territory_options
from forms import ConfirmForm
from forms.accounts import (
    ImportConfirmForm,
    ImportUploadForm,
    NewUserForm,
    UserFilterForm,
    UserForm,
)
from forms.fields import choices

bp = Blueprint("users", __name__, url_prefix="/admin/users")
administration_section = section_required(policy.Section.ADMINISTRATION)


def _agency_label(agency: Agency) -> str:
    return f"{agency.code} — {agency.name}"


@bp.route("")
@administration_section
def list_users():
    actor = acting_user()
    form = UserFilterForm(request.args)
    agencies = administration.agency_choices(actor, include_inactive=True)
    manages_one_agency = not policy.administers_everything(actor)
    form.agency.choices = choices([("", _("Any agency")),
                                   *((a.id, _agency_label(a)) for a in agencies)])
    form.role.choices = choices([("", _("Any role")), *(
        (role.value, role.label) for role in policy.assignable_roles(actor))])
    form.territory.choices = choices([
        ("", _("Any territory")),
        *([] if manages_one_agency else territory_options(current_language(), FILTER_LEVELS)),
    ])
    filters = administration.UserFilters()
    if form.validate():
        filters = administration.UserFilters(
            query=form.q.data,
            territory_id=form.territory.data,
            agency_id=form.agency.data,
            role=Role(form.role.data) if form.role.data else None,
            status=administration.UserStatus(form.status.data) if form.status.data else None,
        )
    pagination = administration.list_users(actor, filters, page=current_page())
    return render_template("users/list.html", form=form, pagination=pagination,
                           manages_one_agency=manages_one_agency,
                           held=administration.held_accounts(actor))


def _set_choices(form: UserForm, actor: User, target: User | None = None) -> None:
    """Agencies and roles the policy lets ``actor`` give (``target``: when editing)."""
    roles = policy.assignable_roles(actor)
    if target is not None and (target.id == actor.id or target.role == Role.ADMIN):
        roles = [target.role]  # the service refuses any change here anyway
    form.role.choices = choices((role.value, role.label) for role in roles)
    if not policy.administers_everything(actor) and target is not None:
        del form.agency  # only administrators move users
        return
    agencies = administration.agency_choices(actor)
    if target is not None and target.id == actor.id:
        agencies = [target.agency]
    elif target is not None and target.agency not in agencies:
        agencies = [target.agency, *agencies]  # a deactivated agency stays shown
    form.agency.choices = choices((a.id, _agency_label(a)) for a in agencies)


@bp.route("/new", methods=["GET", "POST"])
@administration_section
def new_user():
    actor = acting_user()
    form = NewUserForm()
    _set_choices(form, actor)
    if request.method == "GET":
        form.agency.data = id_or_none(request.args.get("agency")) or actor.agency_id
    if form.validate_on_submit():
        created = attempt(form, administration.add_user, actor,
                       db.session.get(Agency, form.agency.data), form.username.data,
                       form.full_name.data, Role(form.role.data), form.language.data or None)
        if created is not REFUSED:
            user, password = created
            # Held (password None): the agency head prints the credential.
            return _show_once(user, "created", password)
    return render_template("users/new.html", form=form)


def _show_once(user: User, kind: str, password: str | None):
    """Post/redirect/get: the credential page is a GET, so a reload does not
    post the form again (coordination/accounts/shown_once.py)."""
    shown_once.keep(user.id, kind, password)
    return redirect(url_for("users.credential", user_id=user.id))


@bp.route("/<int:user_id>/credential")
@administration_section
def credential(user_id: int):
    """The page after an account was created, reset or confirmed: the
    one-time password, shown once; a reload finds it gone."""
    kept = shown_once.take(user_id)
    if kept is None:
        # Nothing kept for this browser: answer like the account's page
        # (404 for an account outside the user's scope), then send there.
        administration.get_user_or_404(acting_user(), user_id)
        flash(_("The one-time password is shown only once. If it was not noted, reset "
                "the password."), "info")
        return redirect(url_for("users.show_user", user_id=user_id))
    kind, password = kept
    # Kept by this session's own POST, which was authorized (a head who
    # confirmed another agency's held account may not open its page).
    target = db.session.get(User, user_id)
    if target is None:
        raise NotFound()
    if password is None:
        page = render_template("users/held.html", user=target, created=kind == "created")
    else:
        page = render_template("users/temporary_password.html", user=target,
                               password=password, created=kind == "created",
                               confirmed=kind == "confirmed")
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"  # nor kept by the browser's cache
    return response


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@administration_section
def show_user(user_id: int):
    actor = acting_user()
    target = administration.get_user_or_404(actor, user_id)
    form = UserForm()
    _set_choices(form, actor, target)
    if request.method == "GET":
        form.full_name.data = target.full_name
        form.role.data = target.role.value
        form.language.data = target.language or ""
        if form.agency:
            form.agency.data = target.agency_id
    if form.validate_on_submit():
        agency = db.session.get(Agency, form.agency.data) if form.agency else None
        if attempt(form, administration.update_user, actor, target, form.full_name.data,
                Role(form.role.data), form.language.data or None, agency) is not REFUSED:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("users.show_user", user_id=target.id))
    return render_template("users/detail.html", target=target, form=form,
                           logins=recent_logins(target, limit=10),
                           may_confirm=policy.can(actor, policy.Action.CONFIRM_ACCOUNT, target))


def _confirmed(user_id: int, act, title: str, message: str, button: str, done: str | None):
    """A confirmation page (GET) and the action it confirms (POST)."""
    actor = acting_user()
    target = administration.get_user_or_404(actor, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        result = attempt(form, act, actor, target)
        if result is not REFUSED:
            if result is not None:  # a temporary password: shown once, on the next page
                return _show_once(target, "reset", result)
            if target.is_held:  # reset by an administrator: the head prints it
                return _show_once(target, "reset", None)
            flash(done, "success")
            return redirect(url_for("users.show_user", user_id=target.id))
    return render_template("core/confirm.html", form=form, title=title, message=message,
                           button=button, subject=f"{target.full_name} ({target.username})",
                           back=url_for("users.show_user", user_id=target.id))


@bp.route("/<int:user_id>/deactivate", methods=["GET", "POST"])
@administration_section
def deactivate_user(user_id: int):
    return _confirmed(
        user_id, administration.deactivate_user, _("Deactivate the account"),
        _("The user will no longer be able to sign in; a session they have open ends at "
          "once. Their name stays on everything they did."),
        _("Deactivate"), _("The account is deactivated."))


@bp.route("/<int:user_id>/reactivate", methods=["GET", "POST"])
@administration_section
def reactivate_user(user_id: int):
    return _confirmed(
        user_id, administration.reactivate_user, _("Reactivate the account"),
        _("The user will be able to sign in again with their password."),
        _("Reactivate"), _("The account is reactivated."))


@bp.route("/<int:user_id>/unlock", methods=["GET", "POST"])
@administration_section
def unlock_user(user_id: int):
    return _confirmed(
        user_id, administration.unlock_user, _("Unlock the account"),
        _("The lock after failed sign-ins ends now. If the user has forgotten their "
          "password, reset it instead."),
        _("Unlock"), _("The account is unlocked."))


@bp.route("/<int:user_id>/reset-password", methods=["GET", "POST"])
@administration_section
def reset_password(user_id: int):
    return _confirmed(
        user_id, administration.reset_password, _("Reset the password"),
        _("A new temporary password will be shown once, on the next page. The user must "
          "replace it when they sign in; any session they have open ends."),
        _("Reset the password"), None)


@bp.route("/<int:user_id>/confirm", methods=["GET", "POST"])
@administration_section
def confirm_account(user_id: int):
    """The agency head releases a held account and prints its credential."""
    actor = acting_user()
    if policy.administers_everything(actor):
        raise Forbidden()  # four eyes: the administrator who made it never confirms it
    target = db.session.get(User, user_id)
    if target is None or not policy.can(actor, policy.Action.CONFIRM_ACCOUNT, target):
        raise NotFound()
    form = ConfirmForm()
    if form.validate_on_submit():
        password = attempt(form, administration.confirm_account, actor, target)
        if password is not REFUSED:
            # Shown once on the next page, to be printed and handed over.
            return _show_once(target, "confirmed", password)
    return render_template(
        "core/confirm.html", form=form, title=_("Confirm the account"),
        message=_("An administrator created this account or reset its password. Confirm "
                  "only if this person works in your agency: a one-time password is shown "
                  "on the next page, to print and hand over in person."),
        button=_("Confirm and show the one-time password"),
        subject=f"{target.full_name} ({target.username})",
        back=url_for("users.list_users"))


@bp.route("/<int:user_id>/end-sessions", methods=["GET", "POST"])
@administration_section
def end_sessions(user_id: int):
    return _confirmed(
        user_id, administration.end_sessions, _("Sign out everywhere"),
        _("Every session the user has open ends now, on every computer and phone; "
          "they can sign in again with their password."),
        _("Sign out everywhere"), _("The user's sessions have ended."))


@bp.route("/<int:user_id>/reset-two-factor", methods=["GET", "POST"])
@administration_section
def reset_two_factor(user_id: int):
    return _confirmed(
        user_id, two_factor.reset, _("Reset two-factor sign-in"),
        _("For a lost or replaced phone. The user's authenticator app and recovery codes "
          "stop working; they sign in with their password and set two-factor sign-in up "
          "again (at once, where it is required)."),
        _("Reset two-factor sign-in"), _("Two-factor sign-in is reset."))


# --- bulk onboarding -----------------------------------------------------------------


def _carried(content: str) -> bytes | None:
    """The checked file as carried back by the confirmation form."""
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        return None


@bp.route("/import", methods=["GET", "POST"])
@administration_section
def import_users():
    actor = acting_user()
    upload = ImportUploadForm()
    confirm = ImportConfirmForm()
    check = None
    if confirm.content.data and confirm.validate_on_submit():
        data = _carried(confirm.content.data)
        if data is None:
            abort(400)
        outcome = imports.run_import(actor, data)
        if outcome.created:
            # The temporary passwords are in this response only.
            return render_template("users/imported.html", created=outcome.created)
        db.session.rollback()
        check = outcome.check
    elif upload.validate_on_submit():
        limit = csv_import.read_limit()
        data = upload.file.data.read(limit + 1)
        check = imports.check_import(actor, data)
        if check.ok:
            confirm.content.data = base64.b64encode(data).decode("ascii")
    return render_template("users/import.html", upload=upload, confirm=confirm, check=check,
                           columns=imports.COLUMNS)
