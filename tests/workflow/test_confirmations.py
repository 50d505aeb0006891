"""Every irreversible step asks first (issue 15, item 4).

The sweep posts each irreversible step as the user who may take it, first
without ``confirmed``: the answer is the confirmation page, which says what
will happen (and asks for the reason where the record keeps one), and
nothing at all is written: not the object, not its timeline, not the audit.
Posted again from that page, confirmed, the step is taken, and a reason
asked for reaches the case's timeline.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.agencies.models import AgencyType
from coordination.audit.models import AuditEvent
from coordination.cases.models import TimelineEvent
from coordination.consent import services as consent
from coordination.extensions import db
from coordination.followups import services as followups
from coordination.meetings import services as meetings
from coordination.models_base import utcnow
from coordination.protection import services as orders
from coordination.protection.models import OrderKind
from coordination.referrals.models import LegalGround, Priority, ReferralService
from coordination.referrals.services import send_referral
from tests.helpers import csrf_token, pid
from tests.workflow.test_case_management import _promote


def _order(user, case):
    return orders.record_order(user("police.sokuluk"), case, orders.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=utcnow() - timedelta(hours=2),
        prohibitions={"prohibits_violence"}))


def _referral(user, agency, case):
    return send_referral(user("coordinator.sokuluk"), case, agency("SOKULUK-POLICE").id,
                         ReferralService.LEGAL_AID, Priority.NORMAL,
                         LegalGround.DANGER_TO_LIFE)


def _follow_up(user, agency, case):
    return followups.add_follow_up(user("coordinator.sokuluk"), case, followups.FollowUpData(
        action="Посетить семью", owner_agency_id=agency("SOKULUK-LSG").id,
        due_on=utcnow().date() + timedelta(days=3), legal_ground=LegalGround.DANGER_TO_LIFE))


def _meeting(user):
    coordinator = _promote(user, "coordinator.sokuluk")
    return meetings.schedule_meeting(coordinator, meetings.MeetingData(
        scheduled_for=utcnow() + timedelta(days=5), place="Айыл өкмөтү"))


def _agenda_item(user, case):
    meeting = _meeting(user)
    return meetings.add_agenda_case(user("coordinator.sokuluk"), meeting, case.reference)


#: step -> (who takes it, how to make the object, URL, body, the title of the
#: confirmation, the reason's field or None, the status or date that shows it was taken)
STEPS = {
    "withdraw consent": (
        "coordinator.sokuluk",
        lambda user, agency, case: consent.record_consents(
            user("coordinator.sokuluk"), case, [AgencyType.POLICE], False)[0],
        "/consent/{}/withdraw", {}, "Withdraw consent", None,
        lambda obj: obj.withdrawn_at is not None),
    "revoke an order": (
        "police.sokuluk", lambda user, agency, case: _order(user, case),
        "/orders/{}/step", {"step": "revoke"}, "Revoke the protection order", "reason",
        lambda obj: obj.revoked_at is not None),
    "extend an order": (
        "police.sokuluk", lambda user, agency, case: _order(user, case),
        "/orders/{}/step", {"step": "extend"}, "Extend the protection order", None,
        lambda obj: obj.extended_at is not None),
    "close the case": (
        "social.sokuluk", lambda user, agency, case: case,
        "/cases/{}/status", {"status": "closed", "closure_reason": "moved_away"},
        "Close the case", None, lambda obj: obj.status.value == "closed"),
    "cancel a referral": (
        "coordinator.sokuluk", lambda user, agency, case: _referral(user, agency, case),
        "/referrals/{}/step", {"step": "cancel"}, "Cancel the referral", "note",
        lambda obj: obj.status.value == "cancelled"),
    "revoke a referral": (
        "social.sokuluk", lambda user, agency, case: _referral(user, agency, case),
        "/referrals/{}/step", {"step": "revoke"}, "Revoke the referral", "note",
        lambda obj: obj.status.value == "revoked"),
    "cancel a meeting": (
        "coordinator.sokuluk", lambda user, agency, case: _meeting(user),
        "/meetings/{}/cancel", {}, "Cancel the meeting", None,
        lambda obj: obj.status.value == "cancelled"),
    "take a case off the agenda": (
        "coordinator.sokuluk", lambda user, agency, case: _agenda_item(user, case),
        "/meetings/agenda/{}/remove", {}, "Take the case off the agenda", None,
        lambda obj: obj.removed),
    "mark a follow-up done": (
        "lsg.sokuluk", lambda user, agency, case: _follow_up(user, agency, case),
        "/followups/{}/close", {"outcome": "done"}, "Mark the follow-up done", "note",
        lambda obj: obj.status.value == "done"),
    "cancel a follow-up": (
        "social.sokuluk", lambda user, agency, case: _follow_up(user, agency, case),
        "/followups/{}/close", {"outcome": "cancel"}, "Cancel the follow-up", "note",
        lambda obj: obj.status.value == "cancelled"),
}


def _written() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
            db.session.scalar(sa.select(sa.func.count()).select_from(TimelineEvent)))


@pytest.mark.parametrize("name", list(STEPS))
def test_an_irreversible_step_asks_first_and_writes_nothing_until_confirmed(
        name, new_case, user, agency, login_as):
    actor, make, url, body, title, reason, taken = STEPS[name]
    case = new_case(opened_by="police.sokuluk")
    _promote(user, "social.sokuluk")  # the lead agency's head closes
    obj = make(user, agency, case)
    db.session.commit()
    url = url.format(pid(obj))
    client = login_as(actor)
    token = csrf_token(client.get(f"/cases/{pid(case)}").text)
    if "version" in {c.name for c in sa.inspect(type(obj)).columns}:
        body = {**body, "version": obj.version}
    before = _written()

    response = client.post(url, data={"csrf_token": token, **body})
    assert response.status_code == 200, (name, response.status_code, response.location)
    page = response.text
    assert f"<h1 id=\"confirm-title\">{title}</h1>" in page
    assert 'name="confirmed" value="1"' in page
    assert "Go back without changing anything" in page
    if reason:
        assert f'name="{reason}"' in page and "required" in page
    db.session.expire_all()
    assert not taken(obj), name
    assert _written() == before, name  # nothing in the audit, nothing in the timeline

    confirmed = {"csrf_token": csrf_token(page), **body, "confirmed": "1"}
    if reason:
        confirmed[reason] = "Пострадавшая попросила об этом лично"
    response = client.post(url, data=confirmed)
    assert response.status_code == 302, name
    db.session.expire_all()
    assert taken(obj), name
    if reason:
        details = db.session.scalars(sa.select(TimelineEvent.detail).where(
            TimelineEvent.case_id == case.id, TimelineEvent.detail.is_not(None)))
        assert any("Пострадавшая попросила об этом лично" in d for d in details), name


def test_an_order_revoked_without_a_reason_stays_active(new_case, user, login_as):
    case = new_case(opened_by="police.sokuluk")
    order = _order(user, case)
    db.session.commit()
    client = login_as("police.sokuluk")
    token = csrf_token(client.get(f"/cases/{pid(case)}").text)
    response = client.post(f"/orders/{pid(order)}/step", data={
        "csrf_token": token, "step": "revoke", "version": order.version, "reason": "  ",
        "confirmed": "1"}, follow_redirects=True)
    assert "Give the reason for revoking the order." in response.text
    db.session.expire_all()
    assert order.revoked_at is None
