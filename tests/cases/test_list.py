"""The case list: scoped, newest first, paginated, filtered and searched."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.cases.models import Case
from coordination.extensions import db


def _references(html: str) -> list[str]:
    return re.findall(r">(DV-\d{4}-[0-9A-Z]{6})</a>", html)


def test_list_is_newest_first_and_paginated(login_as, user, app):
    client = login_as("coordinator.sokuluk")
    coordinator = user("coordinator.sokuluk")
    expected = db.session.scalars(
        policy.visible_cases(coordinator).with_only_columns(Case.reference)
        .order_by(Case.created_at.desc(), Case.id.desc())).all()
    per_page = app.config["CASES_PER_PAGE"]
    first = client.get("/cases")
    assert _references(first.text) == expected[:per_page]
    assert f"{len(expected)} cases" in first.text
    second = client.get("/cases?page=2")
    assert _references(second.text) == expected[per_page:2 * per_page]


def test_list_shows_survivor_codes_never_names(login_as, user):
    client = login_as("coordinator.sokuluk")
    page = client.get("/cases").text
    case = db.session.scalars(policy.visible_cases(user("coordinator.sokuluk"))
                              .order_by(Case.created_at.desc())).first()
    survivor = case.people[0]
    assert case.survivor_code in page
    assert survivor.first_name not in page
    assert survivor.phone not in page


def test_search_by_reference_and_survivor_code(login_as):
    client = login_as("coordinator.karasuu")
    case = db.session.scalars(
        sa.select(Case).join(Case.district).where(sa.text("territories.code = '41706226'"))
    ).first()
    by_reference = client.get("/cases", query_string={"q": case.reference.lower()})
    assert _references(by_reference.text) == [case.reference]
    # Cyrillic initials typed in lower case still find the code.
    by_code = client.get("/cases", query_string={"q": case.survivor_code.lower()})
    assert case.reference in _references(by_code.text)


def test_search_never_finds_other_districts_cases(login_as):
    client = login_as("coordinator.sokuluk")
    other = db.session.scalars(
        sa.select(Case).join(Case.district).where(sa.text("territories.code = '41706226'"))
    ).first()
    response = client.get("/cases", query_string={"q": other.reference})
    assert _references(response.text) == []
    assert "0 cases" in response.text


@pytest.mark.parametrize(("field", "value"), [("status", "closed"), ("risk", "high")])
def test_filters(login_as, field, value):
    client = login_as("coordinator.sokuluk")
    response = client.get("/cases", query_string={field: value})
    references = _references(response.text)
    assert references
    column = {"status": Case.status, "risk": Case.risk_level}[field]
    values = set(db.session.scalars(
        sa.select(column).where(Case.reference.in_(references))))
    assert values == {value}


@pytest.mark.parametrize(
    "query",
    [{"status": "bogus"}, {"district": "abc"}, {"district": "99999"}, {"risk": "x" * 5000},
     {"page": "abc"}, {"page": "-3"}, {"page": "100000"}, {"q": "\x00\x1f<script>"}],
)
def test_bad_filter_values_never_break_the_list(login_as, query):
    client = login_as("police.karasuu")
    response = client.get("/cases", query_string=query)
    assert response.status_code == 200
    assert "<script>" not in response.text
