"""The administration of API clients: who registers, the token shown once."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coordination.api import clients
from coordination.api.models import ApiClient, Scope
from coordination.extensions import db
from coordination.refusals import RuleBroken
from tests.api.conftest import bearer
from tests.helpers import csrf_token

_TOKEN = re.compile(r'<code class="token">([0-9a-f]{12}\.[A-Za-z0-9_-]+)</code>')


@pytest.mark.parametrize(("username", "status"), [
    ("admin", 200), ("coordinator.sokuluk", 200), ("police.sokuluk", 403),
    ("ministry.analyst", 403)])
def test_who_may_open_the_clients_page(login_as, username, status):
    assert login_as(username).get("/admin/api-clients").status_code == status


def test_a_head_registers_a_client_whose_token_is_shown_once_and_works(login_as, agency,
                                                                      browser):
    client = login_as("coordinator.sokuluk")
    page = client.get("/admin/api-clients")
    # A head is offered their own agency only.
    assert "SOKULUK-POLICE" not in page.text and "SOKULUK-COMMITTEE" in page.text
    response = client.post("/admin/api-clients", data={
        "csrf_token": csrf_token(page.text), "name": "Committee register",
        "agency": agency("SOKULUK-COMMITTEE").id, "scopes": ["read_cases"],
        "lifetime_days": 30})
    assert response.status_code == 200
    token = _TOKEN.search(response.text).group(1)
    assert _TOKEN.search(client.get("/admin/api-clients").text) is None  # never again
    assert browser().get("/api/v1/cases?limit=1", headers=bearer(token)).status_code == 200
    stored = db.session.scalar(sa.select(ApiClient).where(ApiClient.name == "Committee register"))
    assert token.split(".")[1] not in stored.token_hash


def test_a_head_cannot_register_for_another_agency(login_as, agency):
    client = login_as("coordinator.sokuluk")
    page = client.get("/admin/api-clients")
    client.post("/admin/api-clients", data={
        "csrf_token": csrf_token(page.text), "name": "Forged",
        "agency": agency("SOKULUK-POLICE").id, "scopes": ["read_cases"], "lifetime_days": 30})
    assert db.session.scalar(sa.select(ApiClient).where(ApiClient.name == "Forged")) is None


def test_rotate_and_revoke_from_the_page(login_as, api_client, browser):
    made, old = api_client("SOKULUK-POLICE")
    client = login_as("admin")
    token = csrf_token(client.get("/admin/api-clients").text)
    rotated = client.post(f"/admin/api-clients/{made.id}/rotate", data={"csrf_token": token})
    new = _TOKEN.search(rotated.text).group(1)
    api = browser()
    assert api.get("/api/v1/cases?limit=1", headers=bearer(old)).status_code == 401
    assert api.get("/api/v1/cases?limit=1", headers=bearer(new)).status_code == 200
    client.post(f"/admin/api-clients/{made.id}/revoke", data={"csrf_token": token})
    assert api.get("/api/v1/cases?limit=1", headers=bearer(new)).status_code == 401


def test_another_agencys_client_is_404_to_a_head(login_as, api_client):
    made, _token = api_client("SOKULUK-POLICE")
    client = login_as("coordinator.karasuu")
    token = csrf_token(client.get("/admin/api-clients").text)
    for action in ("rotate", "revoke"):
        response = client.post(f"/admin/api-clients/{made.id}/{action}",
                               data={"csrf_token": token})
        assert response.status_code == 404


@pytest.mark.parametrize("code", ["SOKULUK-POLICE", "SOKULUK-COMMITTEE", "MLSSM-GENDER"])
def test_only_a_courts_client_is_given_order_status(user, agency, code):
    with pytest.raises(RuleBroken) as refused:
        clients.register(user("admin"), clients.ClientData(
            "Register", agency(code).id, frozenset({Scope.READ_CASES, Scope.READ_ORDER_STATUS})))
    assert refused.value.field == "scopes"
    court, _token = clients.register(user("admin"), clients.ClientData(
        "Court system", agency("SOKULUK-COURT").id, frozenset({Scope.READ_ORDER_STATUS})))
    assert court.scope_set == {Scope.READ_ORDER_STATUS}


def test_the_page_refuses_order_status_for_another_agency_in_the_users_language(
        login_as, agency):
    client = login_as("admin")
    page = client.get("/admin/api-clients")
    response = client.post("/admin/api-clients", data={
        "csrf_token": csrf_token(page.text), "name": "Police register",
        "agency": agency("SOKULUK-POLICE").id, "scopes": ["read_cases", "read_order_status"],
        "lifetime_days": 30}, headers={"Accept-Language": "ru"})
    assert response.status_code == 200
    assert "Статус охранных ордеров может читать только клиент суда." in response.text
    assert _TOKEN.search(response.text) is None
    assert db.session.scalar(sa.select(ApiClient).where(ApiClient.name == "Police register")) \
        is None
