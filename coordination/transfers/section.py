"""The transfer section of the case page: proposals, answers, the form."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from coordination import policy
from coordination.cases.models import Case
from coordination.cases.page import CaseSection, form_wanted
from coordination.i18n import current_language
from coordination.transfers.models import CaseTransfer
from coordination.transfers.services import destination_districts, pending_transfer
from forms.fields import choose_then
from forms.transfers import ProposeTransferForm


def propose_form(user, case: Case, display: bool = False) -> ProposeTransferForm:
    form = ProposeTransferForm(formdata=None) if display else ProposeTransferForm()
    lang = current_language()
    form.to_district.choices = choose_then(
        (d.id, d.name(lang)) for d in destination_districts(case))
    if display:
        form.version.data = case.version
    return form


def _build(user, case, can):
    may_propose = can(policy.Action.PROPOSE_TRANSFER, case)
    pending = pending_transfer(case)
    if not case.transfers and not may_propose:
        return None
    may_open = may_propose and not pending
    return {
        "transfers": case.transfers,
        "may_open": {"propose-transfer"} if may_open else set(),
        # Built (the districts read) only when drawn (form_wanted).
        "form": propose_form(user, case, display=True) if may_open and form_wanted(
            "propose-transfer", "transfers.propose", case) else None,
        "cancellable": pending if pending and policy.can(
            user, policy.Action.CANCEL_TRANSFER, pending, case_visible=True) else None,
    }


section = CaseSection("transfer", "transfers/section.html", _build, options=(
    selectinload(Case.transfers).joinedload(CaseTransfer.to_district),
    selectinload(Case.transfers).joinedload(CaseTransfer.from_district)))
