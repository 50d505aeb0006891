"""Transfers between districts: the proposal on the case, the committee's inbox."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _

from coordination import policy
from coordination.cases.steps import load_case, to_case, to_case_or
from coordination.decorators import section_required
from coordination.pipeline import acting_user, step
from coordination.replica.routing import reads_from_replica
from coordination.transfers import services
from coordination.transfers.section import propose_form
from forms.fields import choices
from forms.transfers import AcceptTransferForm, DeclineTransferForm

bp = Blueprint("transfers", __name__)
cases_section = section_required(policy.Section.CASES)


def accept_form(user, transfer, display: bool = False) -> AcceptTransferForm:
    form = AcceptTransferForm(formdata=None) if display else AcceptTransferForm()
    form.lead_agency.choices = choices(
        (a.id, f"{a.name} ({a.type.label})") for a in services.new_lead_candidates(transfer))
    return form


def to_inbox(user, transfer) -> str:
    return url_for("transfers.show", transfer_id=transfer.id)


@bp.route("/transfers")
@cases_section
@reads_from_replica
def inbox():
    return render_template("transfers/inbox.html", transfers=services.inbox(acting_user()))


@bp.route("/transfers/<transfer:transfer_id>")
@cases_section
def show(transfer_id: int):
    user = acting_user()
    transfer = services.get_transfer_or_404(user, transfer_id)
    may_answer = policy.can(user, policy.Action.ANSWER_TRANSFER, transfer)
    return render_template(
        "transfers/show.html", transfer=transfer,
        accept=accept_form(user, transfer, display=True) if may_answer else None,
        decline=DeclineTransferForm(formdata=None) if may_answer else None,
        sees_case=policy.can(user, policy.Action.VIEW_CASE, transfer.case))


@bp.route("/cases/<case:case_id>/transfer", methods=["POST"])
@cases_section
@step(load=load_case, action=policy.Action.PROPOSE_TRANSFER, back=to_case("transfer"),
      form=propose_form)
def propose(user, case, form):
    services.propose_transfer(user, case, services.TransferProposal(
        form.to_district.data, form.note.data, form.version.data))
    return _("Transfer proposed; the receiving committee will answer.")


@bp.route("/transfers/<transfer:transfer_id>/accept", methods=["POST"])
@cases_section
@step(load=services.get_transfer_or_404, action=policy.Action.ANSWER_TRANSFER,
      back=to_case_or("transfer", "transfers.inbox"), form=accept_form)
def accept(user, transfer, form):
    services.accept_transfer(user, transfer, form.lead_agency.data)
    return _("Transfer accepted; the case is now in your district.")


@bp.route("/transfers/<transfer:transfer_id>/decline", methods=["POST"])
@cases_section
@step(load=services.get_transfer_or_404, action=policy.Action.ANSWER_TRANSFER,
      back=to_inbox, form=lambda user, transfer: DeclineTransferForm())
def decline(user, transfer, form):
    services.decline_transfer(user, transfer, form.reason.data)
    return _("Transfer declined.")


@bp.route("/transfers/<transfer:transfer_id>/cancel", methods=["POST"])
@cases_section
@step(load=services.get_transfer_or_404, action=policy.Action.CANCEL_TRANSFER,
      back=to_case("transfer"), form=None)
def cancel(user, transfer, form):
    services.cancel_transfer(user, transfer)
    return _("Transfer cancelled.")
