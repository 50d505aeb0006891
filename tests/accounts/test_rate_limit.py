"""Sign-in attempts per client address (Flask-Limiter), and the lockout's audit."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination import create_app
from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from tests.conftest import IsolatedClient, _config_dict
from tests.helpers import csrf_token, enrol, login


@pytest.fixture
def limited(app):
    """An app on the suite's database with the limit on: 3 attempts a minute."""
    limited = create_app({**_config_dict(), "RATELIMIT_ENABLED": True,
                          "LOGIN_RATE_LIMIT": "3 per minute",
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    limited.test_client_class = IsolatedClient
    return limited


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_too_many_sign_in_attempts_from_one_address_are_refused(limited):
    client = _client(limited, "10.0.0.1")
    for _attempt in range(3):
        assert login(client, "police.sokuluk", "wrong-password").status_code == 200
    refused = login(client, "social.sokuluk", "wrong-password")
    assert refused.status_code == 429
    assert "Too many sign-in attempts from this address" in refused.text
    assert "Traceback" not in refused.text
    # Even the right password waits: the limit counts requests, not failures.
    assert login(client, "police.sokuluk").status_code == 429
    # Reading the form is not an attempt.
    assert client.get("/login").status_code == 200


def test_the_limit_is_per_address(limited):
    first = _client(limited, "10.0.0.2")
    for _attempt in range(4):
        login(first, "police.sokuluk", "wrong-password")
    assert login(_client(limited, "10.0.0.3"), "police.sokuluk").status_code == 302


def test_the_refusal_is_in_the_users_language(limited):
    client = _client(limited, "10.0.0.4")
    client.get("/login?lang=ru")
    for _attempt in range(3):
        login(client, "police.sokuluk", "wrong-password")
    refused = login(client, "police.sokuluk", "wrong-password")
    assert refused.status_code == 429
    assert '<html lang="ru">' in refused.text
    assert "Too many" not in refused.text


def test_the_suite_runs_without_the_limit_and_production_has_it(app):
    from coordination.config import BaseConfig

    assert app.config["RATELIMIT_ENABLED"] is False
    assert BaseConfig.RATELIMIT_ENABLED is True
    assert BaseConfig.LOGIN_RATE_LIMIT == "10 per minute"


def test_storage_comes_from_the_environment(monkeypatch, app):
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://?from=environment")
    config = {key: value for key, value in _config_dict().items()
              if key != "RATELIMIT_STORAGE_URI"}  # the mapping would win over the environment
    configured = create_app({**config,
                             "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert configured.config["RATELIMIT_STORAGE_URI"] == "memory://?from=environment"


def test_a_lockout_is_audited(client, user, app):
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "police.sokuluk", "wrong-password")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN_LOCKED)
    ).all()
    assert [e.user_id for e in events] == [user("police.sokuluk").id]


def test_two_factor_codes_count_against_the_same_limit(limited, user):
    """The password and the code steps share one budget per address: a known
    password does not open a second allowance for guessing codes."""
    enrol(user("police.sokuluk"))
    client = _client(limited, "10.0.0.5")
    assert login(client, "police.sokuluk").headers["Location"] == "/login/two-factor"
    for _attempt in range(2):
        page = client.get("/login/two-factor")
        answer = client.post("/login/two-factor",
                             data={"code": "000000", "csrf_token": csrf_token(page.text)})
        assert answer.status_code == 200
    page = client.get("/login/two-factor")
    refused = client.post("/login/two-factor",
                          data={"code": "000000", "csrf_token": csrf_token(page.text)})
    assert refused.status_code == 429
