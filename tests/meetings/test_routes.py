"""The meeting pages as real users: the list, scheduling, every step, forged input."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import to_user_timezone

from coordination.agencies.models import Agency
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.meetings import services
from coordination.meetings.models import AgendaItem, AgendaReason, Meeting, MeetingStatus
from coordination.models_base import utcnow
from coordination.public_ids import decode
from tests.helpers import pid, post_form, statements_to_open


def _committee_meetings(code: str) -> list[Meeting]:
    committee = db.session.scalar(sa.select(Agency).where(Agency.code == code))
    return db.session.scalars(sa.select(Meeting).where(Meeting.committee_id == committee.id)
                              .order_by(Meeting.scheduled_for)).all()


def _local_input(moment) -> str:
    """A UTC moment as the datetime-local input sends it (the committee's time)."""
    return to_user_timezone(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def today_meeting(user):
    """A Sokuluk meeting that started an hour ago (it may be marked held now)."""
    now = utcnow()
    meeting = services.schedule_meeting(
        user("coordinator.sokuluk"),
        services.MeetingData(now - timedelta(minutes=1), "Зал"), now=now - timedelta(hours=1))
    db.session.commit()
    return meeting


def test_a_committee_lists_its_own_meetings(login_as):
    client = login_as("coordinator.sokuluk")
    page = client.get("/meetings")
    assert page.status_code == 200
    tokens = re.findall(r'href="/meetings/([a-z2-7]{13})"', page.text)
    links = {decode("meeting", token) for token in tokens}
    assert links == {m.id for m in _committee_meetings("SOKULUK-COMMITTEE")}
    assert 'href="/meetings/new"' in page.text
    assert 'href="/meetings"' in page.text  # the navigation


@pytest.mark.parametrize("username", ["police.sokuluk", "lsg.karasuu", "ministry.analyst",
                                      "admin"])
def test_other_roles_get_403_and_no_menu_entry(login_as, username):
    client = login_as(username)
    assert client.get("/meetings").status_code == 403
    assert client.get("/meetings/new").status_code == 403
    meeting = _committee_meetings("SOKULUK-COMMITTEE")[0]
    assert client.get(f"/meetings/{pid(meeting)}").status_code == 403
    assert client.get(f"/meetings/{pid(meeting)}/minutes.pdf").status_code == 403
    assert 'href="/meetings"' not in client.get("/", follow_redirects=True).text


def test_another_committees_meeting_answers_like_a_missing_one(login_as):
    client = login_as("coordinator.sokuluk")
    other = pid(_committee_meetings("KARASUU-COMMITTEE")[0])
    foreign, missing = client.get(f"/meetings/{other}"), client.get("/meetings/99999999")
    assert foreign.status_code == missing.status_code == 404
    # The pages' CSRF tokens carry the second they were signed in; under load
    # the two requests may fall in different seconds.
    def same(text: str, url: str) -> str:
        return re.sub(r'value="[\w.-]{40,}"', 'value="TOKEN"',
                      text.replace(url, "/meetings/N"))

    assert same(foreign.text, f"/meetings/{other}") == same(missing.text, "/meetings/99999999")
    assert client.get(f"/meetings/{other}/minutes.pdf").status_code == 404


def test_the_head_schedules_and_the_agenda_is_proposed(login_as, user):
    client = login_as("coordinator.sokuluk")
    when = utcnow() + timedelta(days=14)
    response = post_form(client, "/meetings/new",
                         {"scheduled_for": _local_input(when), "place": "Актовый зал"})
    assert response.status_code == 302
    meeting_id = decode("meeting", response.headers["Location"].rsplit("/", 1)[1])
    meeting = db.session.get(Meeting, meeting_id)
    assert meeting.committee_id == user("coordinator.sokuluk").agency_id
    assert meeting.place == "Актовый зал"
    assert abs(meeting.scheduled_for - when.replace(second=0, microsecond=0)) < timedelta(
        minutes=1)
    assert meeting.agenda
    page = client.get(response.headers["Location"]).text
    assert "Meeting scheduled" in page
    for item in meeting.agenda:
        assert item.case.reference in page


def test_scheduling_in_the_past_is_refused(login_as):
    client = login_as("coordinator.sokuluk")
    before = len(_committee_meetings("SOKULUK-COMMITTEE"))
    response = post_form(client, "/meetings/new", {
        "scheduled_for": _local_input(utcnow() - timedelta(days=1)), "place": "Зал"})
    assert response.status_code == 200
    assert "cannot be scheduled in the past" in response.text
    assert len(_committee_meetings("SOKULUK-COMMITTEE")) == before


def test_a_member_prepares_but_does_not_schedule(login_as, committee_member, today_meeting):
    client = login_as("member.sokuluk")
    assert client.get("/meetings/new").status_code == 403
    page = client.get(f"/meetings/{pid(today_meeting)}").text
    assert "Cancel the meeting" not in page
    assert "Mark the meeting held" in page
    response = post_form(client, f"/meetings/{pid(today_meeting)}/cancel",
                         {"version": today_meeting.version},
                         token_from=f"/meetings/{pid(today_meeting)}")
    assert response.status_code == 403


def test_every_step_of_a_meeting_through_the_page(login_as, user, today_meeting):
    client = login_as("coordinator.sokuluk")
    url = f"/meetings/{pid(today_meeting)}"
    case = db.session.scalar(sa.select(Case).where(
        Case.district_id == user("coordinator.sokuluk").agency.territory_id,
        Case.status == "active", Case.id.not_in(
            sa.select(AgendaItem.case_id).where(AgendaItem.meeting_id == today_meeting.id)))
        .limit(1))

    response = post_form(client, f"{url}/agenda", {"reference": case.reference}, token_from=url)
    assert response.status_code == 302
    item = db.session.scalar(sa.select(AgendaItem).where(
        AgendaItem.meeting_id == today_meeting.id, AgendaItem.case_id == case.id))
    assert item.reasons == [AgendaReason.ADDED_BY_HAND]

    post_form(client, f"/meetings/agenda/{pid(item)}/remove", {"confirmed": "1"}, token_from=url)
    db.session.refresh(item)
    assert item.removed
    post_form(client, f"{url}/agenda", {"reference": case.reference}, token_from=url)
    db.session.refresh(item)
    assert not item.removed

    police = user("police.sokuluk")
    coordinator = user("coordinator.sokuluk")
    response = post_form(client, f"{url}/attendance", {
        "agencies": [coordinator.agency_id, police.agency_id],
        "version": db.session.get(Meeting, today_meeting.id).version}, token_from=url)
    assert "Attendance recorded" in client.get(response.headers["Location"]).text

    due = (utcnow() + timedelta(days=14)).date().isoformat()
    response = post_form(client, f"{url}/decisions", {
        "case": case.id, "action": "Совместный выезд в семью",
        "owner_agency": police.agency_id, "owner_user": police.id, "due_on": due},
        token_from=url)
    assert "Decision recorded" in client.get(response.headers["Location"]).text
    decision = db.session.scalar(sa.select(FollowUp).where(
        FollowUp.meeting_id == today_meeting.id))
    assert decision.case_id == case.id and decision.owner_agency_id == police.agency_id

    db.session.expire_all()
    response = post_form(client, f"{url}/held", {
        "version": db.session.get(Meeting, today_meeting.id).version}, token_from=url)
    assert "recorded as held" in client.get(response.headers["Location"]).text
    db.session.expire_all()
    assert db.session.get(Meeting, today_meeting.id).status == MeetingStatus.HELD

    # The owner agency sees the case and finds the decision among its follow-ups.
    post_form(client, "/logout", {})  # sign-out is a POST (issue 14)
    police_client = login_as("police.sokuluk")
    assert police_client.get(f"/cases/{pid(case)}").status_code == 200
    assert "Совместный выезд в семью" in police_client.get("/followups").text


def test_forged_fields_are_refused(login_as, user, today_meeting):
    client = login_as("coordinator.sokuluk")
    url = f"/meetings/{pid(today_meeting)}"
    karasuu_police = db.session.scalar(sa.select(Agency).where(Agency.code == "KARASUU-POLICE"))
    response = post_form(client, f"{url}/attendance", {
        "agencies": [karasuu_police.id], "version": today_meeting.version}, token_from=url)
    assert "Choose a value from the list" in client.get(response.headers["Location"]).text
    assert db.session.get(Meeting, today_meeting.id).attendances == []

    karasuu_case = db.session.scalar(sa.select(Case).join(Case.district).where(
        sa.text("territories.code = '41706226'")).limit(1))
    response = post_form(client, f"{url}/agenda", {"reference": karasuu_case.reference},
                         token_from=url)
    assert "no case with this reference" in client.get(response.headers["Location"]).text

    # A decision on a case that is not on the agenda, or for another district's agency.
    on_agenda = today_meeting.agenda[0].case_id if today_meeting.agenda else None
    due = (utcnow() + timedelta(days=14)).date().isoformat()
    for case_id, owner in ((karasuu_case.id, user("police.sokuluk").agency_id),
                           (on_agenda, karasuu_police.id)):
        if case_id is None:
            continue
        post_form(client, f"{url}/decisions", {
            "case": case_id, "action": "x", "owner_agency": owner, "due_on": due},
            token_from=url)
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id)).where(
        FollowUp.meeting_id == today_meeting.id)) == 0


def test_stale_page_is_refused(login_as, today_meeting):
    client = login_as("coordinator.sokuluk")
    url = f"/meetings/{pid(today_meeting)}"
    response = post_form(client, f"{url}/cancel", {"version": today_meeting.version - 1,
                                                   "confirmed": "1"},
                         token_from=url)
    assert "Someone changed this" in client.get(response.headers["Location"]).text
    db.session.expire_all()
    assert db.session.get(Meeting, today_meeting.id).status == MeetingStatus.SCHEDULED


def test_meeting_page_needs_a_fixed_number_of_queries(login_as):
    """No N+1: a meeting with more agenda items or decisions costs no more queries."""
    client = login_as("coordinator.sokuluk")
    meetings = _committee_meetings("SOKULUK-COMMITTEE")
    counts = [statements_to_open(client, f"/meetings/{pid(m)}") for m in meetings]
    assert len({len(m.agenda) for m in meetings}) > 1
    assert len(set(counts)) == 1
    # The full minutes' attendees and notes joined the page (issue 16).
    assert 0 < counts[0] <= 24


def test_an_unreadable_date_gets_a_message(login_as):
    client = login_as("coordinator.sokuluk")
    response = post_form(client, "/meetings/new", {"scheduled_for": "next week", "place": "Зал"})
    assert response.status_code == 200
    assert "Enter a valid date and time." in response.text
