"""Counts that stop at a cap, and navigation badges that are not counted
again on every page (issue 17): what keeps the home page and every page's
navigation from costing the size of the agency's work."""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from coordination import counts
from coordination.counts import Capped, capped_count, count_format
from coordination.extensions import db
from coordination.followups import services as followups
from coordination.followups.models import FollowUp
from coordination.referrals.models import LegalGround
from tests.helpers import csrf_token
from tests.workflow.conftest import NOW


def _badge(page: str, title: str) -> str | None:
    found = re.search(rf'<span class="badge" title="{title}">([^<]+)</span>', page)
    return found.group(1) if found else None


def test_a_capped_count_stops_at_the_cap_and_says_so(app):
    everything = sa.select(FollowUp.id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp))
    assert total > 5
    capped = capped_count(everything, cap=5)
    assert capped == 5 and capped.more
    whole = capped_count(everything, cap=total)
    assert whole == total and not whole.more
    with app.test_request_context("/"):
        assert count_format(Capped(5, True)) == "5+"
        assert count_format(Capped(5)) == "5"


def _add_follow_up(user, agency, new_case, action="Visit"):
    followups.add_follow_up(user("coordinator.sokuluk"), new_case(), followups.FollowUpData(
        action=action, owner_agency_id=agency("SOKULUK-SOCIAL").id, due_on=date(2026, 12, 20),
        legal_ground=LegalGround.DANGER_TO_LIFE), now=NOW)
    db.session.commit()


def test_badges_are_held_in_the_session_and_counted_again_after_a_change(
        login_as, user, agency, new_case, app, monkeypatch):
    monkeypatch.setitem(app.config, "BADGE_SECONDS", 3600)
    client = login_as("social.sokuluk")
    title = "Open follow-ups of your agency"
    before = _badge(client.get("/cases").text, title)
    _add_follow_up(user, agency, new_case)
    # Another agency's change: the held badge stands until it is counted again.
    assert _badge(client.get("/cases").text, title) == before
    # The user's own change (any POST) counts again at once.
    page = client.get("/notifications")
    client.post("/notifications/read", data={"csrf_token": csrf_token(page.text)})
    after = _badge(client.get("/cases").text, title)
    assert int(after.rstrip("+")) == int((before or "0").rstrip("+")) + 1


def test_badges_are_counted_again_when_they_are_older_than_the_setting(
        login_as, user, agency, new_case, app, monkeypatch):
    monkeypatch.setitem(app.config, "BADGE_SECONDS", 0)
    client = login_as("social.sokuluk")
    title = "Open follow-ups of your agency"
    before = _badge(client.get("/cases").text, title)
    _add_follow_up(user, agency, new_case)
    after = _badge(client.get("/cases").text, title)
    assert int(after.rstrip("+")) == int((before or "0").rstrip("+")) + 1


def test_badges_and_home_counts_show_the_cap(login_as, user, agency, new_case, monkeypatch):
    monkeypatch.setattr(counts, "PANEL_CAP", 1)
    monkeypatch.setattr(capped_count, "__defaults__", (1,))
    for action in ("Visit", "Call"):
        _add_follow_up(user, agency, new_case, action)
    client = login_as("social.sokuluk")
    assert _badge(client.get("/cases").text, "Open follow-ups of your agency") == "1+"
