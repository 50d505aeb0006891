"""Every route x every demo role x own / other district, through real sessions.

A new route fails ``test_every_route_is_in_the_matrix`` until it is added
to ``ROUTES`` with the access it should have.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.cases.models import Case
from coordination.demo import demo_usernames
from coordination.extensions import db
from tests.helpers import csrf_token

#: Routes anyone may open, signed in or not.
PUBLIC = {"static", "accounts.login", "core.healthz"}
#: endpoint -> URL template; {case} is filled per user (own / other / forged).
ROUTES = {
    "core.index": "/",
    "accounts.logout": "/logout",
    "cases.list_cases": "/cases",
    "cases.new_case": "/cases/new",
    "cases.show_case": "/cases/{case}",
    "referrals.inbox": "/referrals",
    "followups.agency_list": "/followups",
    "meetings.list_meetings": "/meetings",
    "meetings.new_meeting": "/meetings/new",
    "meetings.show_meeting": "/meetings/1",
    "meetings.minutes": "/meetings/1/minutes.pdf",
}
#: Routes that only take POST (a step on an object); the number is any id.
POST_ROUTES = {
    "cases.change_status": "/cases/{case}/status",
    "cases.reassign_lead": "/cases/{case}/lead",
    "consent.add": "/cases/{case}/consent",
    "consent.withdraw": "/consent/1/withdraw",
    "referrals.send": "/cases/{case}/referrals",
    "referrals.take_step": "/referrals/1/step",
    "followups.add": "/cases/{case}/followups",
    "followups.close": "/followups/1/close",
    "meetings.reschedule": "/meetings/1/reschedule",
    "meetings.cancel": "/meetings/1/cancel",
    "meetings.propose": "/meetings/1/agenda/propose",
    "meetings.add_case": "/meetings/1/agenda",
    "meetings.remove_item": "/meetings/agenda/1/remove",
    "meetings.attendance": "/meetings/1/attendance",
    "meetings.add_decision": "/meetings/1/decisions",
    "meetings.mark_held": "/meetings/1/held",
}
CASE_SECTION = {"cases.list_cases", "cases.new_case", "cases.show_case", "referrals.inbox",
                "followups.agency_list"}
NO_CASE_ACCESS = {"ministry.analyst", "admin"}
MEETINGS_SECTION = {"meetings.list_meetings", "meetings.show_meeting", "meetings.minutes"}
COMMITTEE_HEADS = {"coordinator.sokuluk", "coordinator.karasuu"}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PUBLIC == set(ROUTES) | set(POST_ROUTES)


@pytest.mark.parametrize("endpoint", sorted(POST_ROUTES))
def test_anonymous_posts_are_sent_to_login(client, endpoint):
    token = csrf_token(client.get("/login").text)
    response = client.post(POST_ROUTES[endpoint].format(case=1), data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("username", sorted(NO_CASE_ACCESS))
def test_no_case_role_is_refused_every_step(login_as, username):
    client = login_as(username)
    token = csrf_token(client.get("/").text)
    for endpoint, url in POST_ROUTES.items():
        response = client.post(url.format(case=1), data={"csrf_token": token})
        assert response.status_code == 403, endpoint


@pytest.mark.parametrize("endpoint", sorted(POST_ROUTES))
def test_steps_on_another_districts_objects_answer_404(login_as, endpoint):
    """A Sokuluk user forging ids of Kara-Suu objects learns nothing."""
    client = login_as("coordinator.sokuluk")
    token = csrf_token(client.get("/cases").text)
    karasuu = _district_case("41706226")
    url = POST_ROUTES[endpoint].format(case=karasuu)
    if "{case}" not in POST_ROUTES[endpoint]:
        url = url.replace("/1/", f"/{_karasuu_object(endpoint)}/")
    response = client.post(url, data={"csrf_token": token, "version": 1})
    assert response.status_code == 404


def _karasuu_object(endpoint: str) -> int:
    from coordination.consent.models import ConsentRecord
    from coordination.followups.models import FollowUp
    from coordination.meetings.models import AgendaItem
    from coordination.referrals.models import Referral

    if endpoint.startswith("meetings.") and endpoint != "meetings.remove_item":
        return _karasuu_meeting()
    model = {"consent.withdraw": ConsentRecord, "referrals.take_step": Referral,
             "followups.close": FollowUp, "meetings.remove_item": AgendaItem}[endpoint]
    found = db.session.scalar(
        sa.select(model.id).join(Case, Case.id == model.case_id).join(Case.district)
        .where(sa.text("territories.code = '41706226'")).limit(1))
    assert found is not None, f"demo data has no Kara-Suu {model.__name__}"
    return found


def _karasuu_meeting() -> int:
    from coordination.agencies.models import Agency
    from coordination.meetings.models import Meeting

    found = db.session.scalar(
        sa.select(Meeting.id).join(Agency, Agency.id == Meeting.committee_id)
        .where(Agency.code == "KARASUU-COMMITTEE").limit(1))
    assert found is not None, "demo data has no Kara-Suu meeting"
    return found


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
def test_meetings_section_by_role(login_as, username):
    """Committees only; scheduling for the committee's head; another's meeting is 404."""
    client = login_as(username)
    committee = username.startswith("coordinator.")
    own = "SOKULUK" if username.endswith("sokuluk") else "KARASUU"
    for endpoint in sorted(MEETINGS_SECTION):
        url = ROUTES[endpoint].replace("/1", f"/{_meeting_of(own)}")
        assert client.get(url).status_code == (200 if committee else 403), (username, endpoint)
    assert client.get("/meetings/new").status_code == (
        200 if username in COMMITTEE_HEADS else 403)
    other = _meeting_of("KARASUU" if own == "SOKULUK" else "SOKULUK")
    for url in (f"/meetings/{other}", f"/meetings/{other}/minutes.pdf", "/meetings/99999999"):
        assert client.get(url).status_code == (404 if committee else 403), (username, url)


def _meeting_of(district_key: str) -> int:
    from coordination.agencies.models import Agency
    from coordination.meetings.models import Meeting

    return db.session.scalar(
        sa.select(Meeting.id).join(Agency, Agency.id == Meeting.committee_id)
        .where(Agency.code == f"{district_key}-COMMITTEE").order_by(Meeting.id).limit(1))


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
    # Who may see which case is proven in test_policy.py; here: the route obeys it.
    may_see_own = policy.can(subject, policy.Action.VIEW_CASE, db.session.get(Case, own))
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
