"""Reference data: territory names in three languages; municipalities added,
retired and reinstated without breaking the cases that name them."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import Case
from coordination.cases.services import municipality_choices
from coordination.extensions import db
from coordination.territories import services
from coordination.territories.services import Names, territory_by_code
from tests.helpers import pid, post_form

SOKULUK = "41708222"


def _audited(action: AuditAction) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == action))


def test_names_are_corrected_in_three_languages_and_audited(user):
    district = territory_by_code(SOKULUK)
    admin = user("admin")
    names = Names(" Sokuluk district ", "Сокулукский р-н", "Сокулук р-ну")
    services.rename_territory(admin, district, names)
    assert (district.name_en, district.name("ru"), district.name("ky")) == (
        "Sokuluk district", "Сокулукский р-н", "Сокулук р-ну")
    services.rename_territory(admin, district, names)  # unchanged: not audited again
    assert _audited(AuditAction.TERRITORY_RENAMED) == 1


def test_a_name_cannot_be_left_empty(user):
    with pytest.raises(services.TerritoryError) as refused:
        services.rename_territory(user("admin"), territory_by_code(SOKULUK),
                                  Names("Sokuluk", "", "Сокулук"))
    assert refused.value.field == "name_ru"


def test_municipality_added_under_a_district_is_offered_for_new_cases(user):
    coordinator = user("coordinator.sokuluk")
    added = services.add_municipality(user("admin"), territory_by_code(SOKULUK), "41708222005",
                                      Names("Zhany-Pakhta", "Жаны-Пахта", "Жаңы-Пахта"))
    assert added.parent.code == SOKULUK and added.active
    assert added in municipality_choices(coordinator)
    assert _audited(AuditAction.MUNICIPALITY_ADDED) == 1


@pytest.mark.parametrize(
    ("code", "message"),
    [("41708222001", "The code 41708222001 is taken."),
     ("41706226001", "start with the district's code 41708222"),
     ("41708222", "start with the district's code"),
     ("4170822200x", "start with the district's code")],
)
def test_bad_municipality_codes_are_refused(user, code, message):
    with pytest.raises(services.TerritoryError, match=message):
        services.add_municipality(user("admin"), territory_by_code(SOKULUK), code,
                                  Names("A", "Б", "В"))


def test_municipalities_are_added_to_districts_only(user):
    with pytest.raises(services.TerritoryError):
        services.add_municipality(user("admin"), territory_by_code("41708"), "41708999",
                                  Names("A", "Б", "В"))


def test_retired_municipality_stays_on_its_cases_and_is_not_offered(login_as, client, user):
    municipality = territory_by_code("41708222002")
    coordinator = user("coordinator.sokuluk")
    case = db.session.scalar(sa.select(Case).where(Case.municipality_id == municipality.id))
    services.set_municipality_active(user("admin"), municipality, False)
    db.session.commit()
    assert municipality not in municipality_choices(coordinator)
    login_as("coordinator.sokuluk")
    assert municipality.name_en in client.get(f"/cases/{pid(case)}?lang=en").text
    services.set_municipality_active(user("admin"), municipality, True)
    assert municipality in municipality_choices(coordinator)
    assert _audited(AuditAction.MUNICIPALITY_RETIRED) == 1
    assert _audited(AuditAction.MUNICIPALITY_REINSTATED) == 1


def test_only_administrators_maintain_reference_data(user):
    with pytest.raises(PermissionError):
        services.set_municipality_active(user("coordinator.sokuluk"),
                                         territory_by_code("41708222002"), False)


def test_pages_add_rename_retire(login_as, client):
    login_as("admin")
    district = territory_by_code(SOKULUK)
    response = post_form(client, f"/admin/territories/{district.id}/municipalities/new", {
        "code": "41708222009", "name_ky": "Асылбаш", "name_ru": "Асылбаш",
        "name_en": "Asylbash"})
    assert response.status_code == 302
    added = territory_by_code("41708222009")
    assert "Asylbash" in client.get(f"/admin/territories/{district.id}").text
    response = post_form(client, f"/admin/territories/{added.id}", {
        "name_ky": "Асыл-Баш", "name_ru": "Асыл-Баш", "name_en": "Asyl-Bash"})
    assert response.status_code == 302
    assert post_form(client, f"/admin/territories/{added.id}/retire", {}).status_code == 302
    db.session.refresh(added)
    assert (added.name_en, added.active) == ("Asyl-Bash", False)
    taken = post_form(client, f"/admin/territories/{district.id}/municipalities/new", {
        "code": "41708222009", "name_ky": "x", "name_ru": "x", "name_en": "x"})
    assert "The code 41708222009 is taken." in taken.text


def test_territory_list_counts_municipalities_in_one_query(user):
    rows = {t.code: (active, retired) for t, active, retired in
            services.regions_and_districts()}
    assert rows[SOKULUK] == (4, 0)
    assert "41708222001" not in rows
