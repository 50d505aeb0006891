"""Recording incoming reports and triaging them: a new case, an attachment
to a case the user can see, or a closing with a reason.

The time from the call to the first triage decision is kept
(``first_action_at``); the statistics layer has a record per report with
it (``coordination.statistics.records.report_records``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, CaseStatus, TimelineKind
from coordination.cases.timeline import add_event
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.territories.models import Territory, TerritoryLevel
from coordination.triage.models import ClosingReason, IncomingReport, ReportSource, ReportStatus
from coordination.workflow import check_version

#: A call cannot be reported from the future (clock skew of a partner allowed).
CLOCK_SKEW = timedelta(minutes=5)
#: Nor from before the system could know of it.
OLDEST = timedelta(days=30)


@dataclass(frozen=True)
class ReportData:
    source: ReportSource
    received_at: datetime  #: UTC, naive
    district_id: int
    summary: str
    caller_contact: str | None = None


def record_report(user: User, data: ReportData, now: datetime | None = None) -> IncomingReport:
    """Record an incoming report into its district's triage queue.

    Pages and the API alike: the district must be one where ``user`` may
    register cases (a partner's client acts as its agency).
    """
    if not policy.may_use(user, policy.Section.RECORD_REPORT):
        raise Forbidden("this user does not record reports")
    now = now or utcnow()
    district = db.session.scalar(policy.registration_districts(user)
                                 .where(Territory.id == data.district_id))
    if district is None or district.level != TerritoryLevel.DISTRICT:
        raise RuleBroken(_("Choose a district from the list."), field="district")
    if data.received_at > now + CLOCK_SKEW or data.received_at < now - OLDEST:
        raise RuleBroken(_("The time of the call must be within the last 30 days."),
                         field="received_at")
    summary = (data.summary or "").strip()
    if not summary:
        raise RuleBroken(_("Say what is known."), field="summary")
    report = IncomingReport(
        source=data.source, received_at=data.received_at, district_id=district.id,
        summary=summary, caller_contact=(data.caller_contact or "").strip() or None,
        recorded_by_id=user.id, recorded_at=now,
    )
    db.session.add(report)
    db.session.flush()
    record(AuditAction.REPORT_RECORDED, user, "incoming_report", report.id)
    return report


def get_report_or_404(user: User, report_id: int) -> IncomingReport:
    """The report if it is in ``user``'s triage queue; 404 otherwise."""
    report = db.session.scalar(policy.visible_reports(user)
                               .where(IncomingReport.id == report_id))
    if report is None:
        raise NotFound()
    return report


def waiting_reports(user: User, limit: int) -> tuple[list[IncomingReport], int]:
    """The oldest ``limit`` waiting reports of the user's queue, and how many wait."""
    waiting = policy.visible_reports(user).where(IncomingReport.status == ReportStatus.WAITING)
    rows = db.session.scalars(waiting.order_by(IncomingReport.received_at, IncomingReport.id)
                              .limit(limit))
    total = db.session.scalar(waiting.with_only_columns(sa.func.count(IncomingReport.id)))
    return list(rows), total


def _decide(user: User, report: IncomingReport, expected_version: int | None,
            status: ReportStatus, now: datetime) -> None:
    if not policy.can(user, policy.Action.TRIAGE_REPORT, report):
        raise Forbidden("not this agency's triage queue")
    check_version(report, expected_version, report.status.label)
    if report.status != ReportStatus.WAITING:
        raise RuleBroken(_("This report was already dealt with: %(status)s.",
                           status=report.status.label))
    report.status = status
    report.first_action_at = now
    report.first_action_by_id = user.id


def case_opened(user: User, report: IncomingReport, case: Case,
                now: datetime | None = None) -> IncomingReport:
    """The report became the new ``case`` (registered from the prefilled intake)."""
    now = now or utcnow()
    _decide(user, report, None, ReportStatus.CASE_OPENED, now)
    report.case_id = case.id
    record(AuditAction.REPORT_TRIAGED, user, "incoming_report", report.id)
    db.session.flush()
    return report


def attach(user: User, report: IncomingReport, reference: str, expected_version: int | None,
           now: datetime | None = None) -> Case:
    """Attach the report to the case of ``reference``, if the user sees it.

    By reference number only: a case the user cannot see answers exactly
    like a reference that does not exist (nothing leaks).
    """
    now = now or utcnow()
    text = (reference or "").strip().upper()
    case = db.session.scalar(policy.visible_cases(user).where(Case.reference == text)) \
        if text else None
    if case is None:
        raise RuleBroken(_("No case with this reference among the cases you can see."),
                         field="reference")
    if case.status == CaseStatus.CLOSED:
        raise RuleBroken(_("This case is closed; reopen it first or open a new case."),
                         field="reference")
    _decide(user, report, expected_version, ReportStatus.ATTACHED, now)
    report.case_id = case.id
    add_event(case, TimelineKind.REPORT_ATTACHED, user, at=now)
    record(AuditAction.REPORT_TRIAGED, user, "incoming_report", report.id)
    db.session.flush()
    return case


def close_report(user: User, report: IncomingReport, reason: ClosingReason,
                 expected_version: int | None, now: datetime | None = None) -> IncomingReport:
    """Close the report without a case, with the reason."""
    now = now or utcnow()
    _decide(user, report, expected_version, ReportStatus.CLOSED, now)
    report.closing_reason = reason
    record(AuditAction.REPORT_TRIAGED, user, "incoming_report", report.id)
    db.session.flush()
    return report
