"""Registering a case: the service's rules and the form, as users post it."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases import services
from coordination.cases.models import Case, PersonRole, Sex, ViolenceForm
from coordination.extensions import db
from coordination.public_ids import decode
from coordination.refusals import RuleBroken
from coordination.territories.services import territory_by_code
from tests.helpers import post_form

SOKULUK, KARASUU = "41708222", "41706226"


def _agency(code: str) -> Agency:
    return db.session.scalar(sa.select(Agency).where(Agency.code == code))


def _case_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Case.id)))


def intake_form(**overrides) -> dict:
    """A complete, valid intake as the browser posts it (Sokuluk)."""
    data = {
        "district": str(territory_by_code(SOKULUK).id),
        "municipality": "",
        "lead_agency": str(_agency("SOKULUK-SOCIAL").id),
        "survivor-last_name": "Асанова",
        "survivor-first_name": "Айгүл",
        "survivor-sex": "female",
        "survivor-birth_year": "1991",
        "survivor-phone": "+996 555 123456",
        "survivor-address": "Сокулук, ул. Манаса, 5",
        "perpetrator-last_name": "Асанов",
        "perpetrator-first_name": "Бакыт",
        "perpetrator-sex": "male",
        "perpetrator-birth_year": "1988",
        "perpetrator-relationship": "spouse",
        "children-0-first_name": "Нурбек",
        "children-0-last_name": "Асанов",
        "children-0-sex": "male",
        "children-0-birth_year": str(date.today().year - 7),
        "children-0-witnessed": "y",
        "incident-occurred_on": (date.today() - timedelta(days=1)).isoformat(),
        "incident-forms": ["physical", "psychological"],
        "incident-place": "shared_home",
        "incident-reported_by": "call_102_112",
        "incident-bride_kidnapping": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_coordinator_registers_a_case(login_as, user):
    client = login_as("coordinator.sokuluk")
    before = _case_count()
    response = post_form(client, "/cases/new", intake_form())
    assert response.status_code == 302
    token = re.match(r"/cases/([a-z2-7]{13})$", response.headers["Location"]).group(1)
    case_id = decode("case", token)
    assert _case_count() == before + 1

    case = db.session.get(Case, case_id)
    coordinator = user("coordinator.sokuluk")
    assert re.fullmatch(r"DV-\d{4}-[0-9A-HJKMNP-TV-Z]{6}", case.reference)
    assert case.survivor_code == "АА-1991"
    assert case.opening_agency_id == coordinator.agency_id
    assert case.lead_agency.code == "SOKULUK-SOCIAL"
    roles = sorted(person.role for person in case.people)
    # The child who witnessed the violence is recorded as a survivor.
    assert roles == sorted([PersonRole.SURVIVOR, PersonRole.ALLEGED_PERPETRATOR,
                            PersonRole.SURVIVOR])
    assert case.incidents[0].forms == [ViolenceForm.PHYSICAL, ViolenceForm.PSYCHOLOGICAL]
    assert [event.kind for event in case.timeline] == ["case_registered", "incident_recorded"]
    audited = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.CASE_CREATED, AuditEvent.object_id == case_id))
    assert audited.user_id == coordinator.id

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert case.reference in page.text
    assert "+996 555 123456" in page.text  # the committee sees restricted fields


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"incident-occurred_on": (date.today() + timedelta(days=2)).isoformat()},
         "The date cannot be in the future."),
        ({"incident-occurred_on": "2025-02-30"}, "Enter a valid date."),
        ({"survivor-birth_year": str(date.today().year + 1)},
         "A birth year cannot be in the future."),
        ({"survivor-birth_year": "nineteen"}, "Enter a whole number, e.g. 1990."),
        ({"incident-forms": None}, "Choose at least one form of violence."),
        ({"incident-forms": ["physical", "torture"]}, "Choose a value from the list."),
        ({"survivor-first_name": ""}, "Enter the first name."),
        ({"survivor-last_name": "x" * 101}, "Field cannot be longer than 100 characters."),
        ({"perpetrator-relationship": "stranger"}, "Choose a value from the list."),
        ({"children-1-first_name": "Айпери"}, "Enter the child's birth year."),
        ({"children-1-first_name": "Айпери", "children-1-birth_year": "2020",
          "children-1-sex": "female"}, "Enter the last name."),
        ({"children-0-birth_year": "1990"}, "A child is under 18"),
        ({"municipality": "abc"}, "Invalid Choice: could not coerce."),
    ],
)
def test_invalid_intake_shows_a_message_and_saves_nothing(login_as, overrides, message):
    client = login_as("coordinator.sokuluk")
    before = _case_count()
    response = post_form(client, "/cases/new", intake_form(**overrides))
    assert response.status_code == 200
    assert message in response.text
    assert _case_count() == before


def test_another_districts_values_are_refused(login_as):
    """Forged district and lead agency of Kara-Suu, posted by a Sokuluk user."""
    client = login_as("coordinator.sokuluk")
    before = _case_count()
    for forged in ({"district": str(territory_by_code(KARASUU).id)},
                   {"lead_agency": str(_agency("KARASUU-SOCIAL").id)},
                   {"district": "99999999"}):
        response = post_form(client, "/cases/new", intake_form(**forged))
        assert response.status_code == 200
        assert "Choose a value from the list." in response.text
    assert _case_count() == before


def test_forged_hidden_agency_fields_are_ignored(login_as, user):
    client = login_as("police.sokuluk")
    forged = intake_form(agency_id=str(_agency("KARASUU-POLICE").id),
                         opening_agency_id=str(_agency("KARASUU-POLICE").id),
                         created_by_id="1", lead_agency=str(_agency("SOKULUK-POLICE").id))
    response = post_form(client, "/cases/new", forged)
    assert response.status_code == 302
    case = db.session.get(Case, decode("case", response.headers["Location"].rsplit("/", 1)[1]))
    assert case.opening_agency.code == case.lead_agency.code == "SOKULUK-POLICE"
    assert case.created_by_id == user("police.sokuluk").id


def test_intake_without_csrf_is_refused(login_as):
    client = login_as("coordinator.sokuluk")
    before = _case_count()
    response = client.post("/cases/new", data=intake_form())
    assert response.status_code == 400
    assert _case_count() == before


@pytest.mark.parametrize("username", ["ministry.analyst", "admin"])
def test_ministry_and_admin_cannot_register(login_as, username):
    client = login_as(username)
    before = _case_count()
    page = client.get("/cases/new")
    assert page.status_code == 403
    token_page = client.get("/login")  # a page with a token for this session
    assert token_page.status_code == 302  # signed-in users are sent away from /login
    response = client.post("/cases/new", data=intake_form())
    assert response.status_code in (400, 403)
    assert _case_count() == before


# --- the service, directly ------------------------------------------------


def _intake(user, **changes) -> services.CaseIntake:
    district = territory_by_code(SOKULUK)
    intake = services.CaseIntake(
        district_id=district.id,
        lead_agency_id=user.agency_id,
        survivor=services.PersonData(PersonRole.SURVIVOR, "Осмонова", "Жылдыз", Sex.FEMALE, 1985),
        incident=services.IncidentData(
            occurred_on=date(2026, 1, 10), forms=[ViolenceForm.ECONOMIC],
            place="shared_home", reported_by="survivor"),
    )
    for key, value in changes.items():
        setattr(intake, key, value)
    return intake


def test_service_refuses_a_district_outside_the_users_territory(user):
    police = user("police.sokuluk")
    with pytest.raises(RuleBroken) as error:
        services.register_case(police, _intake(police, district_id=territory_by_code(KARASUU).id))
    assert error.value.field == "district"


def test_service_refuses_a_municipality_of_another_district(user):
    police = user("police.sokuluk")
    karasuu_municipality = territory_by_code(KARASUU + "001")
    with pytest.raises(RuleBroken) as error:
        services.register_case(police, _intake(police, municipality_id=karasuu_municipality.id))
    assert error.value.field == "municipality"


def test_service_refuses_users_who_do_not_work_on_cases(user):
    analyst = user("ministry.analyst")
    with pytest.raises(PermissionError):
        services.register_case(analyst, _intake(user("police.sokuluk")))


def test_service_refuses_a_future_incident_and_empty_forms(user):
    police = user("police.sokuluk")
    future = _intake(police)
    future.incident.occurred_on = date.today() + timedelta(days=1)
    with pytest.raises(RuleBroken):
        services.register_case(police, future)
    empty = _intake(police)
    empty.incident.forms = []
    with pytest.raises(RuleBroken):
        services.register_case(police, empty)


def test_references_are_unique_and_reveal_nothing(user):
    police = user("police.sokuluk")
    references = {services.register_case(police, _intake(police)).reference for _ in range(20)}
    assert len(references) == 20
    assert not any("ОСМ" in ref or "1985" in ref or "SOK" in ref for ref in references)


def test_control_characters_are_removed_before_saving(login_as):
    """PostgreSQL refuses NUL bytes; no name needs control characters."""
    client = login_as("coordinator.sokuluk")
    response = post_form(client, "/cases/new", intake_form(**{
        "survivor-first_name": " Ай\x00гүл\x1b ", "incident-info_log_number": "\x00"}))
    assert response.status_code == 302
    case = db.session.get(Case, decode("case", response.headers["Location"].rsplit("/", 1)[1]))
    assert case.people[0].first_name == "Айгүл"
    assert case.incidents[0].info_log_number is None
