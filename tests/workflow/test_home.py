"""Issue 15, item 1: the home page's rows take their step in place and come
back to `/` with the message in the panel where the user acted; the
administrator lands on administration."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from coordination.extensions import db
from coordination.followups import services as follow_ups
from coordination.followups.models import FollowUpStatus
from coordination.models_base import utcnow
from coordination.protection import services as orders
from coordination.protection.models import OrderKind
from coordination.referrals import services as referrals
from coordination.referrals.models import LegalGround, Priority, ReferralService, ReferralStatus
from coordination.settings.services import get_setting
from tests.helpers import csrf_token, pid, placed_messages, top_messages


def _panel(html: str, key: str) -> str:
    start = html.index(f'id="{key}"')
    return html[start:html.index("</section>", start)]


def _send(user, case, agency):
    return referrals.send_referral(user("coordinator.sokuluk"), case, agency("SOKULUK-HEALTH").id,
                                   ReferralService.PSYCHOLOGICAL, Priority.NORMAL,
                                   LegalGround.DANGER_TO_LIFE)


def test_accept_a_referral_from_home_and_land_back_with_the_message_in_its_panel(
        new_case, user, agency, login_as):
    referral = _send(user, new_case(), agency)
    db.session.commit()
    client = login_as("health.sokuluk")
    home = client.get("/").text
    panel = _panel(home, "referrals-awaiting")
    assert f'id="row-{pid(referral)}"' in panel and 'name="step" value="accept"' in panel
    assert 'name="from_list" value="home"' in panel
    assert 'name="panel" value="referrals-awaiting"' in panel
    response = client.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": csrf_token(home), "step": "accept", "version": referral.version,
        "from_list": "home", "panel": "referrals-awaiting"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/?") and "panel=referrals-awaiting" in location
    assert location.endswith(f"#message-{pid(referral)}")
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.ACCEPTED
    # No longer awaiting: the message is at the top of its panel, not the page's.
    shown = client.get(location).text
    assert placed_messages(_panel(shown, "referrals-awaiting")) == ["Referral updated."]
    assert top_messages(shown) == []


def test_decline_from_home_is_confirmed_with_a_reason_beside_the_row(
        new_case, user, agency, login_as):
    referral = _send(user, new_case(), agency)
    db.session.commit()
    client = login_as("health.sokuluk")
    home = client.get("/").text
    panel = _panel(home, "referrals-awaiting")
    assert '<summary class="button small secondary">Decline</summary>' in panel
    data = {"csrf_token": csrf_token(home), "step": "decline", "version": referral.version,
            "from_list": "home", "panel": "referrals-awaiting", "confirmed": "1", "note": " "}
    refused = client.post(f"/referrals/{pid(referral)}/step", data=data)
    shown = client.get(refused.headers["Location"]).text
    # Refused beside the row, in the panel; nothing changed.
    assert re.search(rf'id="row-{pid(referral)}".*?</tr>\s*<tr class="row-message">',
                     _panel(shown, "referrals-awaiting"), re.S)
    assert placed_messages(shown) == ["Give the reason for declining."]
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.SENT
    done = client.post(f"/referrals/{pid(referral)}/step", data={**data, "note": "Нет врача"})
    assert done.headers["Location"].startswith("/?")
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.DECLINED


def test_mark_a_follow_up_done_from_home_and_land_back(new_case, user, agency, login_as):
    follow_up = follow_ups.add_follow_up(
        user("coordinator.sokuluk"), new_case(), follow_ups.FollowUpData(
            action="Посетить семью", owner_agency_id=agency("SOKULUK-LSG").id,
            due_on=utcnow().date() + timedelta(days=1), legal_ground=LegalGround.DANGER_TO_LIFE))
    db.session.commit()
    client = login_as("lsg.sokuluk")
    home = client.get("/").text
    assert 'name="panel" value="follow-ups-due"' in _panel(home, "follow-ups-due")
    response = client.post(f"/followups/{pid(follow_up)}/close", data={
        "csrf_token": csrf_token(home), "outcome": "done", "version": follow_up.version,
        "confirmed": "1", "note": "Посетили", "from_list": "home", "panel": "follow-ups-due"})
    assert response.headers["Location"].startswith("/?")
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.DONE
    shown = client.get(response.headers["Location"]).text
    # Done, it left the panel: the message is at the top of the panel.
    assert placed_messages(_panel(shown, "follow-ups-due")) == ["Follow-up closed."]
    assert top_messages(shown) == [] and f'id="row-{pid(follow_up)}"' not in shown
    # A mistaken "done" is undone from the panel, as from the list.
    panel = _panel(shown, "follow-ups-due")
    assert f'action="/followups/{pid(follow_up)}/undo"' in panel
    db.session.refresh(follow_up)
    undone = client.post(f"/followups/{pid(follow_up)}/undo", data={
        "csrf_token": csrf_token(shown), "version": follow_up.version,
        "from_list": "home", "panel": "follow-ups-due"})
    assert undone.headers["Location"].startswith("/?")
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.OPEN
    shown = client.get(undone.headers["Location"]).text
    assert placed_messages(_panel(shown, "follow-ups-due")) == ["The follow-up is open again."]


def _temporary_order(user, case, ends_in: timedelta):
    now = utcnow()
    issued = now - timedelta(days=get_setting("temporary_order_days")) + ends_in
    return orders.record_order(user("police.sokuluk"), case, orders.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=issued), now=now)


def test_expiring_orders_panel_lists_the_window_only_and_extends_in_place(
        new_case, user, login_as, app):
    hours = app.config["ORDER_WARNING_HOURS"]
    ending = _temporary_order(user, new_case(opened_by="police.sokuluk"),
                              timedelta(hours=hours - 2))
    later = _temporary_order(user, new_case(opened_by="police.sokuluk"),
                             timedelta(hours=hours + 2))
    db.session.commit()
    client = login_as("police.sokuluk")
    home = client.get("/").text
    panel = _panel(home, "orders-expiring")
    assert ending.case.reference in panel and later.case.reference not in panel
    assert f'action="/orders/{pid(ending)}/step"' in panel
    assert 'name="step" value="extend"' in panel and 'name="confirmed" value="1"' in panel
    response = client.post(f"/orders/{pid(ending)}/step", data={
        "csrf_token": csrf_token(home), "step": "extend", "version": ending.version,
        "confirmed": "1", "from_list": "home", "panel": "orders-expiring"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/?")
    db.session.refresh(ending)
    assert ending.extended_at is not None
    shown = client.get(response.headers["Location"]).text
    # Extended, it left the window: the message is in the panel, or on top
    # when no other order is left to show there.
    if 'id="orders-expiring"' in shown:
        assert placed_messages(_panel(shown, "orders-expiring")) == ["Protection order updated."]
        assert top_messages(shown) == []
    else:
        assert top_messages(shown) == ["Protection order updated."]


def test_the_expiring_orders_panel_shows_its_first_rows_and_all_on_request(
        new_case, user, login_as, app, monkeypatch):
    """A large district's lapsing orders do not make the home page long."""
    import coordination.home

    hours = app.config["ORDER_WARNING_HOURS"]
    sooner = _temporary_order(user, new_case(opened_by="police.sokuluk"),
                              timedelta(hours=hours - 3))
    later = _temporary_order(user, new_case(opened_by="police.sokuluk"),
                             timedelta(hours=hours - 1))
    db.session.commit()
    monkeypatch.setattr(coordination.home, "PANEL_ROWS", 1)
    client = login_as("police.sokuluk")
    first = _panel(client.get("/?lang=en").text, "orders-expiring")
    assert later.case.reference not in first
    assert "?all=orders-expiring#orders-expiring" in first and "Show all" in first
    every = _panel(client.get("/?all=orders-expiring").text, "orders-expiring")
    assert sooner.case.reference in every and later.case.reference in every
    assert "?all=orders-expiring" not in every


def test_extend_from_home_unconfirmed_asks_first_and_comes_back_home(new_case, user, login_as,
                                                                     app):
    order = _temporary_order(user, new_case(opened_by="police.sokuluk"), timedelta(hours=2))
    db.session.commit()
    client = login_as("police.sokuluk")
    home = client.get("/").text
    asked = client.post(f"/orders/{pid(order)}/step", data={
        "csrf_token": csrf_token(home), "step": "extend", "version": order.version,
        "from_list": "home", "panel": "orders-expiring"})
    assert asked.status_code == 200 and "Extend the protection order" in asked.text
    assert 'name="panel" value="orders-expiring"' in asked.text  # carried through
    db.session.refresh(order)
    assert order.extended_at is None


def test_a_panel_that_is_not_one_goes_back_to_the_case(new_case, user, agency, login_as):
    referral = _send(user, new_case(), agency)
    db.session.commit()
    client = login_as("health.sokuluk")
    response = client.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": csrf_token(client.get("/").text), "step": "accept",
        "version": referral.version, "from_list": "home", "panel": "https://evil.example"})
    assert response.headers["Location"].startswith(f"/cases/{pid(referral.case)}")


@pytest.mark.parametrize("username, landing",
                         [("admin", "/admin/users"), ("ministry.analyst", None)])
def test_the_administrator_lands_on_administration(username, landing, login_as):
    response = login_as(username).get("/")
    assert response.status_code == 302
    if landing:
        assert response.headers["Location"] == landing
    else:
        assert response.headers["Location"].startswith("/reports")
