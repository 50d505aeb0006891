"""Agencies: creating, editing, deactivating (with the cases it leads), the directory."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coordination.agencies import services
from coordination.agencies.models import Agency, AgencyType
from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import Case, CaseStatus, Person
from coordination.cases.services import lead_agency_candidates
from coordination.extensions import db
from coordination.territories.services import territory_by_code
from tests.helpers import login, post_form

CHUI_DISTRICT = "41708223"


def _agencies() -> int:
    return db.session.scalar(sa.select(sa.func.count(Agency.id)))


def _audited(action: AuditAction, agency: Agency) -> bool:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == action, AuditEvent.object_id == agency.id)) > 0


def test_admin_creates_an_agency_serving_a_territory(user):
    agency = services.create_agency(user("admin"), " chui-police ", "ОВД Чуйского района",
                                    AgencyType.POLICE, territory_by_code(CHUI_DISTRICT))
    assert (agency.code, agency.active) == ("CHUI-POLICE", True)
    assert _audited(AuditAction.AGENCY_CREATED, agency)


@pytest.mark.parametrize(
    ("code", "name", "territory", "field", "message"),
    [
        ("sokuluk-police", "X", CHUI_DISTRICT, "code", "The code SOKULUK-POLICE is taken."),
        ("CHUI POLICE", "X", CHUI_DISTRICT, "code", "Latin letters, digits and hyphens"),
        ("ЧУЙ-МВД", "X", CHUI_DISTRICT, "code", "Latin letters"),
        ("CHUI-POLICE", " ", CHUI_DISTRICT, "name", "Enter the agency's name."),
        ("CHUI-POLICE", "X", None, "territory", "Choose the territory the agency serves."),
    ],
)
def test_bad_agencies_are_refused(user, code, name, territory, field, message):
    before = _agencies()
    with pytest.raises(services.AgencyError) as refused:
        services.create_agency(user("admin"), code, name, AgencyType.POLICE,
                               territory_by_code(territory) if territory else None)
    assert (refused.value.field, message in str(refused.value)) == (field, True)
    assert _agencies() == before


def test_no_agency_serves_a_retired_municipality(user):
    admin, municipality = user("admin"), territory_by_code("41708222004")
    municipality.active = False
    with pytest.raises(services.AgencyError, match="Choose the territory"):
        services.create_agency(admin, "SHOPOKOV-LSG", "X", AgencyType.LSG, municipality)


def test_only_administrators_manage_agencies(user):
    with pytest.raises(PermissionError):
        services.create_agency(user("coordinator.sokuluk"), "X-Y", "X", AgencyType.POLICE,
                               territory_by_code(CHUI_DISTRICT))


def test_edit_is_audited_and_never_makes_or_unmakes_the_ministry(user, agency):
    admin, police = user("admin"), agency("SOKULUK-POLICE")
    services.update_agency(admin, police, "ОВД Сокулукского района", AgencyType.POLICE,
                           territory_by_code("41708222"))
    assert _audited(AuditAction.AGENCY_UPDATED, police)
    with pytest.raises(services.AgencyError, match="ministry"):
        services.update_agency(admin, police, police.name, AgencyType.MINISTRY,
                               police.territory)
    with pytest.raises(services.AgencyError, match="ministry"):
        services.update_agency(admin, agency("MLSSM-GENDER"), "X", AgencyType.SOCIAL,
                               police.territory)


def test_an_edit_never_makes_or_unmakes_a_court(user, agency):
    """A court works on no case: becoming one would take the police's cases
    away, and a court turned police would gain cases (and keep its clients)."""
    admin, police, court = user("admin"), agency("SOKULUK-POLICE"), agency("SOKULUK-COURT")
    with pytest.raises(services.AgencyError, match="court"):
        services.update_agency(admin, police, police.name, AgencyType.COURT, police.territory)
    with pytest.raises(services.AgencyError, match="court"):
        services.update_agency(admin, court, court.name, AgencyType.POLICE, court.territory)
    with pytest.raises(services.AgencyError, match="court"):
        services.update_agency(admin, court, court.name, AgencyType.MINISTRY, court.territory)
    services.update_agency(admin, court, "Сокулукский районный суд", AgencyType.COURT,
                           court.territory)
    assert court.name == "Сокулукский районный суд"


def test_hand_over_says_whether_it_leads_open_cases_never_which(user, agency):
    social = agency("SOKULUK-SOCIAL")
    expected = db.session.scalars(sa.select(Case.reference).where(
        Case.lead_agency_id == social.id, Case.status != CaseStatus.CLOSED)).all()
    hand_over = services.hand_over(user("admin"), social)
    assert expected and hand_over.cases is True
    assert hand_over.active_users == 1


def test_deactivation_page_shows_no_case_reference_nor_count(login_as, client, agency):
    """Issue 14: the administrator never sees which cases, nor how many."""
    login_as("admin")
    social = agency("SOKULUK-SOCIAL")
    page = client.get(f"/admin/agencies/{social.id}/deactivate").text
    led = db.session.scalars(sa.select(Case).where(
        Case.lead_agency_id == social.id, Case.status != CaseStatus.CLOSED)).all()
    assert led and not any(case.reference in page for case in led)
    assert "It leads open cases" in page
    assert not re.search(r"leads \d+ open|\d+ unfinished referral|\d+ open follow-up", page)
    people = db.session.scalars(sa.select(Person).where(
        Person.case_id.in_([case.id for case in led]))).all()
    for person in people:
        assert person.last_name not in page
    assert not any(case.survivor_code in page for case in led)
    assert not re.search(r'href="/cases/\d+"', page)


def test_deactivation_needs_the_hand_over_confirmed_then_locks_its_users_out(
        login_as, client, agency, user, browser):
    login_as("admin")
    social = agency("SOKULUK-SOCIAL")
    url = f"/admin/agencies/{social.id}/deactivate"
    refused = post_form(client, url, {})
    assert "Confirm that you know about the open work." in refused.text
    db.session.refresh(social)
    assert social.active
    done = post_form(client, url, {"handed_over": "y"})
    assert done.status_code == 302
    db.session.refresh(social)
    assert not social.active
    assert _audited(AuditAction.AGENCY_DEACTIVATED, social)
    assert login(browser(), "social.sokuluk").status_code == 200  # refused
    assert social not in lead_agency_candidates(user("coordinator.sokuluk"))


def test_an_agency_with_no_open_work_is_deactivated_without_the_checkbox(
        login_as, client, agency, user):
    login_as("admin")
    idle = services.create_agency(user("admin"), "KARASUU-EDU", "Школа", AgencyType.EDUCATION,
                                  agency("KARASUU-HEALTH").territory)
    db.session.commit()
    assert not services.hand_over(user("admin"), idle).anything_open
    assert post_form(client, f"/admin/agencies/{idle.id}/deactivate", {}).status_code == 302


def test_deactivating_a_signed_in_users_agency_ends_their_session(login_as, agency, user,
                                                                   browser):
    police = browser()
    login(police, "police.karasuu")
    assert police.get("/cases").status_code == 200
    services.deactivate_agency(user("admin"), agency("KARASUU-POLICE"))
    db.session.commit()
    assert police.get("/cases").headers["Location"].startswith("/login")


def test_admin_cannot_deactivate_their_own_agency(user):
    admin = user("admin")
    with pytest.raises(services.AgencyError, match="your own agency"):
        services.deactivate_agency(admin, admin.agency)


def test_reactivation(login_as, client, agency):
    login_as("admin")
    lsg = agency("KARASUU-LSG")
    lsg.active = False
    db.session.commit()
    assert post_form(client, f"/admin/agencies/{lsg.id}/reactivate", {}).status_code == 302
    db.session.refresh(lsg)
    assert lsg.active and _audited(AuditAction.AGENCY_REACTIVATED, lsg)


def test_new_agency_through_the_page(login_as, client):
    login_as("admin")
    chui = territory_by_code(CHUI_DISTRICT)
    response = post_form(client, "/admin/agencies/new", {
        "code": "CHUI-COMMITTEE", "name": "Комитет Чуйского района", "type": "committee",
        "territory": chui.id})
    assert response.status_code == 302
    created = db.session.scalar(sa.select(Agency).where(Agency.code == "CHUI-COMMITTEE"))
    assert created.territory_id == chui.id
    assert response.headers["Location"] == f"/admin/agencies/{created.id}"


@pytest.mark.parametrize("territory", ["", "99999999", "abc"])
def test_an_agency_outside_any_territory_is_refused_with_a_message(login_as, client,
                                                                   territory):
    login_as("admin")
    before = _agencies()
    response = post_form(client, "/admin/agencies/new", {
        "code": "CHUI-X", "name": "X", "type": "police", "territory": territory})
    assert response.status_code == 200
    assert ("Choose the territory the agency serves." in response.text
            or "Choose a value from the list." in response.text)
    assert _agencies() == before


def test_list_is_filtered_and_counts_active_users(login_as, client, agency):
    login_as("admin")
    page = client.get("/admin/agencies?type=police").text
    codes = re.findall(r">([A-Z-]+-POLICE)</a>", page)
    assert codes == ["KARASUU-POLICE", "SOKULUK-POLICE"]
    sokuluk = territory_by_code("41708222")
    page = client.get(f"/admin/agencies?territory={sokuluk.id}").text
    assert "KARASUU" not in page and "SOKULUK-CRISIS_CENTRE" in page
    page = client.get("/admin/agencies?q=gender").text
    assert re.findall(r">([A-Z_-]+)</a></td>", page) == ["MLSSM-GENDER"]
    assert client.get("/admin/agencies?status=inactive").text.count("/admin/agencies/") == 1


# --- the committees' directory -----------------------------------------------------------


def test_committee_sees_its_territorys_active_agencies_and_staff(login_as, client, agency,
                                                                 user, make_user):
    make_user("gone.sokuluk", "SOKULUK-POLICE").active = False
    agency("SOKULUK-LSG").active = False
    db.session.commit()
    login_as("coordinator.sokuluk")
    page = client.get("/directory").text
    assert "Бакыт Осмонов" in page  # police.sokuluk
    assert "Test gone.sokuluk" not in page
    assert agency("SOKULUK-LSG").name not in page
    assert "Кара-Сууского" not in page and "Улугбек Рахимов" not in page
    # The district court too: it works on no case, but the committee reaches it.
    assert agency("SOKULUK-COURT").name in page and "Асель Бейшеналиева" in page
    assert "6 active agencies" in page
    assert 'href="/admin/users' not in page.split('class="page"')[1]  # read-only


def test_directory_of_a_regional_committee_covers_its_districts(user):
    coordinator = user("coordinator.karasuu")
    coordinator.agency.territory = territory_by_code("41706")  # Osh region
    db.session.flush()
    codes = {a.code for a in services.directory(coordinator).items}
    assert "KARASUU-POLICE" in codes and "SOKULUK-POLICE" not in codes


def test_case_workers_have_no_directory(user):
    assert services.directory(user("police.sokuluk")).total == 0
    assert services.directory(user("admin")).total == 0


def test_a_directory_page_beyond_the_last_is_empty_not_an_error(login_as, client):
    login_as("coordinator.karasuu")
    response = client.get("/directory?page=9")
    assert response.status_code == 200
    assert "No agencies are registered" in response.text


def test_hand_over_tells_of_unfinished_referrals_and_open_follow_ups(user, agency):
    """Issue 4: a deactivated agency's open referrals and follow-ups are
    announced; issue 14: as yes or no, never counted."""
    from coordination.followups.models import FollowUp, FollowUpStatus
    from coordination.referrals.models import Referral, ReferralStatus

    social = agency("SOKULUK-SOCIAL")
    referrals = db.session.scalar(sa.select(sa.func.count(Referral.id)).where(
        Referral.to_agency_id == social.id, Referral.status.in_(
            [ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS])))
    follow_ups = db.session.scalar(sa.select(sa.func.count(FollowUp.id)).where(
        FollowUp.owner_agency_id == social.id, FollowUp.status == FollowUpStatus.OPEN))
    hand_over = services.hand_over(user("admin"), social)
    assert referrals > 0 and hand_over.referrals is True
    assert follow_ups > 0 and hand_over.follow_ups is True
