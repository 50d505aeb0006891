"""Issue 19: an order watched from issue to extension, records that cannot be
faked, escalation of a missed check, the response to a breach."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.cases.models import RiskLevel
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.meetings.models import AgendaReason, Meeting
from coordination.meetings.services import agenda_proposal
from coordination.notifications.models import Notification, NotificationKind
from coordination.notifications.services import check_due
from coordination.order_checks import home, services
from coordination.order_checks.chain import verify
from coordination.order_checks.models import (
    CheckMethod,
    CheckOutcome,
    CheckRecordsAreAppendOnly,
    ExtensionAnswer,
    OrderCheck,
)
from coordination.order_checks.response import suggests_court
from coordination.order_checks.schedule import Escalation, schedule_of
from coordination.protection import services as orders
from coordination.protection.models import OrderKind, OrderViolation
from coordination.public_ids import encode
from coordination.refusals import Forbidden, RuleBroken
from coordination.risk import services as risk
from tests.workflow.conftest import NOW

HOUR = timedelta(hours=1)


def _order(user, new_case, issued=NOW - 2 * HOUR):
    case = new_case(opened_by="police.sokuluk")
    return orders.record_order(user("police.sokuluk"), case, orders.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=issued,
        prohibitions={"prohibits_violence", "prohibits_contact"}), now=NOW)


def _check(user, order, at, outcome=CheckOutcome.KEPT, who="police.sokuluk", note=""):
    return services.record_check(user(who), order, services.CheckData(
        method=CheckMethod.VISIT, outcome=outcome, stated_at=at - HOUR, note=note), now=at)


def _ids(panel):
    return [item.order.id for item in (panel or {}).get("checks", [])]


def _notified(agency, kind, case_id):
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.agency_id == agency.id, Notification.kind == kind,
        Notification.case_id == case_id))


def _upcoming_meeting(agency):
    return db.session.scalar(sa.select(Meeting).where(
        Meeting.committee_id == agency("SOKULUK-COMMITTEE").id)
        .order_by(Meeting.scheduled_for.desc()).limit(1))


def _reasons(meeting, case, at):
    return next((p.reasons for p in agenda_proposal(meeting, at) if p.case_id == case.id), ())


def test_an_order_from_issue_through_checks_escalation_breach_and_extension(
        new_case, user, agency, make_user):
    head = make_user("head.police.sokuluk", "SOKULUK-POLICE", "lead")
    order = _order(user, new_case)
    case = order.case
    inspector = user("police.sokuluk")

    # Issued: the first check is due before the order's end; on the
    # inspector's day once it is less than a day away.
    plan = schedule_of(order, NOW)
    assert plan.due == order.valid_until and plan.level == Escalation.NONE
    assert order.id not in _ids(home._due(inspector, NOW))
    assert order.id in _ids(home._due(inspector, plan.due - 12 * HOUR))

    # The first check: the survivor asks for the extension; it is answered.
    first = _check(user, order, NOW + HOUR, CheckOutcome.WANTS_EXTENSION)
    assert first.on_time and first.sequence == 1
    request = services.open_extension_request(order)
    assert request.requested_on == NOW.date()
    services.answer_extension(inspector, order, ExtensionAnswer.GRANTED, now=NOW + 2 * HOUR)
    assert order.extended_at is not None and request.answer == ExtensionAnswer.GRANTED
    with pytest.raises(RuleBroken):
        services.answer_extension(inspector, order, ExtensionAnswer.GRANTED, now=NOW + 3 * HOUR)

    # The next check is missed: the inspector first, then the head, then the committee.
    due = schedule_of(order, NOW + 2 * HOUR).due
    assert due == first.stated_at + timedelta(hours=72)
    late = due + 2 * HOUR
    assert schedule_of(order, late).level == Escalation.INSPECTOR
    assert order.id in _ids(home._due(inspector, late))
    assert order.id not in _ids(home._escalated(head, late))
    police, committee = agency("SOKULUK-POLICE"), agency("SOKULUK-COMMITTEE")
    check_due(police, late)
    assert _notified(police, NotificationKind.CHECK_OVERDUE, case.id) == 1

    with_head = due + 13 * HOUR
    assert order.id in _ids(home._escalated(head, with_head))
    assert order.id not in _ids(home._escalated(user("coordinator.sokuluk"), with_head))
    check_due(police, with_head)
    assert _notified(police, NotificationKind.CHECK_TO_HEAD, case.id) == 1

    with_committee = due + 49 * HOUR
    assert order.id in _ids(home._escalated(user("coordinator.sokuluk"), with_committee))
    assert order.id not in _ids(home._escalated(user("coordinator.karasuu"), with_committee))
    assert check_due(committee, with_committee) >= 1
    assert check_due(committee, with_committee) == 0  # each step once
    assert _notified(committee, NotificationKind.CHECK_TO_COMMITTEE, case.id) == 1
    meeting = _upcoming_meeting(agency)
    assert AgendaReason.ORDER_CHECK_MISSED in _reasons(meeting, case, with_committee)

    # A breach found at the next check: violation, police follow-up, reassessment, agenda.
    breach_at = with_committee + HOUR
    check = _check(user, order, breach_at, CheckOutcome.BREACH, note="Пришёл к дому")
    assert not check.on_time
    violation = db.session.scalar(sa.select(OrderViolation).where(
        OrderViolation.order_id == order.id))
    assert violation.occurred_at == check.stated_at
    follow_ups = db.session.scalars(sa.select(FollowUp).where(
        FollowUp.case_id == case.id, FollowUp.created_at == breach_at)).all()
    owners = {(f.owner_agency.code, f.due_on) for f in follow_ups}
    assert ("SOKULUK-POLICE", breach_at.date()) in owners
    assert (case.lead_agency.code, breach_at.date() + timedelta(days=1)) in owners
    assert AgendaReason.ORDER_BREACHED in _reasons(meeting, case, breach_at)
    assert schedule_of(order, breach_at).level == Escalation.NONE  # checked again

    # The reassessment; then a second breach suggests court restrictions.
    assessment = risk.assess(user("social.sokuluk"), case, set(risk.questions()[:15]),
                             now=breach_at + 3 * HOUR)
    assert assessment.level == RiskLevel.HIGH
    assert not suggests_court(case)
    _check(user, order, breach_at + 5 * HOUR, CheckOutcome.BREACH)
    assert suggests_court(case)
    # High risk now: the next check is due a day after the last.
    assert schedule_of(order, breach_at + 6 * HOUR).due == breach_at + 4 * HOUR + \
        timedelta(hours=24)
    # Expiry ends the schedule.
    assert schedule_of(order, order.valid_until + HOUR) is None
    assert [c.sequence for c in db.session.scalars(sa.select(OrderCheck).where(
        OrderCheck.order_id == order.id).order_by(OrderCheck.sequence))] == [1, 2, 3]


def test_the_stated_time_lies_at_most_a_few_hours_before_the_recording(new_case, user):
    order = _order(user, new_case)
    data = dict(method=CheckMethod.CALL, outcome=CheckOutcome.KEPT)
    with pytest.raises(RuleBroken, match="within 6 hours"):
        services.record_check(user("police.sokuluk"), order, services.CheckData(
            stated_at=NOW + HOUR, **data), now=NOW + 8 * HOUR)
    with pytest.raises(RuleBroken, match="before it took place"):
        services.record_check(user("police.sokuluk"), order, services.CheckData(
            stated_at=NOW + 2 * HOUR, **data), now=NOW + HOUR)
    with pytest.raises(Forbidden):
        services.record_check(user("social.sokuluk"), order, services.CheckData(
            stated_at=NOW, **data), now=NOW + HOUR)
    assert db.session.scalar(sa.select(sa.func.count(OrderCheck.id)).where(
        OrderCheck.order_id == order.id)) == 0


def test_no_edit_only_a_correcting_entry(new_case, user):
    order = _order(user, new_case)
    original = _check(user, order, NOW + HOUR, note="Не дозвонился")
    db.session.commit()
    original.note = "Всё в порядке"
    with pytest.raises(CheckRecordsAreAppendOnly):
        db.session.flush()
    db.session.rollback()
    order = db.session.get(type(order), order.id)
    original = db.session.scalar(sa.select(OrderCheck).where(OrderCheck.order_id == order.id))
    with pytest.raises(RuleBroken):  # a correction says what it puts right
        services.record_check(user("police.sokuluk"), order, services.CheckData(
            method=CheckMethod.CALL, outcome=CheckOutcome.NOT_REACHED, stated_at=NOW,
            corrects_id=original.id), now=NOW + 3 * HOUR)
    correction = services.record_check(user("police.sokuluk"), order, services.CheckData(
        method=CheckMethod.CALL, outcome=CheckOutcome.NOT_REACHED, stated_at=NOW,
        note="Исправление: пострадавшая не ответила", corrects_id=original.id),
        now=NOW + 3 * HOUR)
    assert correction.corrects_id == original.id and correction.sequence == 2
    assert correction.stated_at == original.stated_at  # a time is never moved
    assert original.note == "Не дозвонился"
    assert verify() == []


def test_a_check_changed_behind_the_application_is_named_by_verify(app, new_case, user):
    order = _order(user, new_case)
    _check(user, order, NOW + HOUR)
    second = _check(user, order, NOW + 30 * HOUR, note="Посещение")
    _check(user, order, NOW + 50 * HOUR)
    db.session.flush()
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["orders", "verify"])
    assert clean.exit_code == 0, clean.output
    assert "intact" in clean.output

    # Someone with database access rewrites the outcome of the second check.
    db.session.execute(sa.text("UPDATE order_checks SET outcome = 'kept', note = 'ok' "
                               "WHERE id = :id"), {"id": second.id})
    db.session.expire_all()
    result = runner.invoke(args=["orders", "verify"])
    assert result.exit_code == 1
    token = encode("order", order.id)
    assert f"order {token} check 2: content differs from its hash" in result.output
    assert "ok" not in result.output.replace("broken", "")  # no record content
    assert "Посещение" not in result.output

    # Deleting a record breaks the chain after it, and is named too.
    db.session.execute(sa.text("DELETE FROM order_checks WHERE id = :id"), {"id": second.id})
    db.session.expire_all()
    found = {str(b) for b in verify()}
    assert f"order {token} check 3: expected place 2 (a record is missing)" in found
    assert f"order {token} check 3: link to the previous record differs" in found


def test_retention_clears_the_notes_and_verify_expects_it(new_case, user):
    """The note is the case's personal data: retention clears it with the
    rest (through the order's case); the chain hashes the note's digest, so
    verify still passes, and a note changed on a case not anonymized is caught."""
    from coordination.maintenance import retention
    from coordination.models_base import REMOVED

    order = _order(user, new_case)
    first = _check(user, order, NOW + HOUR, note="Соседка сказала, что он приходил")
    second = _check(user, order, NOW + 30 * HOUR, note="Посещение")
    other = _order(user, new_case)
    kept = _check(user, other, NOW + HOUR, note="Всё спокойно")
    db.session.flush()
    assert verify() == []

    retention.anonymize([order.case_id])
    db.session.flush()
    db.session.expire_all()
    assert {db.session.get(OrderCheck, c.id).note for c in (first, second)} == {REMOVED}
    assert db.session.get(OrderCheck, kept.id).note == "Всё спокойно"
    assert verify() == []

    # Clearing a note the same way on a case retention never touched is a break.
    db.session.execute(sa.text("UPDATE order_checks SET note = :note WHERE id = :id"),
                       {"note": REMOVED, "id": kept.id})
    db.session.expire_all()
    assert [str(b) for b in verify()] == [
        f"order {encode('order', other.id)} check 1: content differs from its hash"]


def test_the_recording_route_goes_through_the_pipeline(new_case, user, login_as, browser):
    from flask_babel import to_user_timezone

    from coordination.models_base import utcnow
    from tests.helpers import csrf_token, login, pid

    now = utcnow()
    case = new_case(opened_by="police.sokuluk")
    order = orders.record_order(user("police.sokuluk"), case, orders.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=now - 2 * HOUR), now=now)
    db.session.commit()
    client = login_as("police.sokuluk")
    page = client.get(f"/cases/{pid(order.case)}").text
    assert "Checks of protection orders" in page and "Record a check" in page
    with client.application.test_request_context():
        moment = to_user_timezone(now - HOUR).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/orders/{pid(order)}/checks", data={
        "csrf_token": csrf_token(page), "method": "visit",
        "outcome": "kept", "stated_at": moment, "note": "", "corrects": ""})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(OrderCheck.id)).where(
        OrderCheck.order_id == order.id)) == 1
    other = browser()
    login(other, "police.karasuu")
    refused = other.post(f"/orders/{pid(order)}/checks", data={
        "csrf_token": csrf_token(other.get("/").text), "method": "visit", "outcome": "kept",
        "stated_at": moment})
    assert refused.status_code == 404


def test_a_breach_reported_directly_makes_a_reassessment_due(new_case, user, login_as):
    from flask_babel import to_user_timezone

    from coordination.models_base import utcnow
    from tests.helpers import csrf_token, pid

    now = utcnow()
    case = new_case(opened_by="police.sokuluk")
    order = orders.record_order(user("police.sokuluk"), case, orders.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=now - 5 * HOUR), now=now)
    db.session.commit()
    client = login_as("social.sokuluk")
    page = client.get(f"/cases/{pid(case)}").text
    with client.application.test_request_context():
        moment = to_user_timezone(now - HOUR).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/orders/{pid(order)}/violations",
                           data={"csrf_token": csrf_token(page), "occurred_at": moment})
    assert response.status_code == 302
    db.session.expire_all()
    actions = {(f.owner_agency.code, f.action) for f in db.session.scalars(
        sa.select(FollowUp).where(FollowUp.case_id == case.id))}
    assert (case.lead_agency.code,
            "Assess the risk again after the breach of the protection order") in actions


def test_a_panel_of_checks_shows_its_first_rows_and_all_when_asked(
        new_case, user, app, monkeypatch):
    """A district's missed checks do not make the home page long: the first
    rows, the total, and a link to every one (``?all=<panel>``)."""
    from flask import render_template

    first, second = _order(user, new_case), _order(user, new_case)
    inspector = user("police.sokuluk")
    moment = schedule_of(first, NOW).due - 12 * HOUR
    import coordination.home

    monkeypatch.setattr(coordination.home, "PANEL_ROWS", 1)
    with app.test_request_context("/"):
        panel = home._due(inspector, moment)
        total = panel["total"]
        assert total >= 2 and len(panel["checks"]) == 1
        html = render_template("order_checks/home_due.html", panel=panel)
        assert "all=order-checks-due#order-checks-due" in html
    with app.test_request_context("/?all=order-checks-due"):
        panel = home._due(inspector, moment)
        assert {first.id, second.id} <= set(_ids(panel)) and len(panel["checks"]) == total
        assert "all=order-checks-due" not in render_template("order_checks/home_due.html",
                                                             panel=panel)
