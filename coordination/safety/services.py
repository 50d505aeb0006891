"""Writing and reviewing the safety plan; the plans due for review."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, joinedload

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, CaseStatus, TimelineKind
from coordination.cases.timeline import add_event
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.refusals import Forbidden, RuleBroken, Stale
from coordination.safety.models import PARTS, SafetyPlan

#: The home page shows plans whose review falls within this many days.
REVIEW_AHEAD = timedelta(days=7)


@dataclass(frozen=True)
class PlanData:
    safe_contacts: str | None
    safe_places: str | None
    signals: str | None
    documents_ready: str | None
    children: str | None
    review_on: date


def plan_of(case: Case) -> SafetyPlan | None:
    return db.session.scalar(sa.select(SafetyPlan).where(SafetyPlan.case_id == case.id)
                             .options(joinedload(SafetyPlan.updated_by)))


def save_plan(user: User, case: Case, data: PlanData, expected_version: int | None,
              now: datetime | None = None) -> SafetyPlan:
    """Write the plan, or review it (a new text, a new review date)."""
    if not policy.can(user, policy.Action.EDIT_SAFETY_PLAN, case):
        raise Forbidden("only the lead agency writes the safety plan")
    now = now or utcnow()
    texts = {part: (getattr(data, part) or "").strip() or None for part in PARTS}
    if not any(texts.values()):
        raise RuleBroken(_("Write at least one part of the plan."))
    if data.review_on < now.date():
        raise RuleBroken(_("The review date cannot be in the past."), field="review_on")
    plan = plan_of(case)
    if plan is None:
        plan = SafetyPlan(case_id=case.id, review_on=data.review_on, updated_by_id=user.id)
        db.session.add(plan)
        kind = TimelineKind.SAFETY_PLAN_WRITTEN
    else:
        if expected_version is not None and expected_version != plan.version:
            raise Stale(_("The safety plan was changed meanwhile; look at it again."))
        kind = TimelineKind.SAFETY_PLAN_REVIEWED
    for part, text in texts.items():
        setattr(plan, part, text)
    plan.review_on, plan.updated_by_id, plan.updated_at = data.review_on, user.id, now
    db.session.flush()
    add_event(case, kind, user, at=now)
    record(AuditAction.SAFETY_PLAN_SAVED, user, "safety_plan", plan.id)
    return plan


_PLAN = aliased(SafetyPlan)


def plans_due(user: User, today: date) -> list[SafetyPlan]:
    """Plans of open cases the user's agency leads, to review within a week."""
    # The plans due, from the index on their review date, as a set of ids:
    # the planners then start from them, not from every case the agency
    # leads (thousands of cases for a few plans due).
    due = sa.select(_PLAN.id).where(_PLAN.review_on <= today + REVIEW_AHEAD)
    return list(db.session.scalars(
        sa.select(SafetyPlan).join(Case, Case.id == SafetyPlan.case_id)
        .where(SafetyPlan.id.in_(due),
               Case.lead_agency_id == user.agency_id, Case.status != CaseStatus.CLOSED,
               SafetyPlan.review_on <= today + REVIEW_AHEAD)
        .options(joinedload(SafetyPlan.case))
        .order_by(SafetyPlan.review_on, SafetyPlan.id).limit(50)))
