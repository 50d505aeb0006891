"""/admin/api-clients: the administrator (every agency) and an agency head
(their own agency) register partner systems, rotate and revoke their tokens.
A token is shown once, on the page that made it, and never again."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from coordination import policy
from coordination.accounts.administration import agency_choices
from coordination.api import clients
from coordination.api.models import ApiClient, Scope
from coordination.decorators import section_required
from coordination.extensions import db
from coordination.pipeline import REFUSED, acting_user, attempt, flash_form_errors
from coordination.refusals import NotFound
from forms import ConfirmForm
from forms.api_clients import ApiClientForm
from forms.fields import choices

bp = Blueprint("api_clients", __name__, url_prefix="/admin/api-clients")
administration_section = section_required(policy.Section.ADMINISTRATION)


def _form(actor) -> ApiClientForm:
    form = ApiClientForm()
    form.agency.choices = choices((a.id, f"{a.code} — {a.name}") for a in agency_choices(actor))
    return form


@bp.route("", methods=["GET", "POST"])
@administration_section
def list_clients():
    actor = acting_user()
    form = _form(actor)
    token = None
    if form.validate_on_submit():
        made = attempt(form, clients.register, actor, clients.ClientData(
            name=form.name.data, agency_id=form.agency.data,
            scopes=frozenset(Scope(value) for value in form.scopes.data),
            lifetime_days=form.lifetime_days.data))
        if made is not REFUSED:
            _client, token = made
    rows = db.session.scalars(clients.manageable_clients(actor)
                              .order_by(ApiClient.created_at.desc()).limit(500))
    return render_template("api_clients/list.html", form=form, clients=list(rows),
                           token=token, confirm=ConfirmForm())


def _load(actor, client_id: int) -> ApiClient:
    client = db.session.scalar(clients.manageable_clients(actor)
                               .where(ApiClient.id == client_id))
    if client is None:
        raise NotFound()
    return client


@bp.route("/<int:client_id>/rotate", methods=["POST"])
@administration_section
def rotate(client_id: int):
    actor = acting_user()
    client = _load(actor, client_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("api_clients.list_clients"))
    token = clients.rotate(actor, client)
    rows = db.session.scalars(clients.manageable_clients(actor)
                              .order_by(ApiClient.created_at.desc()).limit(500))
    return render_template("api_clients/list.html", form=_form(actor), clients=list(rows),
                           token=token, confirm=ConfirmForm())


@bp.route("/<int:client_id>/revoke", methods=["POST"])
@administration_section
def revoke(client_id: int):
    actor = acting_user()
    client = _load(actor, client_id)
    if ConfirmForm().validate_on_submit():
        clients.revoke(actor, client)
        flash(_("The client's token no longer works."), "success")
    return redirect(url_for("api_clients.list_clients"))
