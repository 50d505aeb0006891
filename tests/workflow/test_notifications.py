"""Notifications: made by the workflow and by the due check, read per user."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from coordination.extensions import db
from coordination.followups import services as followups
from coordination.models_base import utcnow
from coordination.notifications import services
from coordination.notifications.models import Notification, NotificationKind
from coordination.protection import services as orders
from coordination.protection.models import OrderKind
from coordination.referrals.models import LegalGround, Priority, ReferralService
from coordination.referrals.services import move_referral, send_referral
from tests.helpers import csrf_token
from tests.workflow.conftest import NOW


def _kinds(agency) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.kind).where(
        Notification.agency_id == agency.id).order_by(Notification.id)))


def test_referral_sent_and_answered_notify_the_other_side(new_case, user, agency):
    case = new_case()
    referral = send_referral(user("coordinator.sokuluk"), case, agency("SOKULUK-HEALTH").id,
                             ReferralService.MEDICAL, Priority.NORMAL,
                             LegalGround.DANGER_TO_LIFE, now=NOW)
    assert _kinds(agency("SOKULUK-HEALTH"))[-1] == NotificationKind.REFERRAL_RECEIVED
    move_referral(user("health.sokuluk"), referral, "accept", referral.version, now=NOW)
    assert _kinds(agency("SOKULUK-COMMITTEE"))[-1] == NotificationKind.REFERRAL_ANSWERED


def test_follow_up_for_another_agency_notifies_it(new_case, user, agency):
    case = new_case()
    before = len(_kinds(agency("SOKULUK-LSG")))
    followups.add_follow_up(user("coordinator.sokuluk"), case, followups.FollowUpData(
        action="Визит", owner_agency_id=agency("SOKULUK-LSG").id,
        due_on=NOW.date() + timedelta(days=5), legal_ground=LegalGround.DANGER_TO_LIFE), now=NOW)
    assert _kinds(agency("SOKULUK-LSG"))[before:] == [NotificationKind.FOLLOW_UP_ASSIGNED]


def test_due_check_announces_each_thing_once(new_case, user, agency):
    now = utcnow()
    case = new_case(opened_by="police.sokuluk")
    lsg = agency("SOKULUK-LSG")
    followups.add_follow_up(user("coordinator.sokuluk"), case, followups.FollowUpData(
        action="Визит", owner_agency_id=lsg.id, due_on=now.date() + timedelta(days=1),
        legal_ground=LegalGround.DANGER_TO_LIFE), now=now)
    orders.record_order(user("police.sokuluk"), case, orders.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=now - timedelta(days=2, hours=20)), now=now)
    assert services.check_due(lsg, now) >= 1
    assert services.check_due(lsg, now) == 0
    assert NotificationKind.FOLLOW_UP_DUE in _kinds(lsg)
    police, committee = agency("SOKULUK-POLICE"), agency("SOKULUK-COMMITTEE")
    assert services.check_due(police, now) >= 1
    assert NotificationKind.ORDER_EXPIRING in _kinds(police)
    services.check_due(committee, now)
    assert NotificationKind.ORDER_EXPIRING in _kinds(committee)
    assert NotificationKind.ORDER_EXPIRING not in _kinds(agency("SOKULUK-SOCIAL"))


def test_read_marks_are_per_user(new_case, user, agency):
    case = new_case()
    send_referral(user("coordinator.sokuluk"), case, agency("SOKULUK-SOCIAL").id,
                  ReferralService.SOCIAL_BENEFIT, Priority.NORMAL, LegalGround.CHILD_AT_RISK,
                  now=NOW)
    social = user("social.sokuluk")
    assert services.unread_count(social) >= 1
    services.mark_all_read(social)
    assert services.unread_count(social) == 0
    # Another user of the same agency still has it unread.
    from coordination.accounts.models import Role
    from coordination.accounts.services import create_user

    colleague = create_user("colleague.sokuluk", "Коллега", social.agency, Role.MEMBER,
                            "a-long-password-1")
    assert services.unread_count(colleague) >= 1


def test_notifications_page_and_mark_read(new_case, user, agency, login_as):
    case = new_case()
    send_referral(user("coordinator.sokuluk"), case, agency("SOKULUK-SOCIAL").id,
                  ReferralService.SHELTER, Priority.URGENT, LegalGround.DANGER_TO_LIFE, now=NOW)
    db.session.commit()
    client = login_as("social.sokuluk")
    page = client.get("/notifications")
    assert "New referral for your agency" in page.text and case.reference in page.text
    assert 'class="unread"' in page.text
    response = client.post("/notifications/read", data={"csrf_token": csrf_token(page.text)},
                           follow_redirects=True)
    assert "All notifications marked read." in response.text
    assert 'class="unread"' not in response.text


def test_scheduling_a_meeting_notifies_the_partner_agencies(user, agency):
    from datetime import datetime

    from coordination.meetings import services as meetings

    codes = ("SOKULUK-POLICE", "KARASUU-POLICE", "SOKULUK-COMMITTEE")
    before = {code: len(_kinds(agency(code))) for code in codes}
    meetings.schedule_meeting(user("coordinator.sokuluk"), meetings.MeetingData(
        scheduled_for=datetime(2026, 12, 3, 4, 0), place="Айыл окмоту"), now=NOW)
    new = {code: _kinds(agency(code))[before[code]:] for code in codes}
    assert new == {"SOKULUK-POLICE": [NotificationKind.MEETING_SCHEDULED],
                   "KARASUU-POLICE": [], "SOKULUK-COMMITTEE": []}


def test_an_announcement_made_at_the_same_moment_elsewhere_is_not_an_error(
        user, agency, monkeypatch):
    """Another request inserted the same due notice after this one looked:
    the insert gives way, and this request's transaction goes on."""
    police = agency("SOKULUK-POLICE")
    db.session.add(Notification(agency_id=police.id, kind=NotificationKind.FOLLOW_UP_DUE,
                                created_at=NOW, dedupe_key="due:race"))
    db.session.flush()
    monkeypatch.setattr(services, "_announced", lambda key: False)
    assert services.notify(police.id, NotificationKind.FOLLOW_UP_DUE, at=NOW,
                           dedupe_key="due:race") is None
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.dedupe_key == "due:race")) == 1
    assert services.notify(police.id, NotificationKind.FOLLOW_UP_DUE, at=NOW,
                           dedupe_key="due:other") is not None
    db.session.flush()


def test_the_due_check_asks_once_what_was_announced(new_case, user, agency):
    """Its statements do not grow with what is due: a large district has a
    hundred items at each sign-in (docs/PERFORMANCE.md)."""
    from sqlalchemy import event

    now = utcnow()
    lsg = agency("SOKULUK-LSG")

    def statements_of_a_check() -> int:
        services.check_due(lsg, now)  # announces what is new
        counted = []
        listener = lambda *_args: counted.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert services.check_due(lsg, now) == 0
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(counted)

    def one_more_due() -> None:
        followups.add_follow_up(user("coordinator.sokuluk"),
                                new_case(opened_by="police.sokuluk"), followups.FollowUpData(
            action="Визит", owner_agency_id=lsg.id, due_on=now.date(),
            legal_ground=LegalGround.DANGER_TO_LIFE), now=now)

    one_more_due()
    few = statements_of_a_check()
    for _ in range(4):
        one_more_due()
    assert statements_of_a_check() == few
