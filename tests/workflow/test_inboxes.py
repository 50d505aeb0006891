"""Inboxes worked through in place (issue 15, item 7; issue 17, item 1):
accept, decline with a reason and mark done from the lists, back to the same
list with the message beside the row; filters; keyset pages; the person
responsible limited to the chosen agency; nothing outside the agency."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordination import keyset
from coordination.extensions import db
from coordination.followups import services as follow_ups
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.models_base import utcnow
from coordination.referrals import services as referrals
from coordination.referrals.models import (
    LegalGround,
    Priority,
    Referral,
    ReferralService,
    ReferralStatus,
)
from coordination.week import this_week
from tests.helpers import csrf_token, login, pid, placed_messages, top_messages


def _send(user, case, to, priority=Priority.NORMAL, now=None):
    return referrals.send_referral(user, case, to.id, ReferralService.PSYCHOLOGICAL, priority,
                                   LegalGround.DANGER_TO_LIFE, now=now)


def _token(client, url="/referrals") -> str:
    return csrf_token(client.get(url).text)


# --- the referral inbox -------------------------------------------------------------


def test_accept_in_place_returns_to_the_same_list_with_the_message(new_case, user, agency,
                                                                    login_as):
    referral = _send(user("coordinator.sokuluk"), new_case(), agency("SOKULUK-HEALTH"),
                     Priority.URGENT, now=utcnow() - timedelta(days=10))
    db.session.commit()
    client = login_as("health.sokuluk")
    page = client.get("/referrals?due=overdue").text
    assert f'id="row-{pid(referral)}"' in page
    assert 'name="step" value="accept"' in page
    response = client.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": csrf_token(page), "step": "accept", "version": referral.version,
        "from_list": "referrals", "due": "overdue"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/referrals?") and "due=overdue" in location
    assert location.endswith(f"#message-{pid(referral)}")
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.ACCEPTED
    # The accepted referral left "awaiting": the message is above the list, once.
    shown = client.get(location).text
    assert placed_messages(shown) == ["Referral updated."] and top_messages(shown) == []
    assert 'id="message-' + pid(referral) + '"' in shown


def test_decline_in_place_is_confirmed_and_needs_a_reason(new_case, user, agency, login_as):
    referral = _send(user("coordinator.sokuluk"), new_case(), agency("SOKULUK-HEALTH"))
    db.session.commit()
    client = login_as("health.sokuluk")
    page = client.get("/referrals").text
    # The in-place decline is a confirm step with a required reason.
    assert re.search(r'<summary class="button small secondary">Decline</summary>', page)
    assert 'name="note" rows="2" maxlength="500" required' in page
    url = f"/referrals/{pid(referral)}/step"
    data = {"csrf_token": csrf_token(page), "step": "decline", "version": referral.version,
            "from_list": "referrals"}
    # Not confirmed: the confirmation page, nothing changed.
    asked = client.post(url, data=data)
    assert asked.status_code == 200 and "Decline the referral" in asked.text
    assert 'name="from_list" value="referrals"' in asked.text  # carried through
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.SENT
    # Confirmed without a reason: refused beside the row, nothing changed.
    refused = client.post(url, data={**data, "confirmed": "1", "note": "  "})
    assert refused.status_code == 302
    shown = client.get(refused.headers["Location"]).text
    assert placed_messages(shown) == ["Give the reason for declining."]
    assert re.search(rf'id="row-{pid(referral)}".*?</tr>\s*<tr class="row-message">', shown, re.S)
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.SENT
    # With a reason: declined, back to the inbox (the case is no longer health's).
    done = client.post(url, data={**data, "confirmed": "1", "note": "Нет врача"})
    assert done.headers["Location"].startswith("/referrals?acted=")
    db.session.refresh(referral)
    assert (referral.status, referral.decline_reason) == (ReferralStatus.DECLINED, "Нет врача")
    assert placed_messages(client.get(done.headers["Location"]).text) == ["Referral updated."]


def test_decline_from_the_case_page_asks_for_confirmation(new_case, user, agency, login_as):
    case = new_case()
    referral = _send(user("coordinator.sokuluk"), case, agency("SOKULUK-HEALTH"))
    db.session.commit()
    client = login_as("health.sokuluk")
    page = client.get(f"/cases/{pid(case)}").text
    asked = client.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": csrf_token(page), "step": "decline", "version": referral.version,
        "note": "Нет врача"})
    assert asked.status_code == 200
    assert "Decline the referral" in asked.text and "Нет врача" in asked.text
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.SENT


def test_risk_and_due_columns_and_the_lists(new_case, user, agency, login_as, client):
    referral = _send(user("coordinator.sokuluk"), new_case(), agency("SOKULUK-HEALTH"))
    db.session.commit()
    page = login_as("health.sokuluk").get("/referrals").text
    assert "<th>Risk</th>" in page and "<th>Answer due</th>" in page
    assert 'aria-current="page">Awaiting your agency' in page
    sender = client.application.test_client()
    login(sender, "coordinator.sokuluk")
    outgoing = sender.get("/referrals?box=outgoing").text
    assert f'id="row-{pid(referral)}"' in outgoing
    assert 'name="step" value="accept"' not in outgoing.split('id="inbox-list"')[1]


def test_due_filters_of_the_referral_inbox(new_case, user, agency, login_as):
    coordinator, health = user("coordinator.sokuluk"), agency("SOKULUK-HEALTH")
    now = utcnow()
    overdue = _send(coordinator, new_case(), health, Priority.URGENT, now=now - timedelta(days=3))
    soon = _send(coordinator, new_case(), health, Priority.URGENT, now=now)
    later = _send(coordinator, new_case(), health, Priority.NORMAL, now=now + timedelta(days=8))
    db.session.commit()
    client = login_as("health.sokuluk")

    def listed(query):
        text = client.get(f"/referrals{query}").text
        return {r for r in (overdue, soon, later) if f'id="row-{pid(r)}"' in text}

    assert listed("") == {overdue, soon, later}
    assert listed("?due=overdue") == {overdue}
    week = this_week(now)
    expected_this_week = {soon} if soon.respond_by < week.ends_at else set()
    assert listed("?due=week") == expected_this_week
    assert listed("?due=nonsense") == {overdue, soon, later}  # an unknown filter is left out


def test_mine_in_the_referral_inbox(new_case, user, agency, login_as):
    coordinator = user("coordinator.sokuluk")
    mine = _send(coordinator, new_case(), agency("SOKULUK-HEALTH"))
    db.session.commit()
    inbox_user = user("coordinator.sokuluk")
    now = utcnow()
    week = this_week(now)
    by_me = referrals.inbox_page(inbox_user, referrals.InboxFilters("outgoing", mine=True),
                                 None, now, week.ends_at, size=200)
    assert mine in by_me.page.rows
    assert all(r.sent_by_id == inbox_user.id for r in by_me.page.rows)
    everyone = referrals.inbox_page(inbox_user, referrals.InboxFilters("outgoing"), None, now,
                                    week.ends_at, size=200)
    assert set(by_me.page.rows) <= set(everyone.page.rows)
    # "Mine" means nothing where no person is named yet: the filter is left out.
    assert referrals.InboxFilters.from_args({"who": "mine"}).mine is False


def test_referral_pages_are_stable(new_case, user, agency):
    """Walking the pages meets every row once, in order, even with equal deadlines."""
    coordinator, health = user("coordinator.sokuluk"), agency("SOKULUK-HEALTH")
    now = utcnow()
    for _ in range(7):
        _send(coordinator, new_case(), health, Priority.NORMAL, now=now)
    db.session.commit()
    receiver = user("health.sokuluk")
    week = this_week(now)
    everything = referrals.inbox_page(receiver, referrals.InboxFilters(), None, now,
                                      week.ends_at, size=500).page.rows
    walked, after = [], None
    while True:
        page = referrals.inbox_page(receiver, referrals.InboxFilters(), after, now,
                                    week.ends_at, size=3).page
        walked.extend(page.rows)
        if not page.has_next:
            break
        after = pid(page.last)
    assert walked == everything
    assert [(r.respond_by, r.id) for r in walked] == sorted((r.respond_by, r.id) for r in walked)


def test_a_referral_outside_the_agency_is_404_and_not_listed(new_case, user, agency, login_as,
                                                             client):
    referral = _send(user("coordinator.sokuluk"), new_case(), agency("SOKULUK-HEALTH"))
    db.session.commit()
    other = client.application.test_client()
    login(other, "coordinator.karasuu")
    page = other.get("/referrals").text
    assert pid(referral) not in page
    response = other.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": csrf_token(page), "step": "accept", "version": referral.version,
        "from_list": "referrals"})
    assert response.status_code == 404
    # The sender sees the case but the answer is not its to give: 403.
    sender = login_as("coordinator.sokuluk")
    response = sender.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": _token(sender), "step": "accept", "version": referral.version,
        "from_list": "referrals"})
    assert response.status_code == 403
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.SENT


def test_capped_counts_stop_at_the_cap(new_case, user, agency):
    coordinator, health = user("coordinator.sokuluk"), agency("SOKULUK-HEALTH")
    for _ in range(4):
        _send(coordinator, new_case(), health)
    db.session.flush()
    parts = [sa.select(Referral.respond_by, Referral.id).where(
        Referral.to_agency_id == health.id, Referral.status == ReferralStatus.SENT)]
    exact = keyset.capped_count_of(parts, cap=500)
    assert not exact.more and exact >= 4
    capped = keyset.capped_count_of(parts, cap=2)
    assert (int(capped), capped.more) == (2, True)


# --- follow-ups -----------------------------------------------------------------------


@pytest.fixture
def social_follow_up(new_case, user, agency):
    """``social_follow_up(due=..., named=True)``: an open follow-up of Sokuluk's
    social protection (which leads the new case), naming its worker."""
    def make(due: date | None = None, named: bool = True):
        worker = user("social.sokuluk")
        follow_up = FollowUp(case_id=new_case().id, action="Посетить семью",
                             owner_agency_id=worker.agency_id,
                             owner_user_id=worker.id if named else None,
                             due_on=due or utcnow().date(), created_by_id=worker.id)
        db.session.add(follow_up)
        db.session.commit()
        return follow_up

    return make


def test_mark_done_in_place_is_confirmed_and_can_be_undone(social_follow_up, login_as):
    follow_up = social_follow_up()
    client = login_as("social.sokuluk")
    page = client.get("/followups?who=mine").text
    assert f'id="row-{pid(follow_up)}"' in page and "<th>Risk</th>" in page
    url = f"/followups/{pid(follow_up)}/close"
    data = {"csrf_token": csrf_token(page), "outcome": "done", "version": follow_up.version,
            "from_list": "followups", "who": "mine"}
    asked = client.post(url, data=data)
    assert asked.status_code == 200 and "Mark the follow-up done" in asked.text
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.OPEN
    done = client.post(url, data={**data, "confirmed": "1", "note": "Семья посещена"})
    location = done.headers["Location"]
    assert location.startswith("/followups?") and "who=mine" in location
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.DONE
    shown = client.get(location).text
    assert placed_messages(shown) == ["Follow-up closed."] and top_messages(shown) == []
    assert f"/followups/{pid(follow_up)}/undo" in shown  # undo above the list
    undone = client.post(f"/followups/{pid(follow_up)}/undo", data={
        "csrf_token": csrf_token(shown), "version": follow_up.version,
        "from_list": "followups", "who": "mine"})
    assert undone.headers["Location"].startswith("/followups?")
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.OPEN
    again = client.get(undone.headers["Location"]).text
    assert placed_messages(again) == ["The follow-up is open again."]
    assert re.search(rf'id="row-{pid(follow_up)}".*?</tr>\s*<tr class="row-message">', again, re.S)


def test_done_without_a_note_is_refused_beside_the_row(social_follow_up, login_as):
    follow_up = social_follow_up()
    client = login_as("social.sokuluk")
    response = client.post(f"/followups/{pid(follow_up)}/close", data={
        "csrf_token": _token(client, "/followups"), "outcome": "done", "confirmed": "1",
        "note": "", "version": follow_up.version, "from_list": "followups"})
    shown = client.get(response.headers["Location"]).text
    assert placed_messages(shown) == ["Say what was done."]
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.OPEN


def test_follow_up_filters(social_follow_up, user, login_as):
    today = this_week(utcnow()).today
    week = this_week(utcnow())
    overdue = social_follow_up(due=today - timedelta(days=2))
    this_week_one = social_follow_up(due=week.last_day)
    later = social_follow_up(due=week.last_day + timedelta(days=1))
    unnamed = social_follow_up(due=week.last_day + timedelta(days=2), named=False)
    mine = {overdue, this_week_one, later}
    worker = user("social.sokuluk")

    def listed(filters):
        rows = follow_ups.follow_up_page(worker, filters, None, today, week.last_day,
                                         size=1000).page.rows
        return {f for f in (overdue, this_week_one, later, unnamed) if f in rows}

    assert listed(follow_ups.FollowUpFilters()) == mine | {unnamed}
    assert listed(follow_ups.FollowUpFilters(mine=True)) == mine
    assert listed(follow_ups.FollowUpFilters(due="overdue")) == {overdue}
    assert listed(follow_ups.FollowUpFilters(due="week")) == {this_week_one}
    page = login_as("social.sokuluk").get("/followups?who=mine&due=overdue").text
    assert f'id="row-{pid(overdue)}"' in page and f'id="row-{pid(later)}"' not in page


def test_follow_up_pages_are_stable_and_linked(social_follow_up, user, login_as):
    today = utcnow().date()
    created = [social_follow_up(due=today + timedelta(days=3)) for _ in range(5)]
    worker = user("social.sokuluk")
    week = this_week(utcnow())
    filters = follow_ups.FollowUpFilters(mine=True)
    everything = follow_ups.follow_up_page(worker, filters, None, week.today, week.last_day,
                                           size=1000).page.rows
    assert set(created) <= set(everything)
    walked, after = [], None
    while True:
        page = follow_ups.follow_up_page(worker, filters, after, week.today, week.last_day,
                                         size=2).page
        walked.extend(page.rows)
        if not page.has_next:
            break
        after = pid(page.last)
    assert walked == everything
    # The page links the next one by the last row's token, keeping the filters.
    with_link = login_as("social.sokuluk").get("/followups?who=mine").text
    if len(everything) > keyset.PAGE_SIZE:
        assert f'after={pid(everything[keyset.PAGE_SIZE - 1])}' in with_link


def test_a_follow_up_outside_the_agency_is_404(social_follow_up, client):
    follow_up = social_follow_up()
    other = client.application.test_client()
    login(other, "social.karasuu")
    page = other.get("/followups").text
    assert pid(follow_up) not in page
    response = other.post(f"/followups/{pid(follow_up)}/close", data={
        "csrf_token": csrf_token(page), "outcome": "done", "confirmed": "1", "note": "x",
        "version": follow_up.version, "from_list": "followups"})
    assert response.status_code == 404
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.OPEN


# --- the person responsible -----------------------------------------------------------


def test_the_person_responsible_is_offered_under_the_chosen_agency(new_case, login_as):
    case = new_case()
    page = login_as("coordinator.sokuluk").get(f"/cases/{pid(case)}?form=add-follow-up").text
    form = page.split('name="owner_user"')[1].split("</select>")[0]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', form, re.S)
    assert len(groups) >= 2
    for _label, options in groups:  # one agency's staff per group, each marked
        assert len(set(re.findall(r'data-agency="(\d+)"', options))) == 1
    assert 'data-narrows="owner_user"' in page
    assert "/static/js/app.js" in page  # the narrowing script is the app's own


def test_a_person_of_another_agency_is_refused(new_case, user, agency, login_as):
    case = new_case()
    client = login_as("coordinator.sokuluk")
    page = client.get(f"/cases/{pid(case)}").text
    response = client.post(f"/cases/{pid(case)}/followups", data={
        "csrf_token": csrf_token(page), "action": "Посетить семью",
        "owner_agency": agency("SOKULUK-SOCIAL").id, "owner_user": user("police.sokuluk").id,
        "due_on": (utcnow().date() + timedelta(days=3)).isoformat()}, follow_redirects=True)
    assert "The person must work at the owning agency." in response.text
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id)).where(
        FollowUp.case_id == case.id)) == 0
