"""The access policy as a truth table over every demo user and every case.

The SQL predicate (lists, search, counts) and the object check (detail
pages) must agree for every pair, and both must follow DESIGN.md section 4.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import AgencyType
from coordination.cases.models import Case
from coordination.demo import demo_usernames
from coordination.extensions import db


def _all_cases() -> list[Case]:
    return db.session.scalars(sa.select(Case).order_by(Case.id)).all()


def _expected_visible(user: User, case: Case) -> bool:
    """DESIGN.md section 4, restated independently of the policy module."""
    if user.role == "admin" or user.agency.type == AgencyType.MINISTRY:
        return False
    if user.agency.type == AgencyType.COMMITTEE and case.district_id == user.agency.territory_id:
        return True
    agency = user.agency_id
    return (
        agency in (case.opening_agency_id, case.lead_agency_id)
        or any(r.from_agency_id == agency for r in case.referrals)
        or any(r.to_agency_id == agency and r.status not in ("declined", "cancelled", "revoked")
               for r in case.referrals)
        or any(f.owner_agency_id == agency for f in case.follow_ups)
        or any(p.provider_agency_id == agency for p in case.programmes)
        or any(o.issuing_agency_id == agency for o in case.protection_orders)
    )


@pytest.mark.parametrize("username", demo_usernames())
def test_sql_predicate_and_object_check_agree_with_the_rules(username, user):
    subject = user(username)
    visible_ids = set(db.session.scalars(policy.visible_cases(subject).with_only_columns(Case.id)))
    for case in _all_cases():
        expected = _expected_visible(subject, case)
        assert (case.id in visible_ids) is expected, (username, case.id)
        assert policy.can(subject, policy.Action.VIEW_CASE, case) is expected, (username, case.id)


def test_coordinators_see_their_whole_district_and_nothing_else(user):
    for district in ("sokuluk", "karasuu"):
        coordinator = user(f"coordinator.{district}")
        cases = db.session.scalars(policy.visible_cases(coordinator)).all()
        assert len(cases) >= 60
        assert {case.district_id for case in cases} == {coordinator.agency.territory_id}


def test_police_see_only_cases_they_are_involved_in(user):
    police = user("police.sokuluk")
    cases = db.session.scalars(policy.visible_cases(police)).all()
    district_total = db.session.scalar(
        sa.select(sa.func.count()).where(Case.district_id == police.agency.territory_id)
    )
    assert 0 < len(cases) < district_total
    assert all(_expected_visible(police, c) for c in cases)


@pytest.mark.parametrize("username", ["ministry.analyst", "admin"])
def test_ministry_and_admin_see_no_case(username, user):
    subject = user(username)
    assert db.session.scalars(policy.visible_cases(subject)).all() == []
    assert not policy.may_use(subject, policy.Section.CASES)


def test_restricted_fields_for_lead_agency_and_committee(user):
    coordinator = user("coordinator.sokuluk")
    police = user("police.sokuluk")
    opened_not_led = db.session.scalar(
        sa.select(Case).where(Case.opening_agency_id == police.agency_id,
                              Case.lead_agency_id != police.agency_id)
    )
    led = db.session.scalar(sa.select(Case).where(Case.lead_agency_id == police.agency_id))
    assert policy.can(coordinator, policy.Action.VIEW_RESTRICTED, opened_not_led)
    assert not policy.can(police, policy.Action.VIEW_RESTRICTED, opened_not_led)
    assert policy.can(police, policy.Action.VIEW_RESTRICTED, led)


def test_unknown_actions_and_sections_raise(user):
    coordinator = user("coordinator.sokuluk")
    case = _all_cases()[0]
    with pytest.raises(ValueError):
        policy.can(coordinator, "view_case", case)
    with pytest.raises(ValueError):
        policy.may_use(coordinator, "cases")


def test_region_level_committee_sees_all_districts_of_its_region(user):
    """A committee serving a region (not only a district) covers its districts."""
    from coordination.territories.services import territory_by_code

    coordinator = user("coordinator.sokuluk")
    coordinator.agency.territory = territory_by_code("41708")  # Chui region
    db.session.flush()
    districts = {c.district.code for c in db.session.scalars(policy.visible_cases(coordinator))}
    assert districts == {"41708222"}  # the only Chui district with demo cases
    for case in _all_cases():
        in_region = case.district.parent.code == "41708"
        assert policy.can(coordinator, policy.Action.VIEW_CASE, case) is (
            in_region or coordinator.agency_id in (case.opening_agency_id, case.lead_agency_id)
        )
