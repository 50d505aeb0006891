"""The statistics layer follows every change of the case records, in the same
transaction, and equals a recount from them; its keys never change."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from coordination.cases import services as cases
from coordination.cases.models import CaseStatus, ClosureReason, ViolenceForm
from coordination.consent.models import ConsentRecord, ConsentScope
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.protection import services as orders
from coordination.protection.models import OrderKind
from coordination.referrals.models import LegalGround, Priority, ReferralService
from coordination.referrals.services import move_referral, send_referral
from coordination.statistics import layer
from coordination.statistics.models import StatisticalRecord
from tests.workflow.conftest import NOW
from tests.workflow.test_case_management import _promote


def _records(case) -> dict[tuple[str, int, str], tuple]:
    table = StatisticalRecord.__table__
    return {(row.unit, row.source_id, row.form): row for row in db.session.execute(
        sa.select(table).where(table.c.case_id == case.id))}


def _units(case) -> list[str]:
    return sorted(unit for unit, _s, _f in _records(case))


def _step_keeps_the_layer_equal_to_a_recount(case):
    db.session.commit()
    assert layer.differences([case.id]) == 0
    assert layer.differences() == 0


def test_every_workflow_step_keeps_the_layer_equal_to_a_recount(new_case, user, agency):
    case = new_case()
    _step_keeps_the_layer_equal_to_a_recount(case)
    assert _units(case) == ["case", "form", "incident", "survivor"]
    keys = {key: row.record_key for key, row in _records(case).items()}

    cases.record_incident(user("coordinator.sokuluk"), case, cases.IncidentData(
        occurred_on=date(2026, 11, 19), forms=[ViolenceForm.SEXUAL, ViolenceForm.THREAT],
        place="shared_home", reported_by="hotline_117", bride_kidnapping=True), now=NOW)
    _step_keeps_the_layer_equal_to_a_recount(case)
    assert _units(case).count("form") == 3 and "flag" in _units(case)

    police = agency("SOKULUK-POLICE")
    referral = send_referral(user("coordinator.sokuluk"), case, police.id,
                             ReferralService.POLICE_PROTECTION, Priority.NORMAL,
                             LegalGround.DANGER_TO_LIFE, now=NOW)
    _step_keeps_the_layer_equal_to_a_recount(case)
    move_referral(user("police.sokuluk"), referral, "accept", referral.version,
                  now=NOW + timedelta(hours=5))
    _step_keeps_the_layer_equal_to_a_recount(case)
    answered = next(row for (unit, _s, _f), row in _records(case).items() if unit == "referral")
    assert answered.tenths == 50 and answered.in_time == "y" and answered.outcome == "accepted"

    order = orders.record_order(user("police.sokuluk"), case, orders.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=NOW), now=NOW)
    _step_keeps_the_layer_equal_to_a_recount(case)
    orders.record_violation(user("police.sokuluk"), order, NOW + timedelta(hours=3),
                            now=NOW + timedelta(hours=4))
    _step_keeps_the_layer_equal_to_a_recount(case)
    assert {"order", "violation"} <= set(_units(case))

    head = _promote(user, "social.sokuluk")
    cases.change_status(head, case, CaseStatus.CLOSED, case.version,
                        ClosureReason.SAFETY_PLAN_ACHIEVED, now=NOW + timedelta(days=1))
    _step_keeps_the_layer_equal_to_a_recount(case)
    assert "closure" in _units(case)
    # A unit keeps its key through every refresh: the same units, the same noise.
    assert all(_records(case)[key].record_key == value for key, value in keys.items())

    coordinator = user("coordinator.sokuluk")
    db.session.add(ConsentRecord(case_id=case.id, scope=ConsentScope.STATISTICS,
                                 recorded_by_id=coordinator.id, withdrawn_at=NOW,
                                 withdrawn_by_id=coordinator.id))
    _step_keeps_the_layer_equal_to_a_recount(case)
    assert _records(case) == {}  # withheld: not counted at all


def test_records_hold_codes_only_and_local_months(new_case):
    case = new_case()
    case.created_at = datetime(2026, 3, 31, 19, 30)  # 01:30 on 1 April in Bishkek
    db.session.commit()
    rows = _records(case)
    assert rows[("case", case.id, "")].month == 202604
    text_columns = [c for c in StatisticalRecord.__table__.columns
                    if isinstance(c.type, sa.String)]
    assert all(c.type.length <= 32 for c in text_columns)
    reference = case.reference
    for row in rows.values():
        assert reference not in " ".join(str(value) for value in row)


def test_rebuild_keeps_every_key_and_removes_what_is_gone(new_case):
    case = new_case()
    before = {key: row.record_key for key, row in _records(case).items()}
    table = StatisticalRecord.__table__
    db.session.execute(table.update().where(table.c.case_id == case.id).values(month=190001))
    db.session.execute(table.insert().values(
        unit="case", case_id=10**9, source_id=10**9, record_key=1, month=202601,
        region_id=1, district_id=1))
    assert layer.differences() > 0
    layer.rebuild()
    db.session.commit()
    assert layer.differences() == 0
    assert {key: row.record_key for key, row in _records(case).items()} == before


def test_checks_of_an_order_and_the_response_to_a_breach_reach_the_layer(new_case, user):
    from coordination.followups.services import close_follow_up
    from coordination.order_checks import services as checks
    from coordination.order_checks.models import CheckMethod, CheckOutcome

    police = user("police.sokuluk")
    case = new_case(opened_by="police.sokuluk")
    order = orders.record_order(police, case, orders.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=NOW - timedelta(hours=2)), now=NOW)
    checks.record_check(police, order, checks.CheckData(
        method=CheckMethod.VISIT, outcome=CheckOutcome.KEPT, stated_at=NOW), now=NOW)
    _step_keeps_the_layer_equal_to_a_recount(case)
    rows = _records(case)
    assert rows[("order", order.id, "")].in_time == "y"
    assert [row.in_time for (unit, _s, _f), row in rows.items() if unit == "check"] == ["y"]

    violation = orders.record_violation(police, order, NOW + timedelta(hours=1),
                                        now=NOW + timedelta(hours=1))
    _step_keeps_the_layer_equal_to_a_recount(case)
    assert _records(case)[("violation", violation.id, "")].tenths == -1
    follow_up = db.session.get(FollowUp, violation.follow_up_id)
    close_follow_up(police, follow_up, True, follow_up.version, "Visited",
                    now=NOW + timedelta(hours=4))
    _step_keeps_the_layer_equal_to_a_recount(case)
    assert _records(case)[("violation", violation.id, "")].tenths == 30


def _report_record(report):
    from coordination.statistics.records import report_key

    table = StatisticalRecord.__table__
    return db.session.execute(sa.select(table).where(
        table.c.case_id == report_key(report.id))).one()


def test_an_incoming_report_and_the_time_to_its_first_action_reach_the_layer(user):
    """A report is a unit of its own, with or without a case: its source, its
    state and the tenths of hours from the call to the first triage decision."""
    from coordination.territories.services import territory_by_code
    from coordination.triage import services as triage
    from coordination.triage.models import ClosingReason, ReportSource

    coordinator = user("coordinator.sokuluk")
    from coordination.models_base import utcnow

    received = utcnow().replace(microsecond=0) - timedelta(hours=3)
    report = triage.record_report(coordinator, triage.ReportData(
        source=ReportSource.EMERGENCY_112, received_at=received,
        district_id=territory_by_code("41708222").id, summary="Shouting next door"))
    db.session.commit()
    assert layer.differences() == 0
    row = _report_record(report)
    assert (row.unit, row.reporter, row.outcome, row.tenths, row.in_time) == (
        "report", "112", "waiting", -1, "")
    assert row.district_id == report.district_id and row.region_id != row.district_id
    key = row.record_key

    # Closed without a case, 2.5 hours after the call.
    triage.close_report(coordinator, report, ClosingReason.NO_CONTACT, report.version,
                        now=received + timedelta(hours=2, minutes=30))
    db.session.commit()
    assert layer.differences() == 0
    row = _report_record(report)
    assert (row.outcome, row.tenths, row.in_time, row.record_key) == ("closed", 25, "y", key)

    layer.rebuild()
    db.session.commit()
    assert layer.differences() == 0 and _report_record(report).record_key == key
