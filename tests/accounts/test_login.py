"""Signing in and out through the real form, as users do."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.audit.models import AuditAction, AuditEvent
from coordination.demo import demo_usernames
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.security import SEEN_KEY
from tests.helpers import csrf_token, login

WRONG = "Wrong username or password."


@pytest.mark.parametrize("username", demo_usernames())
def test_every_demo_account_can_sign_in(client, username):
    response = login(client, username)
    assert response.status_code == 302
    assert client.get("/").status_code in (200, 302)


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    wrong_password = login(client, "police.sokuluk", "not-the-password")
    unknown_user = login(client, "nobody.anywhere", "not-the-password")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert WRONG in response.text
    assert client.get("/cases").status_code == 302  # still anonymous


def test_failed_logins_are_audited_without_the_attempted_name(client, user):
    login(client, "police.sokuluk", "not-the-password")
    login(client, "nobody.anywhere", "not-the-password")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN_FAILED)
    ).all()
    assert [e.user_id for e in events] == [user("police.sokuluk").id, None]


def test_username_is_case_insensitive(client):
    assert login(client, "  Police.Sokuluk ").status_code == 302


def test_inactive_user_cannot_sign_in(client, user):
    user("social.sokuluk").active = False
    db.session.commit()
    response = login(client, "social.sokuluk")
    assert response.status_code == 200
    assert WRONG in response.text


def test_deactivating_a_user_ends_their_session(login_as, client, user):
    login_as("social.sokuluk")
    user("social.sokuluk").active = False
    db.session.commit()
    assert client.get("/cases").status_code == 302


def test_account_locks_after_repeated_failures(client, app, user):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "lsg.sokuluk", "not-the-password")
    # Now even the right password is refused while the lock lasts.
    response = login(client, "lsg.sokuluk")
    assert response.status_code == 200
    assert "locked" in response.text
    locked = user("lsg.sokuluk")
    assert locked.locked_until > utcnow()

    locked.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(client, "lsg.sokuluk").status_code == 302


def test_login_without_csrf_token_is_refused(client):
    response = client.post(
        "/login", data={"username": "police.sokuluk", "password": "demo-password-1"}
    )
    assert response.status_code == 400
    assert client.get("/cases").status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/cases/new", "/cases/new"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirects_only_to_local_paths(client, target, expected):
    page = client.get("/login")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "police.sokuluk", "password": "demo-password-1",
              "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_anonymous_user_is_sent_to_login_with_next(client):
    response = client.get("/cases?status=open")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "status%3Dopen" in response.headers["Location"]


def test_session_expires_after_inactivity(login_as, client, app):
    login_as("police.sokuluk")
    assert client.get("/cases").status_code == 200
    stale = utcnow() - app.config["IDLE_TIMEOUT"] - timedelta(minutes=1)
    with client.session_transaction() as session:
        session[SEEN_KEY] = stale.isoformat()
    response = client.get("/cases")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/cases").status_code == 302  # signed out for good


def test_activity_keeps_the_session_alive(login_as, client, app):
    login_as("police.sokuluk")
    recent = utcnow() - app.config["IDLE_TIMEOUT"] + timedelta(minutes=1)
    with client.session_transaction() as session:
        session[SEEN_KEY] = recent.isoformat()
    assert client.get("/cases").status_code == 200


def test_logout_needs_csrf_on_post_and_signs_out(login_as, client):
    login_as("police.sokuluk")
    page = client.get("/cases")
    assert client.post("/logout").status_code == 400
    response = client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert client.get("/cases").status_code == 302


def test_password_is_stored_as_argon2id(user):
    assert user("admin").password_hash.startswith("$argon2id$")
