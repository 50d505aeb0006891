"""Who opened this file: other agencies' views, for the lead agency and the committee only."""
from __future__ import annotations

import sqlalchemy as sa

from coordination import policy
from coordination.agencies.models import AgencyType
from coordination.cases.models import Case, CaseStatus
from coordination.extensions import db
from coordination.territories.models import Territory
from tests.helpers import login, pid


def _case_seen_by_police_led_by_another(user) -> Case:
    police = user("police.sokuluk")
    for case in db.session.scalars(sa.select(Case).join(Case.district).where(
            Territory.code == "41708222", Case.status != CaseStatus.CLOSED).order_by(Case.id)):
        if case.lead_agency_id != police.agency_id and policy.can(
                police, policy.Action.VIEW_CASE, case):
            return case
    raise AssertionError("no such case in the demo data")


def test_the_committee_sees_who_of_another_agency_opened_the_file(login_as, browser, user):
    case = _case_seen_by_police_led_by_another(user)
    police = browser()
    login(police, "police.sokuluk")
    own_page = police.get(f"/cases/{pid(case)}").text
    assert 'id="views"' not in own_page  # the police neither lead nor are the committee
    page = login_as("coordinator.sokuluk").get(f"/cases/{pid(case)}").text
    assert 'id="views"' in page
    section = page[page.index('id="views"'):]
    officer = user("police.sokuluk")
    assert officer.full_name in section and officer.agency.name in section


def test_another_district_never_sees_the_views(user):
    case = _case_seen_by_police_led_by_another(user)
    assert not policy.can(user("coordinator.karasuu"), policy.Action.SEE_CASE_VIEWS, case)
    assert policy.can(user("coordinator.sokuluk"), policy.Action.SEE_CASE_VIEWS, case)


#: The Sokuluk demo users of the agencies other than the committee.
OTHER_AGENCIES = ("police.sokuluk", "social.sokuluk", "lsg.sokuluk", "health.sokuluk",
                  "crisis.sokuluk")


def _case_led_outside_the_committee_with_a_third_reader(user):
    """A Sokuluk case whose lead is not the committee, and a user of a third
    agency (neither the lead nor the committee) who may open it."""
    readers = [user(name) for name in OTHER_AGENCIES]
    for case in db.session.scalars(sa.select(Case).join(Case.district).where(
            Territory.code == "41708222", Case.status != CaseStatus.CLOSED).order_by(Case.id)):
        if case.lead_agency.type == AgencyType.COMMITTEE:
            continue
        lead = next((r for r in readers if r.agency_id == case.lead_agency_id), None)
        for reader in readers:
            if lead is not None and reader.agency_id != case.lead_agency_id and policy.can(
                    reader, policy.Action.VIEW_CASE, case):
                return case, lead, reader
    raise AssertionError("no such case in the demo data")


def test_a_lead_agency_other_than_the_committee_sees_the_views_and_a_third_agency_does_not(
        login_as, browser, user):
    case, lead, reader = _case_led_outside_the_committee_with_a_third_reader(user)
    third = browser()
    login(third, reader.username)
    own_page = third.get(f"/cases/{pid(case)}").text
    assert 'id="views"' not in own_page  # neither the lead nor the committee
    assert not policy.can(reader, policy.Action.SEE_CASE_VIEWS, case)
    assert policy.can(lead, policy.Action.SEE_CASE_VIEWS, case)
    page = login_as(lead.username).get(f"/cases/{pid(case)}").text
    assert 'id="views"' in page
    section = page[page.index('id="views"'):]
    assert reader.full_name in section and reader.agency.name in section
