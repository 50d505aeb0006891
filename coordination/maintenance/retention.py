"""The retention rule: closed cases lose their personal data after N years.

What goes: people's names (replaced by a dash), phones and addresses, the
survivor code's initials, incident register numbers, and every free text on
the case (referral decline reasons and outcomes, follow-up actions and closing
notes, risk reasons). What stays: everything the aggregate reports count
(territory, dates, sex, birth year, disability, relationship, forms of
violence, referrals, orders, risk levels, consents), so statistics do not
change. The case's closure is its latest ``case_closed`` timeline event
(for a case closed without one, e.g. imported, its last update).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import (
    Case,
    CaseStatus,
    Incident,
    Person,
    TimelineEvent,
    TimelineKind,
)
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.referrals.models import Referral
from coordination.risk.models import RiskAssessment

#: What a removed name becomes (the columns are required).
REMOVED = "—"


@dataclass(frozen=True)
class RetentionResult:
    case_ids: list[int]
    dry_run: bool


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def due_case_ids(years: int, now: datetime) -> list[int]:
    """Closed cases whose closure is more than ``years`` years before ``now``
    and that still hold personal data."""
    if years < 1:
        raise ValueError("the retention period is at least one year")
    cutoff = _add_years(now, -years)
    closed_at = (
        sa.select(TimelineEvent.case_id, sa.func.max(TimelineEvent.at).label("at"))
        .where(TimelineEvent.kind == TimelineKind.CASE_CLOSED)
        .group_by(TimelineEvent.case_id)
        .subquery()
    )
    closure = sa.func.coalesce(closed_at.c.at, Case.updated_at)
    return list(db.session.scalars(
        sa.select(Case.id).outerjoin(closed_at, closed_at.c.case_id == Case.id)
        .where(Case.status == CaseStatus.CLOSED, closure < cutoff,
               Case.id.in_(sa.select(Person.case_id).where(Person.last_name != REMOVED)))
        .order_by(Case.id)
    ))


def anonymize(case_ids: list[int]) -> None:
    """Remove the personal data of ``case_ids``; audited per case. The caller commits."""
    if not case_ids:
        return
    db.session.execute(
        sa.update(Person).where(Person.case_id.in_(case_ids))
        .values(last_name=REMOVED, first_name=REMOVED, patronymic=None, phone=None,
                address=None))
    db.session.execute(
        sa.update(Case).where(Case.id.in_(case_ids))
        .values(survivor_code=REMOVED, version=Case.version + 1))
    db.session.execute(
        sa.update(Incident).where(Incident.case_id.in_(case_ids))
        .values(crime_register_number=None, info_log_number=None))
    db.session.execute(
        sa.update(Referral).where(Referral.case_id.in_(case_ids))
        .values(decline_reason=None, outcome=None, version=Referral.version + 1))
    db.session.execute(
        sa.update(FollowUp).where(FollowUp.case_id.in_(case_ids))
        .values(action=REMOVED, closing_note=None, version=FollowUp.version + 1))
    db.session.execute(
        sa.update(RiskAssessment).where(RiskAssessment.case_id.in_(case_ids))
        .values(raise_reason=None))
    for case_id in case_ids:
        record(AuditAction.CASE_ANONYMIZED, None, "case", case_id)
    db.session.expire_all()


def apply_retention(years: int, now: datetime, dry_run: bool = False) -> RetentionResult:
    """Anonymize the cases due under the rule (or only list them)."""
    case_ids = due_case_ids(years, now)
    if not dry_run:
        anonymize(case_ids)
    return RetentionResult(case_ids, dry_run)
