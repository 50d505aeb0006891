"""Who opened this file: other agencies' views, for the lead agency and the committee only."""
from __future__ import annotations

import sqlalchemy as sa

from coordination import policy
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
