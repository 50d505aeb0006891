"""``flask retention``: personal data of long-closed cases goes, statistics stay."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import Case, CaseStatus, Incident, Person
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.maintenance import retention
from coordination.referrals.models import Referral
from coordination.reports.build import build
from coordination.reports.request import parse

#: Far enough ahead that every demo closure is more than ten years old.
LATER = datetime(2040, 1, 1)
PERIOD = {"from": "2025-12", "to": "2026-11"}


def _national_tables(user):
    today = date(2026, 11, 1)
    report, _problems = build(parse(user("ministry.analyst"), MultiDict(PERIOD), today), today)
    return report.tables


def test_retention_removes_personal_data_and_keeps_the_statistics(user):
    closed = db.session.scalars(sa.select(Case.id).where(Case.status == CaseStatus.CLOSED)).all()
    open_case = db.session.scalars(sa.select(Case).where(Case.status != CaseStatus.CLOSED)).first()
    open_names = [(p.first_name, p.phone) for p in open_case.people]
    assert closed
    before = _national_tables(user)

    assert retention.due_case_ids(10, datetime(2026, 11, 1)) == []  # nothing is that old yet
    due = retention.apply_retention(10, LATER, dry_run=True)
    assert due.case_ids == sorted(closed)
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Person.case_id.in_(closed), Person.last_name == retention.REMOVED)) == 0  # dry run

    retention.apply_retention(10, LATER)
    db.session.flush()
    people = db.session.scalars(sa.select(Person).where(Person.case_id.in_(closed))).all()
    assert people and all(p.last_name == p.first_name == retention.REMOVED for p in people)
    assert all(p.patronymic is None and p.phone is None and p.address is None for p in people)
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(Incident).where(
        Incident.case_id.in_(closed), Incident.crime_register_number.is_not(None)))
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(Referral).where(
        Referral.case_id.in_(closed),
        sa.or_(Referral.outcome.is_not(None), Referral.decline_reason.is_not(None))))
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp).where(
        FollowUp.case_id.in_(closed),
        sa.or_(FollowUp.action != retention.REMOVED, FollowUp.closing_note.is_not(None))))
    assert [(p.first_name, p.phone) for p in db.session.get(Case, open_case.id).people] == \
        open_names  # open cases keep everything
    audited = db.session.scalars(sa.select(AuditEvent.object_id).where(
        AuditEvent.action == AuditAction.CASE_ANONYMIZED)).all()
    assert sorted(audited) == sorted(closed)

    assert _national_tables(user) == before
    assert retention.due_case_ids(10, LATER) == []  # done once


def test_retention_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["retention", "--years", "10", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Cases due for anonymization (closed more than 10 years ago): 0" in result.output
    assert runner.invoke(args=["retention", "--years", "0"]).exit_code != 0


def test_a_report_closed_without_a_case_loses_what_it_said_after_the_period(user, app):
    """A report closed without a case has no case to wait for: its closing
    starts the period; then its summary and the caller's contact go, and its
    statistical record stays as it was."""
    from datetime import timedelta

    from coordination.statistics.models import StatisticalRecord
    from coordination.statistics.records import report_key
    from coordination.territories.services import territory_by_code
    from coordination.triage import services as triage
    from coordination.triage.models import ClosingReason, IncomingReport, ReportSource

    coordinator = user("coordinator.sokuluk")
    now = datetime(2026, 11, 1, 9, 0)
    reports = []
    for summary in ("Closed, no contact", "Still waiting", "Became a case"):
        reports.append(triage.record_report(coordinator, triage.ReportData(
            source=ReportSource.FAMILY_LINE_117, received_at=now - timedelta(hours=2),
            district_id=territory_by_code("41708222").id, summary=summary,
            caller_contact="+996 700 123123"), now=now))
    closed, waiting, opened = reports
    triage.close_report(coordinator, closed, ClosingReason.NO_CONTACT, closed.version, now=now)
    case = db.session.scalars(sa.select(Case).where(Case.status != CaseStatus.CLOSED)).first()
    triage.case_opened(coordinator, opened, case, now=now)
    db.session.commit()
    record_before = db.session.execute(sa.select(StatisticalRecord.__table__).where(
        StatisticalRecord.case_id == report_key(closed.id))).one()

    assert retention.due_report_ids(10, datetime(2036, 10, 31)) == []  # not yet ten years
    result = retention.apply_retention(10, datetime(2036, 11, 2), dry_run=True)
    assert result.report_ids == [closed.id]
    runner = app.test_cli_runner()
    assert "Incoming reports closed without a case and due: 0" in runner.invoke(
        args=["retention", "--years", "10", "--dry-run"]).output

    retention.apply_retention(10, datetime(2036, 11, 2))
    db.session.commit()
    gone = db.session.get(IncomingReport, closed.id)
    assert (gone.summary, gone.caller_contact) == (retention.REMOVED, None)
    assert (gone.source, gone.received_at, gone.closing_reason) == (
        ReportSource.FAMILY_LINE_117, now - timedelta(hours=2), ClosingReason.NO_CONTACT)
    for kept in (waiting, opened):  # waiting, or with a case that is still open
        assert db.session.get(IncomingReport, kept.id).caller_contact == "+996 700 123123"
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.REPORT_ANONYMIZED,
        AuditEvent.object_id == closed.id)) == 1
    record_after = db.session.execute(sa.select(StatisticalRecord.__table__).where(
        StatisticalRecord.case_id == report_key(closed.id))).one()
    assert record_after == record_before
    assert retention.due_report_ids(10, datetime(2036, 11, 2)) == []  # done once
