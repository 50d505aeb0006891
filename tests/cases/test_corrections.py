"""Corrections with history (issue 15, item 3): an incident's date, place,
forms and flags corrected after intake; a person added at any time; the
contacts corrected. Each by who may, against the version the page showed,
with the old and new values in the timeline, the fields in the audit, and
the statistics layer equal to a recount afterwards."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases import corrections
from coordination.cases import services as cases
from coordination.cases.models import IncidentPlace, PersonRole, Reporter, Sex, ViolenceForm
from coordination.extensions import db
from coordination.statistics import layer
from coordination.statistics.models import StatisticalRecord
from tests.helpers import csrf_token, login, pid
from tests.workflow.conftest import NOW, new_case  # noqa: F401  (the fixture)


def _incident_body(page: str, incident, **changes) -> dict:
    prefix = f"incident{incident.id}-incident-"
    body = {"csrf_token": csrf_token(page), f"incident{incident.id}-version": incident.version,
            prefix + "occurred_on": incident.occurred_on.isoformat(),
            prefix + "place": incident.place.value,
            prefix + "reported_by": incident.reported_by.value,
            prefix + "forms": [f.value for f in incident.forms]}
    for name in ("bride_kidnapping", "forced_marriage", "early_marriage"):
        if getattr(incident, name):
            body[prefix + name] = "y"
    body.update({prefix + name: value for name, value in changes.items()})
    return body


def _units(case, unit: str) -> list:
    table = StatisticalRecord.__table__
    return list(db.session.execute(sa.select(table).where(
        table.c.case_id == case.id, table.c.unit == unit)))


def test_correct_an_incident_with_old_and_new_values_and_the_layer_kept(
        new_case, login_as, app):  # noqa: F811
    case = new_case()
    incident = case.incidents[0]
    assert layer.differences([case.id]) == 0
    client = login_as("social.sokuluk")  # the lead agency
    page = client.get(f"/cases/{pid(case)}").text
    url = f"/cases/incidents/{pid(incident)}/correct"
    # The page links the incident's correction; the link draws its form alone.
    assert url not in page and f"?correct_incident={pid(incident)}#correct-incident" in page
    page = client.get(f"/cases/{pid(case)}?correct_incident={pid(incident)}").text
    assert page.count('action="/cases/incidents/') == 1 and url in page
    body = _incident_body(page, incident, occurred_on="2026-11-16", place="public_place",
                          forms=["physical", "sexual"], early_marriage="y")
    response = client.post(url, data=body)
    assert response.status_code == 302 and response.location.endswith("#incidents")
    db.session.expire_all()
    assert incident.occurred_on == date(2026, 11, 16)
    assert incident.place == IncidentPlace.PUBLIC_PLACE
    assert incident.forms == [ViolenceForm.PHYSICAL, ViolenceForm.SEXUAL]
    assert incident.early_marriage and incident.version == 2
    # The timeline: the old and new values, in the reader's language.
    page = client.get(f"/cases/{pid(case)}?lang=ru").text
    timeline = page[page.index('id="timeline"'):]
    assert "Инцидент исправлен" in timeline
    assert "Место: Совместное жильё → Общественное место" in timeline
    assert "Физическое → Физическое, Сексуальное" in timeline
    assert "Ранний брак: нет → да" in timeline
    # The audit: the fields, never their values.
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.INCIDENT_CORRECTED,
        AuditEvent.object_id == incident.id)).one()
    assert event.fields == "occurred_on, place, forms, early_marriage"
    # The statistics layer follows: a recount finds nothing different, and
    # the records carry the corrected forms and flag.
    assert layer.differences([case.id]) == 0 and layer.differences() == 0
    assert len(_units(case, "form")) == 2 and _units(case, "flag")
    result = app.test_cli_runner().invoke(args=["statistics", "check"])
    assert result.exit_code == 0, result.output
    # The same page posted again is stale: nothing is saved over the correction.
    client.get("/profile?lang=en")
    response = client.post(url, data={**body, f"incident{incident.id}-incident-place":
                                      "workplace"}, follow_redirects=True)
    assert "Someone changed this" in response.text
    db.session.expire_all()
    assert incident.place == IncidentPlace.PUBLIC_PLACE and incident.version == 2


def test_a_change_of_the_forms_alone_takes_a_new_version(new_case, user):  # noqa: F811
    case = new_case()
    incident = case.incidents[0]
    data = cases.IncidentData(occurred_on=incident.occurred_on,
                              forms=[ViolenceForm.PSYCHOLOGICAL],
                              place=incident.place, reported_by=incident.reported_by)
    assert corrections.correct_incident(user("social.sokuluk"), incident, data, 1,
                                        now=NOW) == ["forms"]
    db.session.commit()
    assert incident.version == 2 and incident.forms == [ViolenceForm.PSYCHOLOGICAL]
    assert layer.differences([case.id]) == 0


def test_the_repeat_mark_follows_a_corrected_date(new_case, user):  # noqa: F811
    case = new_case()
    coordinator = user("coordinator.sokuluk")
    later = cases.record_incident(coordinator, case, cases.IncidentData(
        occurred_on=date(2026, 11, 19), forms=[ViolenceForm.THREAT],
        place=IncidentPlace.SHARED_HOME, reported_by=Reporter.NEIGHBOUR), now=NOW)
    db.session.commit()
    assert case.is_repeat
    first = case.incidents[0]
    corrections.correct_incident(coordinator, first, cases.IncidentData(
        occurred_on=date(2024, 3, 1), forms=first.forms, place=first.place,
        reported_by=first.reported_by), first.version, now=NOW)
    db.session.commit()
    assert not case.is_repeat and later.version == 1
    assert layer.differences([case.id]) == 0


def test_who_may_correct_an_incident(new_case, user, agency):  # noqa: F811
    from coordination import policy
    from coordination.referrals.models import LegalGround, Priority, ReferralService
    from coordination.referrals.services import move_referral, send_referral

    case = new_case()
    incident = case.incidents[0]
    can = policy.can
    for keeper in ("social.sokuluk", "coordinator.sokuluk"):  # lead, committee (opened it)
        assert can(user(keeper), policy.Action.CORRECT_INCIDENT, incident)
    police = user("police.sokuluk")
    assert not can(police, policy.Action.CORRECT_INCIDENT, incident)  # not involved
    referral = send_referral(user("coordinator.sokuluk"), case, agency("SOKULUK-POLICE").id,
                             ReferralService.POLICE_PROTECTION, Priority.URGENT,
                             LegalGround.DANGER_TO_LIFE, now=NOW)
    move_referral(police, referral, "accept", referral.version, now=NOW)
    db.session.commit()
    # Involved now, the police may not correct what the committee recorded,
    # but may correct the incident they record themselves.
    assert not can(police, policy.Action.CORRECT_INCIDENT, incident)
    own = cases.record_incident(police, case, cases.IncidentData(
        occurred_on=date(2026, 11, 19), forms=[ViolenceForm.PHYSICAL],
        place=IncidentPlace.SHARED_HOME, reported_by=Reporter.POLICE_PATROL), now=NOW)
    db.session.commit()
    assert can(police, policy.Action.CORRECT_INCIDENT, own)


def test_an_incident_correction_refused_by_the_rules_changes_nothing(
        new_case, login_as):  # noqa: F811
    case = new_case()
    incident = case.incidents[0]
    client = login_as("social.sokuluk")
    page = client.get(f"/cases/{pid(case)}?correct_incident={pid(incident)}").text
    url = f"/cases/incidents/{pid(incident)}/correct"
    for changes, message in (({"forms": []}, "Choose at least one form of violence."),
                             ({"occurred_on": "2099-01-01"}, "future"),
                             ({}, "Nothing was changed.")):
        response = client.post(url, data=_incident_body(page, incident, **changes),
                               follow_redirects=True)
        assert response.status_code == 200 and message in response.text, changes
        db.session.expire_all()
        assert incident.version == 1 and incident.forms == [ViolenceForm.PHYSICAL]


# --- people: added at any time, contacts corrected ---------------------------------------


def test_correcting_the_survivor_keeps_her_code_and_the_search_current(
        new_case, login_as, user):  # noqa: F811
    case = new_case()
    survivor = case.people[0]
    client = login_as("social.sokuluk")
    page = client.get(f"/cases/{pid(case)}").text
    response = client.post(f"/cases/people/{pid(survivor)}/correct", data={
        "csrf_token": csrf_token(page), "version": survivor.version,
        "last_name": "Токтогулова", "first_name": "Айжан", "patronymic": "",
        "sex": "female", "birth_year": 1991, "relationship": "",
        "phone": "+996 555 000111", "address": "Кризисный центр"})
    assert response.status_code == 302
    db.session.expire_all()
    assert case.survivor_code == "АТ-1991"
    assert survivor.phone == "+996 555 000111" and survivor.address == "Кризисный центр"
    found = cases.list_cases(user("social.sokuluk"), cases.CaseFilters(query="Токтогулова"))
    assert case.id in [c.id for c in found.items]
    # The contacts' values never reach the timeline everyone on the case reads.
    page = client.get(f"/cases/{pid(case)}").text
    timeline = page[page.index('id="timeline"'):]
    assert "+996 555 000111" not in timeline and "Кризисный центр" not in timeline
    assert "Phone: changed" in timeline
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.PERSON_CORRECTED)).one()
    assert event.fields == "last_name, birth_year, phone, address"


def test_the_survivor_keeps_a_birth_year(new_case, login_as):  # noqa: F811
    case = new_case()
    survivor = case.people[0]
    client = login_as("social.sokuluk")
    page = client.get(f"/cases/{pid(case)}").text
    response = client.post(f"/cases/people/{pid(survivor)}/correct", data={
        "csrf_token": csrf_token(page), "version": survivor.version,
        "last_name": survivor.last_name, "first_name": survivor.first_name,
        "sex": "female", "birth_year": "", "relationship": ""}, follow_redirects=True)
    assert "Enter the birth year" in response.text
    db.session.expire_all()
    assert survivor.birth_year == 1990 and survivor.version == 1


def test_a_person_added_months_later_reaches_the_layer(new_case, user):  # noqa: F811
    case = new_case()
    corrections.add_person(user("coordinator.sokuluk"), case, cases.PersonData(
        PersonRole.CHILD, "Жумабаева", "Айя", Sex.FEMALE, 2019))
    db.session.commit()
    assert layer.differences([case.id]) == 0



def test_the_case_page_draws_one_persons_correction_form_when_asked(
        new_case, login_as, browser, user, agency):  # noqa: F811
    """Each person has a link to their correction form, which the case page
    draws alone (``?correct=<person>``); nothing else asked for draws one."""
    from coordination import policy
    from coordination.referrals.models import LegalGround, Priority, ReferralService
    from coordination.referrals.services import move_referral, send_referral

    case, other = new_case(), new_case()
    db.session.commit()
    survivor = case.people[0]
    client = login_as("social.sokuluk")  # the lead agency
    page = client.get(f"/cases/{pid(case)}").text
    assert 'action="/cases/people/' not in page  # no form drawn, folded or not
    for person in case.people:
        assert f'href="/cases/{pid(case)}?correct={pid(person)}#correct-person"' in page
    opened = client.get(f"/cases/{pid(case)}?correct={pid(survivor)}").text
    assert opened.count('action="/cases/people/') == 1
    form = opened[opened.index('id="correct-person"'):]
    form = form[:form.index("</form>")]
    assert f'name="version" value="{survivor.version}"' in form
    assert f'value="{survivor.last_name}"' in form and 'name="phone"' in form
    # The form it draws is the one the correction takes, version check included.
    body = {"csrf_token": csrf_token(opened), "version": survivor.version,
            "last_name": "Сыдыкова", "first_name": survivor.first_name, "patronymic": "",
            "sex": "female", "birth_year": survivor.birth_year or "", "relationship": "",
            "phone": "", "address": ""}
    url = f"/cases/people/{pid(survivor)}/correct"
    assert client.post(url, data=body).status_code == 302
    stale = client.post(url, data={**body, "last_name": "Другая"}, follow_redirects=True)
    assert "Someone changed this" in stale.text
    # Not a person of this case, not a person's token at all: the page, no form.
    for wanted in (pid(other.people[0]), pid(case.incidents[0]), "nonsense", "a" * 300):
        response = client.get(f"/cases/{pid(case)}", query_string={"correct": wanted})
        assert response.status_code == 200
        assert 'action="/cases/people/' not in response.text, wanted
    # Who sees the case but may not correct its people gets neither link nor form.
    police = user("police.sokuluk")
    referral = send_referral(user("social.sokuluk"), case, agency("SOKULUK-POLICE").id,
                             ReferralService.POLICE_PROTECTION, Priority.URGENT,
                             LegalGround.DANGER_TO_LIFE, now=NOW)
    move_referral(police, referral, "accept", referral.version, now=NOW)
    db.session.commit()
    assert not policy.can(police, policy.Action.CORRECT_PEOPLE, case)
    police_client = browser()
    assert login(police_client, "police.sokuluk").status_code == 302
    police_page = police_client.get(f"/cases/{pid(case)}?correct={pid(survivor)}").text
    assert "#correct-person" not in police_page and 'action="/cases/people/' not in police_page
