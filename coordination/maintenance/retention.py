"""The retention rule: closed cases lose their personal data after N years.

What goes: every column the models mark as the case's personal data
(``info=personal(...)``, subject ``case``; see
:func:`coordination.models_base.personal`): today people's names (replaced by
a dash, the columns being required), phones and addresses, the survivor
code's initials, incident register numbers, and every free text on the case
(referral decline reasons and outcomes, follow-up actions and closing notes,
risk reasons, the notes of checks of the case's protection orders, found
through ``protection_orders.case_id``; the check chain hashes each note's
digest, so ``flask orders verify`` still passes). A required column
becomes a dash, an optional one empty; a table with a ``version`` column
has it raised, so an open form on it goes stale. What stays: everything the aggregate reports count
(territory, dates, sex, birth year, disability, relationship, forms of
violence, referrals, orders, risk levels, consents), so statistics do not
change. The case's closure is its latest ``case_closed`` timeline event
(for a case closed without one, e.g. imported, its last update).

An incoming report that became a case or was attached to one goes with its
case (it has ``case_id``). One closed without a case has no case to wait
for: its own closing (the triage decision) starts the same period, and
then its summary and the caller's contact go (``due_report_ids``); its
source, times and district stay, which is what the statistics count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

import coordination.models  # noqa: F401  (every table's marks, not only the imported ones)
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, CaseStatus, Person, TimelineEvent, TimelineKind
from coordination.extensions import db
from coordination.models_base import REMOVED, DataSubject, personal_columns

__all__ = ["REMOVED", "anonymize", "anonymize_reports", "apply_retention", "due_case_ids",
           "due_report_ids"]


@dataclass(frozen=True)
class RetentionResult:
    case_ids: list[int]
    dry_run: bool
    #: Incoming reports closed without a case.
    report_ids: list[int] = field(default_factory=list)


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


def due_report_ids(years: int, now: datetime) -> list[int]:
    """Incoming reports closed without a case more than ``years`` years
    before ``now`` that still hold their summary."""
    from coordination.triage.models import IncomingReport, ReportStatus

    if years < 1:
        raise ValueError("the retention period is at least one year")
    return list(db.session.scalars(
        sa.select(IncomingReport.id)
        .where(IncomingReport.status == ReportStatus.CLOSED, IncomingReport.case_id.is_(None),
               IncomingReport.first_action_at < _add_years(now, -years),
               IncomingReport.summary != REMOVED)
        .order_by(IncomingReport.id)))


def anonymize_reports(report_ids: list[int]) -> None:
    """Remove what the reports ``report_ids`` say (every column marked
    personal); audited per report. The caller commits."""
    from coordination.triage.models import IncomingReport

    if not report_ids:
        return
    table = IncomingReport.__table__
    columns = [column for column in personal_columns(db.metadata, DataSubject.CASE)
               if column.table is table]
    values = {column.name: None if column.nullable else REMOVED for column in columns}
    db.session.execute(sa.update(table).where(table.c.id.in_(report_ids))
                       .values({**values, "version": table.c.version + 1}))
    for report_id in report_ids:
        record(AuditAction.REPORT_ANONYMIZED, None, "incoming_report", report_id)
    db.session.expire_all()


def _personal_columns_by_table() -> dict[sa.Table, list[sa.Column]]:
    """The case's personal data the models declare, grouped by table; each
    such table is ``cases`` itself, has a ``case_id``, or refers to a table
    that has one (``order_checks`` through ``protection_orders``)."""
    by_table: dict[sa.Table, list[sa.Column]] = {}
    for column in personal_columns(db.metadata, DataSubject.CASE):
        by_table.setdefault(column.table, []).append(column)
    return by_table


def case_parent(table: sa.Table) -> sa.ForeignKey | None:
    """For a table without ``case_id``: its foreign key to a table that has one."""
    for key in sorted(table.foreign_keys, key=lambda k: k.parent.name):
        if "case_id" in key.column.table.c:
            return key
    return None


def _of_cases(table: sa.Table, case_ids: list[int]) -> sa.ColumnElement[bool]:
    """The rows of ``table`` that belong to ``case_ids`` (directly or through a parent)."""
    if table.name == Case.__tablename__:
        return table.c.id.in_(case_ids)
    if "case_id" in table.c:
        return table.c.case_id.in_(case_ids)
    key = case_parent(table)
    if key is None:
        raise LookupError(f"{table.name} holds case personal data but belongs to no case")
    parent = key.column.table
    return key.parent.in_(sa.select(key.column).where(parent.c.case_id.in_(case_ids)))


def anonymize(case_ids: list[int]) -> None:
    """Remove the personal data of ``case_ids``; audited per case. The caller commits."""
    if not case_ids:
        return
    for table, columns in _personal_columns_by_table().items():
        values = {column.name: None if column.nullable else REMOVED for column in columns}
        if "version" in table.c:
            values["version"] = table.c.version + 1
        db.session.execute(sa.update(table).where(_of_cases(table, case_ids)).values(values))
    # A document is personal data as a whole: its file and row go.
    from coordination.documents.services import remove_case_documents

    remove_case_documents(case_ids)
    for case_id in case_ids:
        record(AuditAction.CASE_ANONYMIZED, None, "case", case_id)
    db.session.expire_all()


def apply_retention(years: int, now: datetime, dry_run: bool = False) -> RetentionResult:
    """Anonymize the cases and the reports closed without a case that are
    due under the rule (or only list them)."""
    case_ids, report_ids = due_case_ids(years, now), due_report_ids(years, now)
    if not dry_run:
        anonymize(case_ids)
        anonymize_reports(report_ids)
    return RetentionResult(case_ids, dry_run, report_ids)
