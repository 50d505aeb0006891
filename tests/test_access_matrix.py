"""Every route x every demo role x own / other district, through real sessions.

A new route fails ``test_every_route_is_in_the_matrix`` until it is added
to ``ROUTES`` with the access it should have.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.cases.models import Case
from coordination.demo import demo_usernames
from coordination.extensions import db
from coordination.public_ids import decode
from coordination.territories.services import territory_by_code
from tests.helpers import csrf_token, enrol, opaque, pid

#: Routes anyone may open, signed in or not.
PUBLIC = {"static", "accounts.login", "core.healthz"}
#: endpoint -> URL template; {case} is filled per user (own / other / forged),
#: {user}, {agency}, {district}, {municipality}, {figure} by the administration matrix.
ROUTES = {
    "core.index": "/",
    "accounts.logout": "/logout",
    "accounts.profile": "/profile",
    "accounts.change_password": "/profile/password",
    "two_factor.login_step": "/login/two-factor",
    "two_factor.status": "/profile/two-factor",
    "two_factor.setup": "/profile/two-factor/setup",
    "two_factor.qr": "/profile/two-factor/qr.svg",
    "two_factor.disable": "/profile/two-factor/disable",
    "two_factor.recovery_codes": "/profile/two-factor/recovery-codes",
    "cases.list_cases": "/cases",
    "cases.new_case": "/cases/new",
    "cases.show_case": "/cases/{case}",
    "referrals.inbox": "/referrals",
    "followups.agency_list": "/followups",
    "notifications.inbox": "/notifications",
    "users.list_users": "/admin/users",
    "users.new_user": "/admin/users/new",
    "users.import_users": "/admin/users/import",
    "users.show_user": "/admin/users/{user}",
    "users.deactivate_user": "/admin/users/{user}/deactivate",
    "users.reactivate_user": "/admin/users/{user}/reactivate",
    "users.unlock_user": "/admin/users/{user}/unlock",
    "users.reset_password": "/admin/users/{user}/reset-password",
    "users.reset_two_factor": "/admin/users/{user}/reset-two-factor",
    "users.end_sessions": "/admin/users/{user}/end-sessions",
    "users.confirm_account": "/admin/users/{user}/confirm",
    "users.credential": "/admin/users/{user}/credential",
    "agencies.list_agencies": "/admin/agencies",
    "agencies.new_agency": "/admin/agencies/new",
    "agencies.show_agency": "/admin/agencies/{agency}",
    "agencies.deactivate_agency": "/admin/agencies/{agency}/deactivate",
    "agencies.reactivate_agency": "/admin/agencies/{agency}/reactivate",
    "agencies.directory": "/directory",
    "agencies.edit_directory_entry": "/admin/agencies/{agency}/directory",
    "transfers.inbox": "/transfers",
    "transfers.show": "/transfers/1",
    "territories.list_territories": "/admin/territories",
    "territories.show_territory": "/admin/territories/{district}",
    "territories.new_municipality": "/admin/territories/{district}/municipalities/new",
    "territories.retire_municipality": "/admin/territories/{municipality}/retire",
    "territories.reinstate_municipality": "/admin/territories/{municipality}/reinstate",
    "population.list_figures": "/admin/population",
    "population.new_figure": "/admin/population/new",
    "population.edit_figure": "/admin/population/{figure}",
    "population.import_figures": "/admin/population/import",
    "settings.edit_settings": "/admin/settings",
    "reports.page": "/reports",
    "reports.download": "/reports/aggregate.csv",
    "meetings.list_meetings": "/meetings",
    "meetings.new_meeting": "/meetings/new",
    "meetings.show_meeting": "/meetings/1",
    "meetings.minutes": "/meetings/1/minutes.pdf",
    "meetings.agenda": "/meetings/1/agenda.pdf",
    "audit.list_events": "/audit",
    "audit.export": "/audit/events.csv",
    "documents.download": "/documents/1",
    "documents.download_meeting_document": "/meeting-documents/1",
    "printing.case_summary": "/cases/{case}/summary.pdf",
    "printing.referral_letter": "/referrals/1/letter.pdf",
    "printing.order_record": "/orders/1/record.pdf",
    "deliveries.dead_letters": "/admin/deliveries",
    "deliveries.retry": "/admin/deliveries/1/retry",
    "deliveries.discard": "/admin/deliveries/1/discard",
    "deliveries.contacts": "/profile/notifications",
    "triage.queue": "/triage",
    "triage.new_report": "/triage/new",
    "triage.open_case": "/triage/1/case",
    "api_clients.list_clients": "/admin/api-clients",
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
    "followups.undo_done": "/followups/1/undo",
    "cases.add_person": "/cases/{case}/people",
    "cases.correct_person": "/cases/people/1/correct",
    "cases.correct_incident": "/cases/incidents/1/correct",
    "cases.record_incident": "/cases/{case}/incidents",
    "risk.assess": "/cases/{case}/risk",
    "protection.record": "/cases/{case}/orders",
    "protection.change": "/orders/1/step",
    "protection.violation": "/orders/1/violations",
    "order_checks.record": "/orders/1/checks",
    "order_checks.answer_extension": "/orders/1/extension",
    "programmes.refer": "/cases/{case}/programmes",
    "programmes.move": "/programmes/1/step",
    "notifications.mark_read": "/notifications/read",
    "meetings.reschedule": "/meetings/1/reschedule",
    "meetings.cancel": "/meetings/1/cancel",
    "meetings.propose": "/meetings/1/agenda/propose",
    "meetings.add_case": "/meetings/1/agenda",
    "meetings.remove_item": "/meetings/agenda/1/remove",
    "meetings.attendance": "/meetings/1/attendance",
    "meetings.add_decision": "/meetings/1/decisions",
    "meetings.mark_held": "/meetings/1/held",
    "documents.upload": "/cases/{case}/documents",
    "documents.upload_to_meeting": "/meetings/1/documents",
    "notes.add": "/cases/{case}/notes",
    "notes.edit": "/notes/1/edit",
    "safety.save": "/cases/{case}/safety-plan",
    "meetings.add_attendee": "/meetings/1/attendees",
    "meetings.remove_attendee": "/meetings/1/attendees/remove",
    "meetings.note": "/meetings/agenda/1/note",
    "transfers.propose": "/cases/{case}/transfer",
    "transfers.accept": "/transfers/1/accept",
    "transfers.decline": "/transfers/1/decline",
    "transfers.cancel": "/transfers/1/cancel",
    "triage.attach": "/triage/1/attach",
    "triage.close": "/triage/1/close",
}
#: POST routes of the administration outside case work (tests/api/test_api_clients.py).
ADMIN_POST_ROUTES = {
    "api_clients.rotate": "/admin/api-clients/1/rotate",
    "api_clients.revoke": "/admin/api-clients/1/revoke",
}
#: POST routes that act on no object named in the URL.
OBJECTLESS = {"notifications.mark_read"}
CASE_SECTION = {"cases.list_cases", "cases.new_case", "cases.show_case", "referrals.inbox",
                "followups.agency_list", "notifications.inbox", "transfers.inbox"}
#: The ministry and the courts work on no case (a court's system reads order
#: status through the API), nor do administrators.
NO_CASE_ACCESS = {"ministry.analyst", "admin", "court.sokuluk", "court.karasuu"}
MEETINGS_SECTION = {"meetings.list_meetings", "meetings.show_meeting", "meetings.minutes",
                    "meetings.agenda"}
COMMITTEE_HEADS = {"coordinator.sokuluk", "coordinator.karasuu"}


def test_every_route_is_in_the_matrix(app):
    from tests.api.test_api_access import API_ROUTES

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PUBLIC == (set(ROUTES) | set(POST_ROUTES) | set(API_ROUTES)
                                  | set(ADMIN_POST_ROUTES))


@pytest.mark.parametrize("endpoint", sorted(POST_ROUTES))
def test_anonymous_posts_are_sent_to_login(client, endpoint):
    token = csrf_token(client.get("/login").text)
    response = client.post(opaque(POST_ROUTES[endpoint].format(case=1)), data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("username", sorted(NO_CASE_ACCESS))
def test_no_case_role_is_refused_every_step(login_as, username):
    client = login_as(username)
    token = csrf_token(client.get("/profile").text)
    for endpoint, url in POST_ROUTES.items():
        response = client.post(opaque(url.format(case=1)), data={"csrf_token": token})
        assert response.status_code == 403, endpoint


@pytest.mark.parametrize("endpoint", sorted(set(POST_ROUTES) - OBJECTLESS))
def test_steps_on_another_districts_objects_answer_404(login_as, endpoint):
    """A Sokuluk user forging ids of Kara-Suu objects learns nothing."""
    client = login_as("coordinator.sokuluk")
    token = csrf_token(client.get("/cases").text)
    karasuu = _district_case("41706226")
    url = POST_ROUTES[endpoint].format(case=karasuu)
    if endpoint.startswith("triage."):
        from tests.test_request_pipeline import _incoming_report

        url = url.replace("/1/", f"/{pid(_incoming_report('41706226'))}/")
    elif "{case}" not in POST_ROUTES[endpoint]:
        url = url.replace("/1/", f"/{_karasuu_object(endpoint)}/")
    response = client.post(opaque(url), data={"csrf_token": token, "version": 1})
    assert response.status_code == 404


def _karasuu_object(endpoint: str) -> int:
    from coordination.cases.models import Incident, Person
    from coordination.consent.models import ConsentRecord
    from coordination.followups.models import FollowUp
    from coordination.meetings.models import AgendaItem
    from coordination.programmes.models import CorrectionalProgramme
    from coordination.protection.models import ProtectionOrder
    from coordination.referrals.models import Referral

    if endpoint.startswith("meetings.") and endpoint not in ("meetings.remove_item",
                                                             "meetings.note") \
            or endpoint == "documents.upload_to_meeting":
        return _karasuu_meeting()
    if endpoint == "notes.edit":  # the demo data has no notes: write one
        return written_note("41706226").id
    if endpoint.startswith("transfers."):
        return proposed_transfer("41706226", elsewhere=True).id
    model = {"consent.withdraw": ConsentRecord, "referrals.take_step": Referral,
             "followups.close": FollowUp, "followups.undo_done": FollowUp,
             "cases.correct_person": Person, "cases.correct_incident": Incident,
             "protection.change": ProtectionOrder,
             "protection.violation": ProtectionOrder,
             "order_checks.record": ProtectionOrder,
             "order_checks.answer_extension": ProtectionOrder,
             "programmes.move": CorrectionalProgramme,
             "meetings.remove_item": AgendaItem, "meetings.note": AgendaItem}[endpoint]
    found = db.session.scalar(
        sa.select(model.id).join(Case, Case.id == model.case_id).join(Case.district)
        .where(sa.text("territories.code = '41706226'")).limit(1))
    assert found is not None, f"demo data has no Kara-Suu {model.__name__}"
    return found


def written_note(district_code: str):
    """A note by the district's committee coordinator on its first case."""
    from coordination.accounts.models import User
    from coordination.models_base import utcnow
    from coordination.notes.models import CaseNote, NoteVisibility

    key = "karasuu" if district_code == "41706226" else "sokuluk"
    author = db.session.scalar(sa.select(User).where(User.username == f"coordinator.{key}"))
    note = CaseNote(case_id=_district_case(district_code), agency_id=author.agency_id,
                    author_id=author.id, dated_on=utcnow().date(),
                    visibility=NoteVisibility.INVOLVED, text="Called her sister.",
                    written_at=utcnow())
    db.session.add(note)
    db.session.commit()
    return note
def proposed_transfer(code: str, elsewhere: bool = False):
    """A transfer proposed on the first case of district ``code``: to the other
    demo district, or ``elsewhere`` (a district no demo committee serves). The
    demo data has none; the test's transaction removes it."""
    from coordination.territories.models import Territory, TerritoryLevel
    from coordination.transfers.models import CaseTransfer

    case = db.session.get(Case, _district_case(code))
    others = {"41708222": "41706226", "41706226": "41708222"}
    target = territory_by_code(others[code]) if not elsewhere else db.session.scalar(
        sa.select(Territory).where(Territory.level == TerritoryLevel.DISTRICT,
                                   Territory.code.not_in(list(others))).limit(1))
    transfer = CaseTransfer(case=case, from_district_id=case.district_id,
                            from_lead_agency_id=case.lead_agency_id, to_district_id=target.id,
                            proposed_by_id=case.created_by_id)
    db.session.add(transfer)
    db.session.flush()
    return transfer


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
    response = client.get(opaque(ROUTES[endpoint].format(case=1, user=1, agency=1, district=1,
                                                         municipality=1, figure=1)))
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
        url = opaque(ROUTES[endpoint].replace("/1", f"/{_meeting_of(own)}"))
        assert client.get(url).status_code == (200 if committee else 403), (username, endpoint)
    assert client.get("/meetings/new").status_code == (
        200 if username in COMMITTEE_HEADS else 403)
    other = _meeting_of("KARASUU" if own == "SOKULUK" else "SOKULUK")
    other = pid(other, "meeting")
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
            assert client.get(f"/cases/{pid(case_id, 'case')}").status_code == 403
        return
    own, other = (sokuluk, karasuu) if username.endswith("sokuluk") else (karasuu, sokuluk)
    # Who may see which case is proven in test_policy.py; here: the route obeys it.
    may_see_own = policy.can(subject, policy.Action.VIEW_CASE, db.session.get(Case, own))
    assert client.get(f"/cases/{pid(own, 'case')}").status_code == (200 if may_see_own else 404)
    # Another district's case answers exactly like a case that does not exist.
    missing = client.get("/cases/99999999")
    foreign = client.get(f"/cases/{pid(other, 'case')}")
    assert foreign.status_code == missing.status_code == 404
    assert _comparable(foreign.text, pid(other, "case")) == _comparable(missing.text, 99999999)
    assert client.get("/cases/0").status_code == 404
    assert client.get("/cases/abc").status_code == 404


@pytest.mark.parametrize("username", ["coordinator.sokuluk", "police.sokuluk"])
def test_every_listed_case_opens_and_no_other_case_does(login_as, user, username):
    """Lists and detail pages never disagree (one policy, two uses)."""
    client = login_as(username)
    listed, url = set(), "/cases"
    while url:  # the list's own "next" links, page by page (keyset cursors)
        response = client.get(url)
        listed |= {decode("case", token) for token in _case_links(response.text)}
        found = re.search(r'<a href="([^"]+)" rel="next">', response.text)
        url = found.group(1).replace("&amp;", "&") if found else None
    all_ids = set(db.session.scalars(sa.select(Case.id)))
    assert listed
    for case_id in sorted(all_ids):
        expected = 200 if case_id in listed else 404
        assert client.get(f"/cases/{pid(case_id, 'case')}").status_code == expected, case_id


def _case_links(html: str) -> list[str]:
    return re.findall(r'href="/cases/([a-z2-7]{13})"', html)


def _comparable(html: str, case_id: int | str) -> str:
    """The page without the case id and the CSRF token (its signature carries
    the second it was made in, so two requests may differ there)."""
    html = html.replace(f"/cases/{case_id}", "/cases/N")
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', html)


@pytest.mark.parametrize(
    ("username", "shows_cases"),
    [("coordinator.sokuluk", True), ("police.karasuu", True),
     ("ministry.analyst", False), ("admin", False), ("court.karasuu", False)],
)
def test_navigation_shows_only_what_the_role_may_use(login_as, user, username, shows_cases):
    client = login_as(username)
    page = client.get("/", follow_redirects=True).text
    assert ('href="/cases"' in page) is shows_cases
    assert ('href="/cases/new"' in page) is shows_cases
    subject = user(username)
    assert subject.full_name in page
    assert subject.agency.name in page


def _comparable(html: str, case_id: int | str) -> str:
    """The page without what differs by request: the URL's id and the CSRF token."""
    import re

    html = html.replace(f"/cases/{case_id}", "/cases/N")
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', html)


# --- administration: every admin route x every demo user -----------------------------

ADMIN_ONLY = {"agencies.list_agencies", "agencies.new_agency", "agencies.show_agency",
              "agencies.edit_directory_entry",
              "agencies.deactivate_agency", "agencies.reactivate_agency",
              "territories.list_territories", "territories.show_territory",
              "territories.new_municipality", "territories.retire_municipality",
              "territories.reinstate_municipality", "settings.edit_settings",
              "population.list_figures", "population.new_figure", "population.edit_figure",
              "population.import_figures"}
#: Administrators and agency heads (their own agency's accounts only).
ACCOUNTS = {"users.list_users", "users.new_user", "users.import_users"}
ONE_ACCOUNT = {"users.show_user", "users.deactivate_user", "users.reactivate_user",
               "users.unlock_user", "users.reset_password", "users.reset_two_factor",
               "users.end_sessions", "users.credential"}
EVERYONE = {"accounts.profile", "accounts.change_password", "two_factor.status",
            "two_factor.setup"}
ADMIN_ROUTES = (ADMIN_ONLY | ACCOUNTS | ONE_ACCOUNT | EVERYONE | {"agencies.directory"}
                | {"users.confirm_account"})
HEADS = {"coordinator.sokuluk", "coordinator.karasuu"}


def test_admin_matrix_covers_every_administration_route():
    administration = ("users", "agencies", "territories", "population", "settings")
    assert ADMIN_ROUTES == {e for e in ROUTES if e.split(".")[0] in administration} | EVERYONE


@pytest.fixture
def targets(make_user, agency):
    """A colleague in the Sokuluk committee, an outsider (Kara-Suu police), and
    the reference data the administration routes open (a population figure too)."""
    colleague = make_user("colleague.sokuluk", "SOKULUK-COMMITTEE")
    outsider = make_user("outsider.karasuu", "KARASUU-POLICE")
    for account in (colleague, outsider):
        enrol(account)  # so that resetting their two-factor sign-in has something to do
    sokuluk = territory_by_code("41708222")
    return {
        "colleague": colleague.id,
        "outsider": outsider.id,
        "agency": agency("SOKULUK-POLICE").id,
        "district": sokuluk.id,
        "municipality": territory_by_code("41708222001").id,
        "figure": _demo_figure(sokuluk.id),
    }


def _demo_figure(territory_id: int) -> int:
    from coordination.population.models import PopulationFigure

    found = db.session.scalar(sa.select(PopulationFigure.id).where(
        PopulationFigure.territory_id == territory_id).limit(1))
    assert found is not None, "demo data has no population figure"
    return found


def expected_status(username: str, endpoint: str, target: str = "colleague") -> int:
    """What DESIGN.md section 4 and issue 4 promise: 403 for a section the
    role may not use, 404 for an account outside the user's scope."""
    if endpoint == "users.credential":
        # With no one-time password kept for this browser, the page sends
        # to the account's page (post/redirect/get, issue 15).
        status = expected_status(username, "users.show_user", target)
        return 302 if status == 200 else status
    if endpoint in EVERYONE:
        return 200
    if endpoint == "users.confirm_account":
        # Four eyes (issue 14): never the administrator; an agency head only
        # for a held account they may confirm (the targets are not held).
        return 404 if username in HEADS else 403
    if username == "admin":
        return 403 if endpoint == "agencies.directory" else 200
    if endpoint == "agencies.directory":
        return 200 if username in HEADS else 403
    if endpoint in ADMIN_ONLY or username not in HEADS:
        return 403
    if endpoint in ONE_ACCOUNT:
        own = username == "coordinator.sokuluk" and target == "colleague"
        return 200 if own else 404
    return 200


@pytest.mark.parametrize("username", demo_usernames())
def test_every_admin_route_for_every_demo_user(login_as, targets, username):
    client = login_as(username)
    for endpoint in sorted(ADMIN_ROUTES):
        for target in ("colleague", "outsider"):
            url = ROUTES[endpoint].format(user=targets[target], **{
                key: targets[key] for key in ("agency", "district", "municipality", "figure")})
            status = client.get(url).status_code
            assert status == expected_status(username, endpoint, target), (
                username, endpoint, target)
            if "{user}" not in ROUTES[endpoint]:
                break


@pytest.mark.parametrize("username", demo_usernames())
@pytest.mark.parametrize("action", ["deactivate", "reactivate", "unlock", "reset-password",
                                    "reset-two-factor", "end-sessions"])
def test_every_account_action_posted_by_every_demo_user(login_as, targets, username, action):
    """The POSTs obey the same matrix as the pages that confirm them."""
    client = login_as(username)
    token = csrf_token(client.get("/profile").text)
    for target in ("colleague", "outsider"):
        response = client.post(f"/admin/users/{targets[target]}/{action}",
                               data={"csrf_token": token})
        expected = expected_status(username, "users.show_user", target)
        if expected == 200:
            # Done: back to the account, or to the one-time password's page
            # (post/redirect/get, issue 15).
            expected = 302
        assert response.status_code == expected, (username, action, target)


@pytest.mark.parametrize("url", [
    "/admin/users/99999999", "/admin/users/99999999/reset-password",
    "/admin/agencies/99999999", "/admin/agencies/99999999/deactivate",
    "/admin/territories/99999999",
    "/admin/territories/99999999/municipalities/new",
    "/admin/population/99999999",
])
def test_forged_ids_answer_404_to_the_administrator(login_as, url):
    assert login_as("admin").get(url).status_code == 404


def test_municipality_actions_need_a_municipality_and_new_ones_a_district(login_as, targets):
    client = login_as("admin")
    assert client.get(f"/admin/territories/{targets['district']}/retire").status_code == 404
    assert client.get(
        f"/admin/territories/{targets['municipality']}/municipalities/new").status_code == 404


@pytest.mark.parametrize(
    ("username", "links"),
    [("admin", {"/admin/users", "/admin/agencies", "/admin/territories", "/admin/settings"}),
     ("coordinator.sokuluk", {"/admin/users", "/directory", "/cases", "/referrals",
                              "/followups", "/notifications", "/meetings", "/reports"}),
     ("police.sokuluk", {"/cases", "/referrals", "/followups", "/notifications", "/reports"}),
     ("ministry.analyst", {"/reports"}), ("court.sokuluk", {"/reports"})],
)
def test_navigation_links_follow_the_policy(login_as, username, links):
    page = login_as(username).get("/profile").text
    nav = page.split('class="mainnav"')[1].split("</nav>")[0]
    shown = set(re.findall(r'href="([^"]+)"', nav)) - {"/cases/new"}
    assert shown == links
    assert 'href="/profile"' in page



@pytest.mark.parametrize("username", demo_usernames())
def test_statistics_for_everyone_but_administrators(login_as, username):
    client = login_as(username)
    for url in ("/reports", "/reports/aggregate.csv", "/reports/aggregate.xlsx",
                "/reports/aggregate.pdf"):
        assert client.get(url).status_code == (403 if username == "admin" else 200), url


@pytest.mark.parametrize("username", demo_usernames())
def test_audit_log_for_administrators_and_agency_heads_only(login_as, username):
    client = login_as(username)
    allowed = username == "admin" or username.startswith("coordinator.")
    for url in ("/audit", "/audit/events.csv"):
        assert client.get(url).status_code == (200 if allowed else 403), url


@pytest.mark.parametrize("username", demo_usernames())
def test_own_two_factor_pages_for_every_demo_user(login_as, username):
    """Everyone manages their own two-factor sign-in, and only their own: the
    pages take no user id. Pages that need it on (or a set-up begun) send back."""
    client = login_as(username)
    assert client.get("/profile/two-factor/qr.svg").status_code == 404  # nothing begun
    for url in ("/profile/two-factor/disable", "/profile/two-factor/recovery-codes"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/profile/two-factor", url
    assert client.get("/profile/two-factor/setup").status_code == 200
    assert client.get("/profile/two-factor/qr.svg").status_code == 200
    # Signed in already: the code step has nothing to do.
    assert client.get("/login/two-factor").headers["Location"] == "/"
