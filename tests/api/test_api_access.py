"""The API's access rules: token, scopes, and the policy answering for a
client exactly as for its agency's members."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.accounts.models import Role, User
from coordination.api import clients
from coordination.api.models import ApiClient, Scope
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.models_base import utcnow
from coordination.public_ids import decode
from coordination.referrals.models import Referral, ReferralStatus
from tests.api.conftest import bearer
from tests.helpers import pid

#: endpoint -> (method, URL); {referral}, {follow_up}, {case}, {order} are tokens.
API_ROUTES = {
    "api.openapi": ("GET", "/api/v1/openapi.json"),
    "api.list_cases": ("GET", "/api/v1/cases"),
    "api.show_case": ("GET", "/api/v1/cases/{case}"),
    "api.submit_report": ("POST", "/api/v1/reports"),
    "api.list_referrals": ("GET", "/api/v1/referrals"),
    "api.show_referral": ("GET", "/api/v1/referrals/{referral}"),
    "api.accept_referral": ("POST", "/api/v1/referrals/{referral}/accept"),
    "api.decline_referral": ("POST", "/api/v1/referrals/{referral}/decline"),
    "api.complete_referral": ("POST", "/api/v1/referrals/{referral}/complete"),
    "api.list_follow_ups": ("GET", "/api/v1/follow-ups"),
    "api.follow_up_done": ("POST", "/api/v1/follow-ups/{follow_up}/done"),
    "api.order_status": ("GET", "/api/v1/orders/{order}"),
    "api.statistics": ("GET", "/api/v1/statistics"),
}
TOKENS = {"case": "aaaaaaaaaaaaa", "referral": "aaaaaaaaaaaaa", "follow_up": "aaaaaaaaaaaaa",
          "order": "aaaaaaaaaaaaa"}


@pytest.mark.parametrize("endpoint", sorted(set(API_ROUTES) - {"api.openapi"}))
def test_every_api_route_refuses_a_call_without_a_valid_token(client, endpoint):
    method, url = API_ROUTES[endpoint]
    url = url.format(**TOKENS)
    for headers in ({}, bearer("nothing.here"), {"Authorization": "Basic abc"}):
        response = client.open(url, method=method, headers=headers, json={})
        assert response.status_code == 401, (endpoint, headers)
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == 401


def test_the_openapi_document_is_public_and_lists_every_route(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.")
    described = {(method.upper(), path) for path, item in document["paths"].items()
                 for method in item}
    for endpoint, (method, url) in API_ROUTES.items():
        if endpoint == "api.openapi":
            continue
        path = url.replace("{case}", "{case_id}").replace("{referral}", "{referral_id}") \
            .replace("{follow_up}", "{follow_up_id}").replace("{order}", "{order_id}")
        assert (method, path.removeprefix("/api/v1")) in described or \
            (method, path) in described, endpoint


def test_a_browser_session_does_not_open_the_api(login_as):
    client = login_as("coordinator.sokuluk")
    assert client.get("/api/v1/cases").status_code == 401


def _member_of(agency_id: int) -> User:
    return db.session.scalar(sa.select(User).where(
        User.agency_id == agency_id, User.role == Role.MEMBER,
        User.id.not_in(sa.select(ApiClient.service_user_id))).limit(1))


AGENCIES = ["SOKULUK-POLICE", "SOKULUK-SOCIAL", "SOKULUK-HEALTH", "KARASUU-POLICE",
            "KARASUU-CRISIS_CENTRE"]


@pytest.mark.parametrize("code", AGENCIES)
def test_a_client_sees_exactly_the_cases_its_agency_sees(api_client, browser, code, agency):
    client, token = api_client(code, {Scope.READ_CASES})
    member = _member_of(agency(code).id)
    api, seen, cursor = browser(), set(), None
    while True:
        response = api.get("/api/v1/cases?limit=100" + (f"&cursor={cursor}" if cursor else ""),
                           headers=bearer(token))
        assert response.status_code == 200
        seen |= {decode("case", item["id"]) for item in response.json["items"]}
        cursor = response.json["next_cursor"]
        if cursor is None:
            break
    expected = set(db.session.scalars(policy.visible_cases(member).with_only_columns(Case.id)))
    assert seen == expected and seen


#: Rules about the person, not the agency: undoing one's own "done" (issue 15).
PERSONAL_ACTIONS = {policy.Action.UNDO_FOLLOW_UP_DONE}


@pytest.mark.parametrize("code", AGENCIES)
def test_the_truth_table_answers_for_a_client_as_for_its_agency(api_client, code, agency):
    """Every rule, on a sample of records of both districts."""
    client, _token = api_client(code)
    service, member = client.service_user, _member_of(agency(code).id)
    cases = list(db.session.scalars(sa.select(Case).order_by(Case.id).limit(40)))
    referrals = list(db.session.scalars(sa.select(Referral).order_by(Referral.id).limit(40)))
    follow_ups = list(db.session.scalars(sa.select(FollowUp).order_by(FollowUp.id).limit(40)))
    for (kind, action) in policy._RULES:
        if action in PERSONAL_ACTIONS:
            continue
        sample = {Case: cases, Referral: referrals, FollowUp: follow_ups}.get(kind, [])
        for obj in sample:
            assert policy.can(service, action, obj) == policy.can(member, action, obj), \
                (code, action, obj.id)
    for section in policy.Section:
        assert policy.may_use(service, section) == policy.may_use(member, section)


def test_a_missing_scope_is_403(api_client, browser):
    _client, token = api_client("SOKULUK-POLICE", {Scope.READ_CASES})
    api = browser()
    assert api.get("/api/v1/referrals", headers=bearer(token)).status_code == 403
    assert api.get("/api/v1/statistics", headers=bearer(token)).status_code == 403
    assert api.get("/api/v1/cases", headers=bearer(token)).status_code == 200


def test_revoked_expired_and_rotated_tokens_stop_working(api_client, browser, user):
    admin = user("admin")
    client, token = api_client("SOKULUK-POLICE", {Scope.READ_CASES})
    api = browser()
    new = clients.rotate(admin, client)
    db.session.commit()
    assert api.get("/api/v1/cases", headers=bearer(token)).status_code == 401
    assert api.get("/api/v1/cases", headers=bearer(new)).status_code == 200
    client.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert api.get("/api/v1/cases", headers=bearer(new)).status_code == 401
    client.expires_at = utcnow() + timedelta(days=1)
    clients.revoke(admin, client)
    db.session.commit()
    assert api.get("/api/v1/cases", headers=bearer(new)).status_code == 401
    # Only a hash is kept.
    assert new.split(".")[1] not in client.token_hash


def test_an_agency_head_manages_only_their_agencys_clients(api_client, user, agency):
    client, _token = api_client("SOKULUK-POLICE")
    head = user("coordinator.karasuu")
    with pytest.raises(PermissionError):
        clients.rotate(head, client)
    with pytest.raises(PermissionError):
        clients.register(head, clients.ClientData("x", agency("SOKULUK-POLICE").id,
                                                  frozenset({Scope.READ_CASES})))
    own, _token = clients.register(head, clients.ClientData(
        "Committee register", agency("KARASUU-COMMITTEE").id, frozenset({Scope.READ_CASES})))
    assert own.agency.code == "KARASUU-COMMITTEE"
    # A client's account is nobody's to manage (no password reset to sign in as it).
    assert not policy.can_manage_user(user("admin"), client.service_user)


def _sokuluk_referral_to_police(user, agency) -> Referral:
    """A new referral from the committee to the police (on danger to life)."""
    from coordination.referrals.models import LegalGround, Priority, ReferralService
    from coordination.referrals.services import send_referral

    case = db.session.scalar(sa.select(Case).join(Case.district).where(
        sa.text("territories.code = '41708222'"), Case.status != "closed")
        .order_by(Case.id).limit(1))
    referral = send_referral(user("coordinator.sokuluk"), case, agency("SOKULUK-POLICE").id,
                             ReferralService.POLICE_PROTECTION, Priority.URGENT,
                             LegalGround.DANGER_TO_LIFE)
    db.session.commit()
    return referral


def test_if_match_is_required_and_a_stale_one_is_412(api_client, browser, user, agency):
    _client, token = api_client("SOKULUK-POLICE", {Scope.ANSWER_REFERRALS})
    referral = _sokuluk_referral_to_police(user, agency)
    assert referral is not None
    api, url = browser(), f"/api/v1/referrals/{pid(referral)}/accept"
    missing = api.post(url, json={}, headers=bearer(token, **{"Idempotency-Key": "k1"}))
    assert missing.status_code == 428
    stale = api.post(url, json={}, headers=bearer(token, **{
        "Idempotency-Key": "k2", "If-Match": f'"v{referral.version + 1}"'}))
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.SENT


def test_an_idempotency_key_is_required_and_not_reused_for_another_body(api_client, browser):
    _client, token = api_client("SOKULUK-POLICE", {Scope.SUBMIT_REPORTS})
    api = browser()
    body = {"source": "102", "received_at": utcnow().isoformat() + "+00:00",
            "district_code": "41708222", "summary": "Shouting heard"}
    assert api.post("/api/v1/reports", json=body, headers=bearer(token)).status_code == 422
    headers = bearer(token, **{"Idempotency-Key": "same"})
    assert api.post("/api/v1/reports", json=body, headers=headers).status_code == 201
    other = api.post("/api/v1/reports", json={**body, "summary": "Other"}, headers=headers)
    assert other.status_code == 422 and other.json["field"] == "Idempotency-Key"


def test_a_report_for_a_district_outside_the_agency_is_refused(api_client, browser):
    _client, token = api_client("SOKULUK-POLICE", {Scope.SUBMIT_REPORTS})
    body = {"source": "102", "received_at": utcnow().isoformat() + "+00:00",
            "district_code": "41706226", "summary": "Shouting heard"}
    response = browser().post("/api/v1/reports", json=body,
                              headers=bearer(token, **{"Idempotency-Key": "x"}))
    assert response.status_code == 422 and response.json["field"] == "district"


def test_another_districts_referral_is_404_like_a_missing_one(api_client, browser):
    _client, token = api_client("SOKULUK-POLICE", {Scope.ANSWER_REFERRALS})
    karasuu = db.session.scalar(sa.select(Referral).join(Referral.to_agency).where(
        sa.text("agencies.code = 'KARASUU-POLICE'")).limit(1))
    api = browser()
    foreign = api.get(f"/api/v1/referrals/{pid(karasuu)}", headers=bearer(token))
    missing = api.get("/api/v1/referrals/aaaaaaaaaaaaa", headers=bearer(token))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json == missing.json


def test_per_client_rate_limit(api_client, browser):
    client, token = api_client("SOKULUK-POLICE", {Scope.READ_CASES})
    client.rate_per_minute = 2
    db.session.commit()
    api = browser()
    statuses = [api.get("/api/v1/cases?limit=1", headers=bearer(token)).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_problems_speak_the_clients_language(api_client, browser):
    _client, token = api_client("SOKULUK-POLICE", {Scope.READ_CASES})
    api = browser()
    english = api.get("/api/v1/statistics", headers=bearer(token))
    russian = api.get("/api/v1/statistics", headers=bearer(token, **{"Accept-Language": "ru"}))
    assert english.status_code == russian.status_code == 403
    assert english.json["title"] != russian.json["title"]


def test_every_call_is_audited_with_the_client(api_client, browser):
    from coordination.audit.models import AuditAction, AuditEvent

    client, token = api_client("SOKULUK-POLICE", {Scope.READ_CASES})
    browser().get("/api/v1/cases?limit=1", headers=bearer(token))
    calls = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.API_CALL, AuditEvent.object_id == client.id)).all()
    assert len(calls) == 1 and calls[0].user_id == client.service_user_id
