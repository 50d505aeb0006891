"""The smaller things of issue 15, item 8: words that agree with the person's
sex, a child witness marked as such, an order in force that says so, and
timeline lines that say what they are about."""
from __future__ import annotations

from datetime import date, timedelta

from coordination.agencies.models import AgencyType
from coordination.cases import services as cases
from coordination.cases.models import PersonRole, Relationship, Sex, ViolenceForm
from coordination.consent.services import record_consents
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.protection import services as orders
from coordination.protection.models import OrderKind
from coordination.territories.services import territory_by_code
from tests.helpers import pid
from tests.workflow.conftest import NOW, new_case  # noqa: F401  (the fixture)


def _family_case(user, agency):
    """A woman, her husband, a daughter who witnessed the violence, a son who did not."""
    intake = cases.CaseIntake(
        district_id=territory_by_code("41708222").id,
        lead_agency_id=agency("SOKULUK-SOCIAL").id,
        survivor=cases.PersonData(PersonRole.SURVIVOR, "Жумабаева", "Айжан", Sex.FEMALE, 1990),
        perpetrator=cases.PersonData(PersonRole.ALLEGED_PERPETRATOR, "Жумабаев", "Бакыт",
                                     Sex.MALE, 1986,
                                     relationship_to_survivor=Relationship.SPOUSE),
        children=[cases.PersonData(PersonRole.SURVIVOR, "Жумабаева", "Айя", Sex.FEMALE, 2016),
                  cases.PersonData(PersonRole.CHILD, "Жумабаев", "Нурбек", Sex.MALE, 2019)],
        incident=cases.IncidentData(occurred_on=date(2026, 11, 18),
                                    forms=[ViolenceForm.PHYSICAL], place="shared_home",
                                    reported_by="survivor"))
    case = cases.register_case(user("coordinator.sokuluk"), intake, now=NOW)
    db.session.commit()
    return case


def _section(page: str, key: str) -> str:
    rest = page[page.index(f'id="{key}"'):]
    return rest[:rest.index("</section>")]


def test_labels_agree_with_the_persons_sex_in_russian_and_kyrgyz(user, agency, login_as):
    case = _family_case(user, agency)
    client = login_as("social.sokuluk")
    people = _section(client.get(f"/cases/{pid(case)}?lang=ru").text, "people")
    assert "Пострадавшая" in people and "Пострадавший" not in people
    assert "Супруг<" in people  # her husband: not «Супруг (супруга)»
    assert "Мальчик" in people
    incidents = _section(client.get(f"/cases/{pid(case)}?lang=ru").text, "incidents")
    assert "Сама пострадавшая" in incidents
    people = _section(client.get(f"/cases/{pid(case)}?lang=ky").text, "people")
    assert "Күйөөсү" in people and "Уул бала" in people
    people = _section(client.get(f"/cases/{pid(case)}?lang=en").text, "people")
    assert "Spouse" in people and "Survivor" in people


def test_a_child_witness_is_marked_and_the_survivor_is_not(user, agency, login_as):
    case = _family_case(user, agency)
    survivor, _husband, daughter, son = case.people
    assert daughter.child_witness and not survivor.child_witness and not son.child_witness
    people = _section(login_as("social.sokuluk").get(f"/cases/{pid(case)}?lang=en").text,
                      "people")
    rows = people.split("<tr>")[2:]
    marked = [row for row in rows if "child who witnessed the violence" in row]
    assert len(marked) == 1 and "Айя" in marked[0]


def test_an_order_in_force_reads_as_in_force(user, agency, login_as, new_case):  # noqa: F811
    case = new_case(opened_by="police.sokuluk")
    orders.record_order(user("police.sokuluk"), case, orders.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=utcnow() - timedelta(hours=2),
        prohibitions={"prohibits_violence"}))
    db.session.commit()
    client = login_as("police.sokuluk")
    section = _section(client.get(f"/cases/{pid(case)}?lang=ru").text, "orders")
    assert "Действует" in section and "В работе" not in section
    section = _section(client.get(f"/cases/{pid(case)}?lang=ky").text, "orders")
    assert "Күчүндө" in section
    assert "In force" in _section(client.get(f"/cases/{pid(case)}?lang=en").text, "orders")


def test_timeline_lines_say_what_they_are_about(user, agency, login_as, new_case):  # noqa: F811
    case = new_case()
    record_consents(user("coordinator.sokuluk"), case, [AgencyType.POLICE, AgencyType.SOCIAL],
                    True)
    db.session.commit()
    client = login_as("coordinator.sokuluk")
    timeline = _section(client.get(f"/cases/{pid(case)}?lang=en").text, "timeline")
    # One line for what was given at once, naming it.
    assert timeline.count("Consent recorded") == 1
    assert "Covers: Police, Social protection, Counting in anonymized statistics" in timeline
    timeline = _section(client.get(f"/cases/{pid(case)}?lang=ru").text, "timeline")
    assert "Распространяется на: Милиция" in timeline
