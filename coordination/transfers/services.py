"""Moving a case to another district: the lead proposes, the receiving
district's committee accepts (choosing the new lead) or declines.

On acceptance the case takes the new district and lead; its open follow-ups
owned by agencies that do not serve the new district go to the new lead;
its timeline (the history) stays with it. The former lead agency and
committee keep reading the case until it is closed (coordination/policy.py),
and the accepted transfer tells the statistics where each unit happened.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import NOT_CASE_WORKING, Agency
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, TimelineKind
from coordination.cases.timeline import add_event
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.models_base import utcnow
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.territories.models import Territory, TerritoryLevel
from coordination.territories.queries import agencies_serving_territory
from coordination.transfers.models import CaseTransfer, TransferStatus
from coordination.workflow import check_version


@dataclass
class TransferProposal:
    to_district_id: int
    note: str | None = None
    #: The case's version when the page was drawn (a stale proposal is refused).
    version: int | None = None


def destination_districts(case: Case) -> list[Territory]:
    """Active districts a case may move to: every one but its own."""
    return list(db.session.scalars(
        sa.select(Territory).where(Territory.level == TerritoryLevel.DISTRICT,
                                   Territory.active.is_(True), Territory.id != case.district_id)
        .order_by(Territory.name_en)))


def new_lead_candidates(transfer: CaseTransfer) -> list[Agency]:
    """Agencies that may lead the case in its new district."""
    query = agencies_serving_territory(transfer.to_district).where(
        Agency.type.not_in(sorted(NOT_CASE_WORKING)))
    return list(db.session.scalars(query.order_by(Agency.name)))


def pending_transfer(case: Case) -> CaseTransfer | None:
    return next((t for t in case.transfers if t.status == TransferStatus.PROPOSED), None)


def _authorize(user: User, action: policy.Action, obj) -> None:
    if not policy.can(user, action, obj):
        raise Forbidden(f"{action.value} refused")


def _done(transfer: CaseTransfer, user: User, kind: TimelineKind, now: datetime,
          related_agency_id: int | None = None) -> None:
    add_event(transfer.case, kind, user, at=now, related_agency_id=related_agency_id)
    db.session.flush()
    record(AuditAction.TRANSFER_CHANGED, user, "case", transfer.case_id)


def propose_transfer(user: User, case: Case, proposal: TransferProposal,
                     now: datetime | None = None) -> CaseTransfer:
    """The lead agency proposes to move ``case`` to another district."""
    _authorize(user, policy.Action.PROPOSE_TRANSFER, case)
    check_version(case, proposal.version, case.reference)
    if proposal.to_district_id not in {d.id for d in destination_districts(case)}:
        raise RuleBroken(_l("Choose a district from the list."), "to_district")
    if pending_transfer(case) is not None:
        raise RuleBroken(_l("A transfer of this case is already waiting for an answer."))
    now = now or utcnow()
    transfer = CaseTransfer(
        case=case, status=TransferStatus.PROPOSED,
        from_district_id=case.district_id, from_municipality_id=case.municipality_id,
        from_lead_agency_id=case.lead_agency_id, to_district_id=proposal.to_district_id,
        note=(proposal.note or "").strip() or None, proposed_by_id=user.id, proposed_at=now)
    db.session.add(transfer)
    _done(transfer, user, TimelineKind.TRANSFER_PROPOSED, now)
    return transfer


def accept_transfer(user: User, transfer: CaseTransfer, lead_agency_id: int,
                    now: datetime | None = None) -> Case:
    """The receiving committee accepts: the case moves with its open work."""
    _authorize(user, policy.Action.ANSWER_TRANSFER, transfer)
    lead = next((a for a in new_lead_candidates(transfer) if a.id == lead_agency_id), None)
    if lead is None:
        raise RuleBroken(_l("Choose a lead agency from the list."), "lead_agency")
    now = now or utcnow()
    case = transfer.case
    serving = sa.select(Agency.id).where(
        Agency.id.in_(agencies_serving_territory(transfer.to_district)
                      .with_only_columns(Agency.id)))
    db.session.execute(
        sa.update(FollowUp)
        .where(FollowUp.case_id == case.id, FollowUp.status == FollowUpStatus.OPEN,
               FollowUp.owner_agency_id.not_in(serving))
        .values(owner_agency_id=lead.id, owner_user_id=None,
                version=FollowUp.version + 1)
        .execution_options(synchronize_session=False))
    case.district_id = transfer.to_district_id
    case.municipality_id = None
    case.lead_agency_id = lead.id
    transfer.status = TransferStatus.ACCEPTED
    transfer.to_lead_agency_id = lead.id
    transfer.answered_by_id = user.id
    transfer.answered_at = now
    _done(transfer, user, TimelineKind.TRANSFER_ACCEPTED, now, related_agency_id=lead.id)
    db.session.expire(case, ["district", "municipality", "lead_agency", "follow_ups"])
    return case


def decline_transfer(user: User, transfer: CaseTransfer, reason: str,
                     now: datetime | None = None) -> None:
    """The receiving committee declines; the case stays where it is."""
    _authorize(user, policy.Action.ANSWER_TRANSFER, transfer)
    reason = (reason or "").strip()
    if not reason:
        raise RuleBroken(_l("Give the reason for declining."), "reason")
    now = now or utcnow()
    transfer.status = TransferStatus.DECLINED
    transfer.decline_reason = reason
    transfer.answered_by_id = user.id
    transfer.answered_at = now
    _done(transfer, user, TimelineKind.TRANSFER_DECLINED, now)


def cancel_transfer(user: User, transfer: CaseTransfer, now: datetime | None = None) -> None:
    """The lead withdraws its proposal before the answer."""
    _authorize(user, policy.Action.CANCEL_TRANSFER, transfer)
    now = now or utcnow()
    transfer.status = TransferStatus.CANCELLED
    transfer.answered_by_id = user.id
    transfer.answered_at = now
    _done(transfer, user, TimelineKind.TRANSFER_CANCELLED, now)


def get_transfer_or_404(user: User, transfer_id: int) -> CaseTransfer:
    """A transfer ``user`` may open (through the policy), else NotFound."""
    transfer = db.session.scalar(policy.visible_transfer(user, transfer_id))
    if transfer is None:
        raise NotFound("transfer")
    return transfer


def inbox(user: User) -> list[CaseTransfer]:
    """Transfers waiting for ``user``'s committee, oldest first."""
    return list(db.session.scalars(
        policy.transfer_inbox(user).order_by(CaseTransfer.proposed_at, CaseTransfer.id)))
