"""Several app processes behind a load balancer share what they must.

Two ``create_app`` calls stand for two processes (gunicorn workers or app
servers). The sign-in limiter counts in Redis when ``REDIS_URL`` is set;
account lockouts, settings and notifications are in the database; sessions
are signed cookies. The Redis tests run against the local server at
127.0.0.1:6379 (``TEST_REDIS_URL`` names another), each run under its own key
prefix, removed afterwards. CI runs Redis, so there a missing server fails
the test; elsewhere it is skipped with the reason.
"""
from __future__ import annotations

import os
import uuid

import pytest
import redis
import sqlalchemy as sa

from coordination import create_app
from tests.conftest import IsolatedClient, _config_dict
from tests.helpers import login

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def shared_redis():
    """(url, key prefix) of the local Redis; the prefix's keys are deleted after."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        client.close()
        message = f"Redis is not reachable at {REDIS_URL} (start redis-server to run this test)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    prefix = f"coordination-test-{uuid.uuid4().hex}"
    try:
        yield client, prefix
    finally:
        for key in client.scan_iter(match=f"*{prefix}*"):
            client.delete(key)
        client.close()


def _process(app, **settings):
    """Another app on the suite's database, sign-in limit on: 3 attempts a minute."""
    # As in production, the environment and REDIS_URL decide where counters live.
    config = {key: value for key, value in _config_dict().items()
              if key not in ("RATELIMIT_STORAGE_URI", "REDIS_URL")}
    process = create_app({**config, "RATELIMIT_ENABLED": True,
                          "LOGIN_RATE_LIMIT": "3 per minute",
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          **settings})
    process.test_client_class = IsolatedClient
    return process


def _client(process, address: str):
    client = process.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_two_processes_share_the_sign_in_limit_through_redis(app, shared_redis):
    store, prefix = shared_redis
    settings = {"REDIS_URL": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    first, second = _process(app, **settings), _process(app, **settings)
    assert first.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    for _attempt in range(3):
        assert login(_client(first, "10.9.0.1"), "police.sokuluk", "wrong").status_code == 200
    assert list(store.scan_iter(match=f"*{prefix}*")), "the counters are not in Redis"
    # The limit reached through one process holds in the other ...
    refused = login(_client(second, "10.9.0.1"), "police.sokuluk")
    assert refused.status_code == 429
    # ... for that address only.
    assert login(_client(second, "10.9.0.2"), "police.sokuluk").status_code == 302


def test_without_a_shared_store_each_process_counts_alone(app):
    """Why Redis is needed: in memory, the second process knows nothing."""
    first, second = _process(app), _process(app)
    assert first.config["RATELIMIT_STORAGE_URI"] == "memory://"
    for _attempt in range(3):
        login(_client(first, "10.9.0.3"), "police.sokuluk", "wrong")
    assert login(_client(first, "10.9.0.3"), "police.sokuluk").status_code == 429
    assert login(_client(second, "10.9.0.3"), "police.sokuluk").status_code == 302


def test_redis_url_from_the_environment_moves_the_counters(monkeypatch, app):
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    assert _process(app).config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"
    # A store named on purpose wins.
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://limits.internal:6379/5")
    assert _process(app).config["RATELIMIT_STORAGE_URI"] == "redis://limits.internal:6379/5"


def test_an_account_locked_through_one_process_is_locked_in_the_other(app):
    """Lockouts are in the database, not in a process."""
    first = _process(app, RATELIMIT_ENABLED=False)
    second = _process(app, RATELIMIT_ENABLED=False)
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        login(_client(first, "10.9.0.4"), "social.sokuluk", "wrong")
    refused = login(_client(second, "10.9.0.5"), "social.sokuluk")
    assert refused.status_code == 200
    assert "locked" in refused.text


def _api_client_allowed(per_minute: int) -> str:
    """A committed Sokuluk police API client of ``per_minute`` calls; its token."""
    from coordination.accounts.models import User
    from coordination.agencies.models import Agency
    from coordination.api import clients
    from coordination.api.models import Scope
    from coordination.extensions import db

    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    police = db.session.scalar(sa.select(Agency).where(Agency.code == "SOKULUK-POLICE"))
    client, token = clients.register(admin, clients.ClientData(
        name="Police case register", agency_id=police.id,
        scopes=frozenset({Scope.READ_CASES})))
    client.rate_per_minute = per_minute
    db.session.commit()
    return token


def _api_calls(process, token: str, count: int) -> list[int]:
    return [process.test_client().get("/api/v1/cases?limit=1", headers={
        "Authorization": f"Bearer {token}"}).status_code for _ in range(count)]


def test_two_processes_share_an_api_clients_budget_through_redis(app, shared_redis):
    store, prefix = shared_redis
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    first, second = _process(app, **settings), _process(app, **settings)
    token = _api_client_allowed(3)
    assert _api_calls(first, token, 2) == [200, 200]
    assert list(store.scan_iter(match=f"*{prefix}*")), "the API counters are not in Redis"
    # One call is left of the budget, whichever process gets it.
    assert _api_calls(second, token, 2) == [200, 429]
    assert _api_calls(first, token, 1) == [429]
    # Another client's budget is its own.
    assert _api_calls(second, _api_client_allowed(3), 1) == [200]


def test_without_a_shared_store_each_process_counts_an_api_client_alone(app):
    first, second = _process(app), _process(app)
    token = _api_client_allowed(2)
    assert _api_calls(first, token, 3) == [200, 200, 429]
    assert _api_calls(second, token, 1) == [200]
