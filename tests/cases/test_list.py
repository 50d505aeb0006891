"""The case list: scoped, newest first, paginated, filtered and searched."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.cases.models import Case, CaseStatus
from coordination.extensions import db
from coordination.public_ids import encode


def _references(html: str) -> list[str]:
    return re.findall(r">(DV-\d{4}-[0-9A-Z]{6})</a>", html)


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_list_is_newest_first_and_paginated_by_keyset(login_as, user, app):
    client = login_as("coordinator.sokuluk")
    coordinator = user("coordinator.sokuluk")
    expected = db.session.scalars(
        policy.visible_cases(coordinator).with_only_columns(Case.reference)
        .order_by(Case.created_at.desc(), Case.id.desc())).all()
    per_page = app.config["CASES_PER_PAGE"]
    assert len(expected) > 2 * per_page
    first = client.get("/cases")
    assert _references(first.text) == expected[:per_page]
    assert f"{len(expected)} cases" in first.text
    assert _link(first.text, "prev") is None
    second = client.get(_link(first.text, "next"))
    assert _references(second.text) == expected[per_page:2 * per_page]
    third = client.get(_link(second.text, "next"))
    assert _references(third.text) == expected[2 * per_page:3 * per_page]
    # Back from the third page: the second again, then the first (no previous).
    back = client.get(_link(third.text, "prev"))
    assert _references(back.text) == expected[per_page:2 * per_page]
    newest = client.get(_link(back.text, "prev"))
    assert _references(newest.text) == expected[:per_page]
    assert _link(newest.text, "prev") is None


def test_the_walk_reaches_every_case_once_with_the_filter_kept(login_as, user):
    client = login_as("coordinator.sokuluk")
    expected = db.session.scalars(
        policy.visible_cases(user("coordinator.sokuluk")).with_only_columns(Case.reference)
        .where(Case.status == CaseStatus.CLOSED)
        .order_by(Case.created_at.desc(), Case.id.desc())).all()
    seen, url = [], "/cases?status=closed"
    while url:
        page = client.get(url)
        seen += _references(page.text)
        url = _link(page.text, "next")
        assert url is None or "status=closed" in url
    assert seen == expected


def test_cursors_are_opaque_and_carry_no_reference_or_page_number(login_as, user):
    client = login_as("coordinator.sokuluk")
    first = client.get("/cases")
    link = _link(first.text, "next")
    cursor = re.search(r"after=([a-z2-7]+)$", link).group(1)
    last = _references(first.text)[-1]
    case = db.session.scalar(sa.select(Case).where(Case.reference == last))
    assert str(case.id) not in cursor and last not in link and "page=" not in link
    # A case's cursor does not open its page, nor a case page token serve as a cursor.
    assert client.get(f"/cases/{cursor}").status_code == 404
    assert _references(client.get(f"/cases?after={encode('case', case.id)}").text) \
        == _references(first.text)


def test_the_count_stops_at_the_cap(login_as, monkeypatch):
    from coordination.cases import services

    monkeypatch.setattr(services, "COUNT_CAP", 10)
    client = login_as("coordinator.sokuluk")
    assert "10+ cases" in client.get("/cases").text


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
     {"page": "abc"}, {"page": "-3"}, {"page": "100000"}, {"q": "\x00\x1f<script>"},
     {"after": "x" * 5000}, {"after": "aaaaaaaaaaaaa"}, {"before": "\x00"},
     {"after": "aaaaaaaaaaaaa", "before": "bbbbbbbbbbbbb"}],
)
def test_bad_filter_values_never_break_the_list(login_as, query):
    client = login_as("police.karasuu")
    response = client.get("/cases", query_string=query)
    assert response.status_code == 200
    assert "<script>" not in response.text
