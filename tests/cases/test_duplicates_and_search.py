"""The duplicate guard and the case search, both inside what the policy allows."""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases import services
from coordination.cases.duplicates import SurvivorKey, check_duplicates
from coordination.cases.models import Case, PersonRole, Sex, ViolenceForm
from coordination.extensions import db
from coordination.territories.services import territory_by_code
from tests.cases.test_intake import KARASUU, SOKULUK, _agency, _case_count, intake_form
from tests.helpers import post_form


def _register(user, last="Өмүрбекова", first="Айгүл", year=1990, lead=None, register=None,
              info_log=None) -> Case:
    intake = services.CaseIntake(
        district_id=territory_by_code(SOKULUK).id,
        lead_agency_id=lead or user.agency_id,
        survivor=services.PersonData(PersonRole.SURVIVOR, last, first, Sex.FEMALE, year),
        incident=services.IncidentData(
            occurred_on=date(2026, 1, 10), forms=[ViolenceForm.ECONOMIC],
            place="shared_home", reported_by="survivor",
            crime_register_number=register, info_log_number=info_log),
    )
    return services.register_case(user, intake)


def _key(last="Omurbekova", first="Aigul", year=1990, patronymic=None, district=SOKULUK):
    return SurvivorKey(last, first, patronymic, year, territory_by_code(district).id)


def test_a_visible_match_is_shown_with_its_reference(user):
    police = user("police.sokuluk")
    case = _register(police)
    for spelling in ("Omurbekova", "Омурбекова", "Өмүрбекова"):
        check = check_duplicates(police, _key(last=spelling))
        assert check.visible == [case]
        assert check.hidden_districts == []


def test_an_invisible_match_names_only_the_district(user):
    case = _register(user("police.sokuluk"))
    health = user("health.sokuluk")  # not involved, not the committee
    check = check_duplicates(health, _key())
    assert check.visible == []
    assert [district.id for district in check.hidden_districts] == [case.district_id]
    audited = db.session.scalars(sa.select(AuditEvent.object_id).where(
        AuditEvent.action == AuditAction.DUPLICATE_CHECKED,
        AuditEvent.user_id == health.id)).all()
    assert audited == [case.id]


def test_other_year_other_district_or_other_patronymic_do_not_match(user):
    police = user("police.sokuluk")
    case = _register(police)
    case.people[0].patronymic = "Бакытовна"
    case.people[0].name_key = "omurbekova aigul bakitovna"
    db.session.flush()
    assert not check_duplicates(police, _key(year=1991)).found
    assert not check_duplicates(police, _key(district=KARASUU)).found
    assert not check_duplicates(police, _key(patronymic="Nurlanovna")).found
    assert check_duplicates(police, _key(patronymic="Bakytovna")).visible == [case]
    assert check_duplicates(police, _key()).visible == [case]  # patronymic unknown now


def test_intake_warns_and_registers_only_when_confirmed(login_as, user):
    _register(user("police.sokuluk"), last="Асанова", first="Айгүл", year=1991,
              lead=_agency("SOKULUK-POLICE").id)
    client = login_as("health.sokuluk")
    before = _case_count()
    data = intake_form(lead_agency=str(_agency("SOKULUK-HEALTH").id))
    page = post_form(client, "/cases/new", data)
    assert page.status_code == 200
    assert "A case for this person may exist; contact the committee of Sokuluk" in page.text
    assert "DV-" not in page.text  # no reference of the invisible case
    assert _case_count() == before
    confirmed = post_form(client, "/cases/new", {**data, "different_person": "y"})
    assert confirmed.status_code == 302
    assert _case_count() == before + 1


def test_intake_shows_a_visible_match_with_its_reference(login_as, user):
    case = _register(user("coordinator.sokuluk"), last="Asanova", first="Aigul", year=1991)
    client = login_as("coordinator.sokuluk")
    page = post_form(client, "/cases/new", intake_form())
    assert page.status_code == 200
    assert case.reference in page.text


def _found(client, text):
    """The references the case list shows for ``text`` (as links, not the echoed query)."""
    page = client.get("/cases", query_string={"q": text}).text
    return re.findall(r'">(DV-[0-9]{4}-[0-9A-Z]+)</a>', page)


def test_search_by_part_of_reference_register_number_and_name(login_as, user):
    police = user("police.sokuluk")
    case = _register(police, register="02-777-2026-001234", info_log="ИЛ-55501")
    client = login_as("police.sokuluk")
    middle = case.reference[5:10]
    for text in (case.reference, middle, case.reference[-4:].lower(), "777-2026-0012",
                 "55501", "Omurbekova", "омурбекова айгул", "Aigul Omurbek"):
        assert case.reference in _found(client, text), text
    assert case.reference not in _found(client, "Osmonova")


def test_search_never_finds_an_invisible_case(login_as, user):
    case = _register(user("police.sokuluk"), register="02-777-2026-009999")
    client = login_as("health.sokuluk")
    for text in (case.reference, "02-777-2026-009999", "Omurbekova"):
        assert case.reference not in _found(client, text)


def test_a_like_wildcard_in_the_text_is_taken_literally(user):
    police = user("police.sokuluk")
    _register(police)
    assert services.count_cases(police, services.CaseFilters(query="Omurbekova")) >= 1
    for text in ("%", "_", "\\"):
        assert services.count_cases(police, services.CaseFilters(query=text)) == 0, text
