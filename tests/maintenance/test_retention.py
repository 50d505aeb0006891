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
