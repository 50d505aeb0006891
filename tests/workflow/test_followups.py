"""Follow-ups: the action plan, ownership, overdue, closing, the agency list."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from coordination import policy
from coordination.extensions import db
from coordination.followups import services
from coordination.followups.models import FollowUpStatus
from coordination.referrals.models import LegalGround
from coordination.refusals import RuleBroken, Stale
from tests.helpers import csrf_token, pid
from tests.workflow.conftest import NOW


def _add(user, case, owner, due=None, person=None, now=NOW,
         ground=LegalGround.DANGER_TO_LIFE):
    # The new cases have no consent: the owner is involved on a legal ground
    # (tests/workflow/test_consent_rule.py tests the rule itself).
    return services.add_follow_up(user, case, services.FollowUpData(
        action="Посетить семью", owner_agency_id=owner.id, owner_user_id=person,
        due_on=due or NOW.date() + timedelta(days=7), legal_ground=ground), now=now)


def test_owner_agency_becomes_involved(new_case, user, agency):
    case = new_case()
    lsg = user("lsg.sokuluk")
    assert not policy.can(lsg, policy.Action.VIEW_CASE, case)
    _add(user("coordinator.sokuluk"), case, agency("SOKULUK-LSG"))
    db.session.flush()
    assert policy.can(lsg, policy.Action.VIEW_CASE, case)


def test_owner_must_serve_the_place_and_person_work_there(new_case, user, agency):
    case = new_case()
    coordinator = user("coordinator.sokuluk")
    with pytest.raises(RuleBroken):
        _add(coordinator, case, agency("KARASUU-SOCIAL"))
    with pytest.raises(RuleBroken, match="owning agency"):
        _add(coordinator, case, agency("SOKULUK-LSG"), person=user("police.sokuluk").id)
    with pytest.raises(RuleBroken, match="past"):
        _add(coordinator, case, agency("SOKULUK-LSG"), due=NOW.date() - timedelta(days=1))
    assert case.follow_ups == []


def test_agencies_not_involved_cannot_add(new_case, user, agency):
    with pytest.raises(PermissionError):
        _add(user("police.sokuluk"), new_case(), agency("SOKULUK-LSG"))


def test_overdue_is_derived_from_the_date(new_case, user, agency):
    follow_up = _add(user("coordinator.sokuluk"), new_case(), agency("SOKULUK-LSG"),
                     due=date(2026, 11, 25))
    assert not follow_up.is_overdue(date(2026, 11, 25))
    assert follow_up.is_overdue(date(2026, 11, 26))
    follow_up.status = FollowUpStatus.DONE
    assert not follow_up.is_overdue(date(2026, 12, 31))


def test_owner_marks_done_lead_cancels_others_refused(new_case, user, agency):
    case = new_case()
    coordinator = user("coordinator.sokuluk")
    first = _add(coordinator, case, agency("SOKULUK-LSG"))
    second = _add(coordinator, case, agency("SOKULUK-LSG"))
    db.session.flush()
    for outsider in ("police.sokuluk", "coordinator.sokuluk", "health.sokuluk"):
        with pytest.raises(PermissionError):
            services.close_follow_up(user(outsider), first, True, first.version, "x")
    with pytest.raises(RuleBroken, match="what was done"):
        services.close_follow_up(user("lsg.sokuluk"), first, True, first.version, " ")
    services.close_follow_up(user("lsg.sokuluk"), first, True, first.version, "Семья посещена")
    assert first.status == FollowUpStatus.DONE
    with pytest.raises(PermissionError):  # the owner cannot cancel; the lead (social) can
        services.close_follow_up(user("lsg.sokuluk"), second, False, second.version, "x")
    services.close_follow_up(user("social.sokuluk"), second, False, second.version,
                             "Не требуется")
    assert second.status == FollowUpStatus.CANCELLED
    with pytest.raises(RuleBroken):
        services.close_follow_up(user("social.sokuluk"), second, False, second.version, "x")


def test_stale_follow_up_is_refused(new_case, user, agency):
    follow_up = _add(user("coordinator.sokuluk"), new_case(), agency("SOKULUK-LSG"))
    db.session.flush()
    seen = follow_up.version
    follow_up.due_on = follow_up.due_on + timedelta(days=1)
    db.session.flush()
    with pytest.raises(Stale):
        services.close_follow_up(user("lsg.sokuluk"), follow_up, True, seen, "done")
    assert follow_up.status == FollowUpStatus.OPEN


def test_agency_list_is_overdue_first(new_case, user, agency, login_as):
    coordinator = user("coordinator.sokuluk")
    case = new_case()
    later = _add(coordinator, case, agency("SOKULUK-LSG"), due=date.today() + timedelta(days=9))
    overdue = _add(coordinator, case, agency("SOKULUK-LSG"), due=date(2026, 11, 21))
    db.session.commit()
    today = date.today()
    items = services.follow_up_page(user("lsg.sokuluk"), services.FollowUpFilters(), None,
                                    today, today + timedelta(days=6), size=1000).page.rows
    ids = [f.id for f in items]
    assert ids.index(overdue.id) < ids.index(later.id)
    page = login_as("lsg.sokuluk").get("/followups").text
    assert case.reference in page and "Overdue" in page


def test_owner_closes_through_the_case_page(new_case, user, agency, login_as):
    case = new_case()
    follow_up = _add(user("coordinator.sokuluk"), case, agency("SOKULUK-LSG"))
    db.session.commit()
    client = login_as("lsg.sokuluk")
    page = client.get(f"/cases/{pid(case)}")
    assert "Mark done" in page.text
    response = client.post(f"/followups/{pid(follow_up)}/close", data={
        "csrf_token": csrf_token(page.text), "outcome": "done", "version": follow_up.version,
        "note": "Семья посещена", "confirmed": "1"})
    assert response.status_code == 302
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.DONE
    assert follow_up.closing_note == "Семья посещена"


def test_add_through_the_page_with_bad_values_saves_nothing(new_case, agency, login_as):
    case = new_case()
    client = login_as("coordinator.sokuluk")
    page = client.get(f"/cases/{pid(case)}")
    for data, message in [
        ({"owner_agency": agency("KARASUU-LSG").id}, "Choose a value from the list."),
        ({"due_on": "31.12.2026"}, "Enter a valid date."),
        ({"action": ""}, "Describe the action."),
    ]:
        form = {"csrf_token": csrf_token(page.text), "action": "Визит",
                "owner_agency": agency("SOKULUK-LSG").id, "owner_user": "",
                "due_on": (date.today() + timedelta(days=3)).isoformat(), **data}
        response = client.post(f"/cases/{pid(case)}/followups", data=form, follow_redirects=True)
        assert message in response.text
    db.session.refresh(case)
    assert case.follow_ups == []
