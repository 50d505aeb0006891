"""Sign-in that says nothing about who exists (issue 14): one message, one
time, for unknown, locked, normal and temporary-password users; a lock that
slows an attacker without shutting the owner out; per-address throttling
first, behind ProxyFix."""
from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination import create_app
from coordination.accounts import administration
from coordination.accounts.passwords import hash_password
from coordination.accounts.services import LoginOutcome, authenticate, lockout_delay
from coordination.audit.models import AuditAction, AuditEvent
from coordination.config import BaseConfig
from coordination.extensions import db
from coordination.models_base import utcnow
from tests.conftest import IsolatedClient, _config_dict
from tests.helpers import DEMO_PASSWORD, csrf_token

OWNER_ADDRESS = "10.20.0.7"
STRANGER_ADDRESS = "203.0.113.66"


def _sign_in(client, username: str, password: str, address: str = "127.0.0.1"):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address})
    return client.post("/login", environ_base={"REMOTE_ADDR": address}, data={
        "username": username, "password": password, "csrf_token": csrf_token(page.text)})


def _answer(html: str) -> str:
    """The page without what differs between any two requests (the token,
    the username typed back into the form)."""
    html = re.sub(r'name="csrf_token"[^>]*', "", html)
    return re.sub(r'value="[^"]*"', "", html)


def _lock(client, username: str, address: str = "127.0.0.1") -> None:
    for _attempt in range(5):
        _sign_in(client, username, "not-the-password", address)


def test_one_answer_for_unknown_locked_normal_temporary_and_inactive_users(
        client, browser, user, app):
    admin = user("admin")
    administration.reset_password(admin, user("health.karasuu"))  # a temporary password
    administration.deactivate_user(admin, user("lsg.karasuu"))
    db.session.commit()
    _lock(browser(), "social.karasuu", "10.9.9.9")
    answers = {
        name: _answer(_sign_in(browser(), name, "wrong-password-x").text)
        for name in ("nobody.anywhere", "social.karasuu", "police.karasuu", "health.karasuu",
                     "lsg.karasuu")
    }
    assert len(set(answers.values())) == 1, answers.keys()
    assert "Wrong username or password." in answers["nobody.anywhere"]
    # The locked account is refused even with its right password, in the same words.
    locked = _answer(_sign_in(browser(), "social.karasuu", DEMO_PASSWORD).text)
    assert locked == answers["nobody.anywhere"]


@pytest.fixture
def full_cost(app, monkeypatch):
    """Production's argon2 parameters (the suite's are cheap), fresh hashers."""
    for key in ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM"):
        monkeypatch.setitem(app.config, key, getattr(BaseConfig, key))
    for key in ("TEMPORARY_PASSWORD_ARGON2_TIME_COST", "TEMPORARY_PASSWORD_ARGON2_MEMORY_COST",
                "TEMPORARY_PASSWORD_ARGON2_PARALLELISM"):
        monkeypatch.setitem(app.config, key, getattr(BaseConfig, key))
    for cached in ("argon2", "temporary_password_argon2", "argon2_dummy"):
        monkeypatch.delitem(app.extensions, cached, raising=False)
    yield


#: Timing samples per kind of user, taken in turns (so that the load of a
#: shared machine falls on every kind alike); the medians must agree within
#: this ratio.
SAMPLES = 15
TOLERANCE = 1.3


def _timings(usernames: list[str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in usernames}
    for _round in range(SAMPLES):
        for name in usernames:
            start = time.perf_counter()
            result = authenticate(name, "wrong-password-x")
            times[name].append(time.perf_counter() - start)
            assert result.outcome in (LoginOutcome.REFUSED, LoginOutcome.LOCKED)
            db.session.rollback()  # the failures do not add up to a lock meanwhile
    return times


def test_the_answer_takes_the_same_time_whoever_asks(full_cost, user, app):
    """Measured with production's argon2 cost: an unknown user, a normal one,
    a locked one and one holding a temporary password (whose light hash would
    answer many times faster) take the same time within measurement noise."""
    admin = user("admin")
    normal, locked = user("police.karasuu"), user("social.karasuu")
    normal.password_hash = locked.password_hash = hash_password(DEMO_PASSWORD)
    locked.locked_until = utcnow() + timedelta(minutes=10)
    administration.reset_password(admin, user("health.karasuu"))
    db.session.commit()
    authenticate("nobody.anywhere", "warm-up")  # the dummy hash is made once
    db.session.rollback()
    times = _timings(["nobody.anywhere", "police.karasuu", "social.karasuu", "health.karasuu"])
    medians = {name: statistics.median(samples) for name, samples in times.items()}
    print("sign-in seconds (median, min, max):", {
        name: (round(medians[name], 3), round(min(samples), 3), round(max(samples), 3))
        for name, samples in times.items()})
    assert max(medians.values()) / min(medians.values()) < TOLERANCE, medians


def test_the_lock_is_short_and_grows(app):
    first = app.config["LOGIN_LOCKOUT_FIRST"]
    assert [lockout_delay(n) for n in range(3)] == [first, 2 * first, 4 * first]
    assert lockout_delay(40) == app.config["LOGIN_LOCKOUT"]
    assert first <= timedelta(minutes=1)


def test_locks_in_a_row_grow_and_a_sign_in_starts_again(client, user, app):
    _lock(client, "lsg.sokuluk")
    victim = user("lsg.sokuluk")
    first = victim.locked_until - utcnow()
    assert timedelta(0) < first <= app.config["LOGIN_LOCKOUT_FIRST"]
    victim.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _lock(client, "lsg.sokuluk")
    second = user("lsg.sokuluk").locked_until - utcnow()
    assert second > first * 1.5
    victim = user("lsg.sokuluk")
    victim.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _sign_in(client, "lsg.sokuluk", DEMO_PASSWORD).status_code == 302
    assert user("lsg.sokuluk").lockouts_in_a_row == 0


def test_a_stranger_cannot_lock_the_owner_out_of_their_usual_address(browser, user):
    """Five wrong passwords from elsewhere lock the account against everyone
    but the address the owner last signed in from."""
    assert _sign_in(browser(), "lsg.sokuluk", DEMO_PASSWORD, OWNER_ADDRESS).status_code == 302
    _lock(browser(), "lsg.sokuluk", STRANGER_ADDRESS)
    assert user("lsg.sokuluk").is_locked
    # The stranger, even with the right password, is refused ...
    assert _sign_in(browser(), "lsg.sokuluk", DEMO_PASSWORD, STRANGER_ADDRESS).status_code == 200
    # ... the owner at their usual place of work is not.
    assert _sign_in(browser(), "lsg.sokuluk", DEMO_PASSWORD, OWNER_ADDRESS).status_code == 302


def test_the_address_is_throttled_before_any_account_is_looked_at(browser, user, app,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_MAX_FAILURES", 6)
    guesser = browser()
    for name in ("police.sokuluk", "social.sokuluk", "lsg.sokuluk") * 2:
        _sign_in(guesser, name, "wrong-password-x", STRANGER_ADDRESS)
    before = user("police.karasuu").failed_login_count
    refused = _sign_in(guesser, "police.karasuu", DEMO_PASSWORD, STRANGER_ADDRESS)
    assert refused.status_code == 200  # the right password too: the address waits
    assert _sign_in(guesser, "police.karasuu", "wrong", STRANGER_ADDRESS).status_code == 200
    assert user("police.karasuu").failed_login_count == before  # no account is touched
    assert not any(user(n).is_locked for n in ("police.sokuluk", "social.sokuluk"))
    assert _sign_in(browser(), "police.karasuu", DEMO_PASSWORD, "10.1.1.1").status_code == 302


@pytest.mark.parametrize("hops, seen", [(0, "127.0.0.1"), (1, "198.51.100.7")])
def test_proxy_fix_gives_the_limits_the_real_address(app, hops, seen):
    proxied = create_app({**_config_dict(), "PROXY_FIX_X_FOR": hops,
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    proxied.test_client_class = IsolatedClient
    client = proxied.test_client()
    headers = {"X-Forwarded-For": "198.51.100.7"}
    page = client.get("/login", headers=headers)
    client.post("/login", headers=headers, data={
        "username": "nobody.anywhere", "password": "x", "csrf_token": csrf_token(page.text)})
    db.session.expire_all()
    last = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.LOGIN_FAILED).order_by(AuditEvent.id.desc()).limit(1))
    assert last.ip_address == seen
