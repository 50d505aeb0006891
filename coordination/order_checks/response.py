"""What a breach of an order sets going, beyond the police's urgent follow-up
(:func:`coordination.protection.services.record_violation`): a new risk
assessment due within a day, owned by the lead agency. The case goes on the
committee's next agenda by :func:`breached_cases` (the agenda's proposal),
and repeated breaches suggest court restrictions (:func:`suggests_court`)."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination.accounts.models import User
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.followups.services import FollowUpData, add_follow_up, owner_candidates
from coordination.protection.models import OrderKind, OrderViolation, ProtectionOrder

#: Breaches of the orders of one case from which court restrictions are suggested.
REPEATED = 2


def start_breach_response(user: User, order: ProtectionOrder, violation: OrderViolation,
                          now: datetime) -> FollowUp:
    """The reassessment of the risk, due the next day, for the lead agency
    (or, when it does not serve the case's place, the police that respond)."""
    serving = {a.id for a in owner_candidates(order.case)}
    owner = order.case.lead_agency_id if order.case.lead_agency_id in serving \
        else db.session.get(FollowUp, violation.follow_up_id).owner_agency_id
    return add_follow_up(user, order.case, FollowUpData(
        action=_("Assess the risk again after the breach of the protection order"),
        owner_agency_id=owner,
        due_on=(now + timedelta(days=1)).date()), now=now)


def breached_cases(since: datetime, until: datetime) -> sa.Select:
    """``SELECT`` of the ids of cases whose order was breached in the window."""
    return (sa.select(ProtectionOrder.case_id).join(OrderViolation)
            .where(OrderViolation.recorded_at >= since, OrderViolation.recorded_at <= until))


def suggests_court(case: Case) -> bool:
    """Repeated breaches and no court restrictions in force yet."""
    if any(o.kind == OrderKind.COURT and o.revoked_at is None for o in case.protection_orders):
        return False
    count = db.session.scalar(sa.select(sa.func.count(OrderViolation.id)).join(
        ProtectionOrder).where(ProtectionOrder.case_id == case.id))
    return count >= REPEATED
