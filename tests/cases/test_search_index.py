"""The search index follows the case records (SQLite's FTS5 table is kept by
triggers; PostgreSQL's trigram indexes by the database itself)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.cases import services
from coordination.cases.models import Incident, Person
from coordination.extensions import db
from tests.cases.test_duplicates_and_search import _register

TRIGGERS = {f"case_search_{name}" for name in (
    "case_added", "case_changed", "case_removed", "incident_added", "incident_changed",
    "incident_moved", "incident_removed", "person_added", "person_changed", "person_moved",
    "person_removed")}


def _sqlite_only():
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("the FTS5 table and its triggers are SQLite's")


def _row(case_id: int) -> tuple[str, str] | None:
    return db.session.execute(sa.text(
        "SELECT refs, names FROM case_search WHERE rowid = :id"), {"id": case_id}).one_or_none()


def test_every_trigger_is_there_after_the_migrations():
    """A later batch migration of cases, incidents or people (SQLite copies
    the table) would drop its triggers silently; this test says so."""
    _sqlite_only()
    found = set(db.session.scalars(sa.text(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'case_search_%'")))
    assert found == TRIGGERS


def test_the_index_follows_registration_corrections_and_retention(user):
    _sqlite_only()
    police = user("police.sokuluk")
    case = _register(police, register="02-777-2026-004321", info_log="ИЛ-77001")
    db.session.flush()
    refs, names = _row(case.id)
    assert case.reference in refs and "02-777-2026-004321" in refs and "ИЛ-77001" in refs
    assert case.survivor_code in refs and "omurbekova aigul" in names
    incident = db.session.scalar(sa.select(Incident).where(Incident.case_id == case.id))
    incident.info_log_number = "ИЛ-90909"
    person = db.session.scalar(sa.select(Person).where(Person.case_id == case.id))
    person.name_key = "osmonova nurgul"
    db.session.flush()
    refs, names = _row(case.id)
    assert "ИЛ-90909" in refs and "ИЛ-77001" not in refs
    assert names == "osmonova nurgul"
    assert services.count_cases(police, services.CaseFilters(query="Osmonova")) >= 1
    assert services.count_cases(police, services.CaseFilters(query="90909")) == 1
    assert services.count_cases(police, services.CaseFilters(query="77001")) == 0


def test_the_index_holds_every_case_once():
    _sqlite_only()
    counts = db.session.execute(sa.text(
        "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_search)")).one()
    assert counts[0] == counts[1] > 0
