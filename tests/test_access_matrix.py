"""Every route x every demo role x own / other district, through real sessions.

A new route fails ``test_every_route_is_in_the_matrix`` until it is added
to ``ROUTES`` with the access it should have.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.cases.models import Case
from coordination.demo import demo_usernames
from coordination.extensions import db

#: Routes anyone may open, signed in or not.
PUBLIC = {"static", "accounts.login", "core.healthz"}
#: endpoint -> URL template; {case} is filled per user (own / other / forged).
ROUTES = {
    "core.index": "/",
    "accounts.logout": "/logout",
    "cases.list_cases": "/cases",
    "cases.new_case": "/cases/new",
    "cases.show_case": "/cases/{case}",
}
CASE_SECTION = {"cases.list_cases", "cases.new_case", "cases.show_case"}
NO_CASE_ACCESS = {"ministry.analyst", "admin"}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PUBLIC == set(ROUTES)


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_anonymous_users_are_sent_to_login(client, endpoint):
    response = client.get(ROUTES[endpoint].format(case=1))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("endpoint", sorted(PUBLIC - {"static"}))
def test_public_routes_answer_anonymous_users(client, endpoint):
    url = {"accounts.login": "/login", "core.healthz": "/healthz"}[endpoint]
    assert client.get(url).status_code == 200


def _district_case(district_code: str) -> int:
    return db.session.scalar(
        sa.select(Case.id).join(Case.district).where(sa.text("territories.code = :code"))
        .params(code=district_code).order_by(Case.id).limit(1)
    )


@pytest.mark.parametrize("username", demo_usernames())
def test_case_section_by_role(login_as, username):
    client = login_as(username)
    for endpoint in sorted(CASE_SECTION - {"cases.show_case"}):
        status = client.get(ROUTES[endpoint]).status_code
        assert status == (403 if username in NO_CASE_ACCESS else 200), (username, endpoint)


@pytest.mark.parametrize("username", demo_usernames())
def test_case_page_own_and_other_district_and_forged_ids(login_as, user, username):
    client = login_as(username)
    subject = user(username)
    sokuluk, karasuu = _district_case("41708222"), _district_case("41706226")
    if username in NO_CASE_ACCESS:
        for case_id in (sokuluk, karasuu, 99999999):
            assert client.get(f"/cases/{case_id}").status_code == 403
        return
    own, other = (sokuluk, karasuu) if username.endswith("sokuluk") else (karasuu, sokuluk)
    own_visible = db.session.get(Case, own)
    may_see_own = subject.agency.type == "committee" or subject.agency_id in (
        own_visible.opening_agency_id, own_visible.lead_agency_id)
    assert client.get(f"/cases/{own}").status_code == (200 if may_see_own else 404)
    # Another district's case answers exactly like a case that does not exist.
    missing = client.get("/cases/99999999")
    foreign = client.get(f"/cases/{other}")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.text.replace(f"/cases/{other}", "/cases/N") == missing.text.replace(
        "/cases/99999999", "/cases/N")
    assert client.get("/cases/0").status_code == 404
    assert client.get("/cases/abc").status_code == 404


@pytest.mark.parametrize("username", ["coordinator.sokuluk", "police.sokuluk"])
def test_every_listed_case_opens_and_no_other_case_does(login_as, user, username):
    """Lists and detail pages never disagree (one policy, two uses)."""
    client = login_as(username)
    listed = set()
    page = 1
    while True:
        response = client.get(f"/cases?page={page}")
        ids = {int(i) for i in _case_links(response.text)}
        if not ids:
            break
        listed |= ids
        page += 1
    all_ids = set(db.session.scalars(sa.select(Case.id)))
    assert listed
    for case_id in sorted(all_ids):
        expected = 200 if case_id in listed else 404
        assert client.get(f"/cases/{case_id}").status_code == expected, case_id


def _case_links(html: str) -> list[str]:
    import re

    return re.findall(r'href="/cases/(\d+)"', html)


@pytest.mark.parametrize(
    ("username", "shows_cases"),
    [("coordinator.sokuluk", True), ("police.karasuu", True),
     ("ministry.analyst", False), ("admin", False)],
)
def test_navigation_shows_only_what_the_role_may_use(login_as, user, username, shows_cases):
    client = login_as(username)
    page = client.get("/", follow_redirects=True).text
    assert ('href="/cases"' in page) is shows_cases
    assert ('href="/cases/new"' in page) is shows_cases
    subject = user(username)
    assert subject.full_name in page
    assert subject.agency.name in page
