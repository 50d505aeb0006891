"""The API respects the restricted person fields exactly as the pages do.

The fields are the policy's (``policy.RESTRICTED_PERSON_FIELDS``, read from
the columns marked contact or address), and who may see them is the
policy's ``VIEW_RESTRICTED``, the rule the case page asks. For a client of
every kind of demo agency, the case list and the case read must not carry a
restricted field, by its name or by its value under any other name, on a
case where the rule says no; where the rule says yes, every restricted field
the document declares is there. The document marks each of them optional and
nullable, as an agency that may not see them gets nothing.
"""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from marshmallow import fields

from coordination import policy
from coordination.agencies.models import Agency
from coordination.api import schemas
from coordination.api.models import Scope
from coordination.cases.models import Case, Person
from coordination.extensions import db
from coordination.models_base import PersonalKind
from coordination.public_ids import decode
from tests.api.conftest import bearer
from tests.helpers import pid

#: Case reads beyond the list, per agency: cases where the rule says yes, and no.
SAMPLE = 4
#: A demo agency of every type the demo has (test_every_demo_agency_type_is_checked).
AGENCIES = ["SOKULUK-COMMITTEE", "SOKULUK-POLICE", "SOKULUK-SOCIAL", "SOKULUK-LSG",
            "SOKULUK-HEALTH", "SOKULUK-CRISIS_CENTRE", "MLSSM-GENDER", "SOKULUK-COURT"]


def _restricted_values(case: Case) -> set[str]:
    return {value for person in case.people for name in policy.RESTRICTED_PERSON_FIELDS
            if (value := getattr(person, name))}


def _keys(body) -> set[str]:
    """Every key of a JSON body whose value is not null, at any depth."""
    if isinstance(body, dict):
        return {key for key, value in body.items() if value is not None} | {
            key for value in body.values() for key in _keys(value)}
    if isinstance(body, list):
        return {key for item in body for key in _keys(item)}
    return set()


def _declared(document: dict, schema_name: str) -> set[str]:
    """The restricted fields a component of the document declares, at any depth."""
    found, todo, seen = set(), [schema_name], set()
    components = document["components"]["schemas"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        text = json.dumps(components[name])
        found |= {field for field in policy.RESTRICTED_PERSON_FIELDS if f'"{field}"' in text}
        todo += [ref.split('"', 1)[0].rsplit("/", 1)[-1]
                 for ref in text.split('"$ref": "')[1:]]
    return found


def leaks(item: dict, case: Case, allowed: bool, declared: set[str]) -> list[str]:
    """What is wrong with one case as the API wrote it: a restricted field
    (by name, or by value under another name) where the rule says no, or a
    declared one missing where it says yes and the case has a value."""
    if not allowed:
        text = json.dumps(item, ensure_ascii=False)
        return ([f"field {name}" for name in _keys(item) & policy.RESTRICTED_PERSON_FIELDS]
                + [f"value {value!r}" for value in _restricted_values(case) if value in text])
    has_value = {name for person in case.people for name in declared
                 if getattr(person, name)}
    return [f"missing {name}" for name in has_value - _keys(item)]


def _check_client(api, token: str, service_user, document: dict) -> tuple[list, int]:
    """Every listed case and a sample of case reads; returns (problems, cases)."""
    declared = _declared(document, "CaseOut")
    problems, listed, cursor = [], [], None
    while True:
        page = api.get("/api/v1/cases?limit=100" + (f"&cursor={cursor}" if cursor else ""),
                       headers=bearer(token))
        assert page.status_code == 200, page.text
        listed += page.json["items"]
        cursor = page.json["next_cursor"]
        if cursor is None:
            break
    allowed_of = {}
    for item in listed:
        case = db.session.get(Case, decode("case", item["id"]))
        allowed_of[case.id] = policy.can(service_user, policy.Action.VIEW_RESTRICTED, case)
        problems += [(case.id, "list", p) for p in leaks(item, case, allowed_of[case.id],
                                                         declared)]
    for allowed in (True, False):
        for case_id in [i for i, yes in allowed_of.items() if yes is allowed][:SAMPLE]:
            read = api.get(f"/api/v1/cases/{pid(case_id, 'case')}", headers=bearer(token))
            assert read.status_code == 200
            case = db.session.get(Case, case_id)
            problems += [(case_id, "read", p) for p in leaks(read.json, case, allowed,
                                                             declared)]
    return problems, len(listed)


def test_the_restricted_fields_are_the_policys_contact_and_address_columns():
    marked = {column.key for column in Person.__table__.columns
              if "personal" in column.info and column.info["personal"].kind
              in (PersonalKind.CONTACT, PersonalKind.ADDRESS)}
    assert policy.RESTRICTED_PERSON_FIELDS == marked >= {"phone", "address"}


@pytest.mark.parametrize("code", AGENCIES)
def test_case_reads_carry_restricted_fields_only_where_the_policy_allows(
        code, api_client, browser, client):
    client_row, token = api_client(code, {Scope.READ_CASES})
    client_row.rate_per_minute = 1_000_000  # the limiter is tested on its own
    db.session.commit()
    document = client.get("/api/v1/openapi.json").json
    problems, listed = _check_client(browser(), token, client_row.service_user, document)
    assert problems == []
    works_on_cases = policy.works_on_cases(client_row.service_user)
    assert bool(listed) is works_on_cases
    if not works_on_cases:  # a case of the district answers as a missing one
        case_id = db.session.scalar(sa.select(Case.id).order_by(Case.id).limit(1))
        read = browser().get(f"/api/v1/cases/{pid(case_id, 'case')}", headers=bearer(token))
        assert read.status_code == 404


def test_every_demo_agency_type_is_checked(agency):
    """The parameters above are the demo's types, all of them."""
    types = set(db.session.scalars(sa.select(Agency.type).distinct()))
    assert sorted(agency(code).type for code in AGENCIES) == sorted(types)


def test_the_document_marks_restricted_fields_optional_and_nullable(client):
    assert openapi_problems(client.get("/api/v1/openapi.json").json) == []


def openapi_problems(document: dict) -> list[str]:
    """Restricted fields the document requires or declares never null."""
    problems = []
    for name, component in document["components"]["schemas"].items():
        required = set(component.get("required", []))
        for field, spec in component.get("properties", {}).items():
            if field not in policy.RESTRICTED_PERSON_FIELDS:
                continue
            if field in required:
                problems.append(f"{name}.{field} is required")
            if not spec.get("nullable"):
                problems.append(f"{name}.{field} is not nullable")
    return problems


# --- the checks have teeth: a serializer that leaks is caught ------------------------


def test_a_case_serializer_that_leaks_a_contact_is_caught(api_client, browser, client,
                                                        monkeypatch):
    """A field named otherwise (``contact``) carrying the survivor's phone."""

    class LeakingCaseOut(schemas.CaseOut):
        contact = fields.Function(lambda case: next(
            (person.phone for person in case.people if person.phone), None))

    monkeypatch.setattr(schemas, "CaseOut", LeakingCaseOut)
    client_row, token = api_client("SOKULUK-POLICE", {Scope.READ_CASES})
    client_row.rate_per_minute = 1_000_000
    db.session.commit()
    document = client.get("/api/v1/openapi.json").json
    problems, _listed = _check_client(browser(), token, client_row.service_user, document)
    assert problems and all("value" in problem for _id, _where, problem in problems)


def test_a_document_requiring_a_restricted_field_is_caught():
    document = {"components": {"schemas": {"PersonOut": {
        "properties": {"phone": {"type": "string"}, "address": {"type": "string",
                                                                "nullable": True}},
        "required": ["phone"]}}}}
    assert openapi_problems(document) == ["PersonOut.phone is required",
                                          "PersonOut.phone is not nullable"]


def test_a_restricted_field_by_name_is_caught():
    case = db.session.scalar(sa.select(Case).where(Case.people.any(Person.address.is_not(None)))
                             .limit(1))
    assert leaks({"people": [{"address": "x"}]}, case, False, set()) == ["field address"]
    assert leaks({"people": [{"address": None}]}, case, False, set()) == []
    # Where the rule says yes, a field the document declares must be there.
    assert leaks({"people": [{}]}, case, True, {"address"}) == ["missing address"]


def test_declared_fields_are_found_through_references():
    document = {"components": {"schemas": {
        "CaseOut": {"properties": {"people": {"type": "array", "items": {
            "$ref": "#/components/schemas/PersonOut"}}, "reference": {"type": "string"}}},
        "PersonOut": {"properties": {"safe_phone": {"type": "string", "nullable": True}}}}}}
    assert _declared(document, "CaseOut") == {"safe_phone"}
