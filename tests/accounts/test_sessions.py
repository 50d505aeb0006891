"""Sessions that end (issue 14): a cookie copied before its session ended
opens nothing afterwards, whatever ended it."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.accounts import administration
from coordination.accounts.models import SessionEnd, UserSession
from coordination.extensions import db
from coordination.models_base import utcnow
from tests.helpers import DEMO_PASSWORD, csrf_token, login, post_form

CASE_PAGE = "/cases"
COOKIE = "coordination_session"


def _steal(client) -> str:
    """The session cookie as an eavesdropper or a shared computer keeps it."""
    return client.get_cookie(COOKIE).value


def _replay(browser, cookie: str, address: str = "127.0.0.1") -> int:
    """Open the case list with ``cookie`` from another browser (and address)."""
    other = browser()
    other.set_cookie(COOKIE, cookie)
    return other.get(CASE_PAGE, environ_base={"REMOTE_ADDR": address}).status_code


def _open_session(username: str) -> UserSession:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(UserSession).join(UserSession.user)
        .where(UserSession.ended_at.is_(None), UserSession.user.has(username=username))
        .order_by(UserSession.id.desc())).first()


def test_the_cookie_holds_only_a_token_whose_hash_is_kept(login_as, client):
    login_as("police.sokuluk")
    row = _open_session("police.sokuluk")
    assert row is not None and len(row.token_hash) == 64
    with client.session_transaction() as session:
        assert session["sid"] != row.token_hash


@pytest.mark.parametrize("address", ["127.0.0.1", "203.0.113.9"])
def test_a_cookie_replayed_after_sign_out_opens_nothing(login_as, client, browser, address):
    login_as("police.sokuluk")
    cookie = _steal(client)
    assert _replay(browser, cookie) == 200  # a live session works from a copy
    client.post("/logout", data={"csrf_token": csrf_token(client.get(CASE_PAGE).text)})
    assert _replay(browser, cookie, address) == 302
    db.session.expire_all()
    ended = db.session.scalars(sa.select(UserSession).where(
        UserSession.end_reason == SessionEnd.SIGNED_OUT)).all()
    assert ended


def test_sign_out_by_get_only_asks_to_confirm(login_as, client):
    login_as("police.sokuluk")
    page = client.get("/logout")
    assert page.status_code == 200 and "csrf_token" in page.text
    assert client.get(CASE_PAGE).status_code == 200  # still signed in
    assert client.post("/logout").status_code == 400  # no token, no sign-out
    assert client.get(CASE_PAGE).status_code == 200


def test_a_cookie_replayed_after_a_password_change_opens_nothing(login_as, client, browser):
    login_as("social.karasuu")
    cookie = _steal(client)
    response = post_form(client, "/profile/password", {
        "current_password": DEMO_PASSWORD, "password": "a-new-pass-phrase-9",
        "confirm": "a-new-pass-phrase-9"})
    assert response.status_code == 302
    assert client.get(CASE_PAGE).status_code == 200  # the changing session goes on
    assert _replay(browser, cookie) == 302


def test_a_cookie_replayed_after_deactivation_opens_nothing_even_after_reactivation(
        login_as, client, browser, user):
    login_as("police.sokuluk")
    cookie = _steal(client)
    administration.deactivate_user(user("admin"), user("police.sokuluk"))
    administration.reactivate_user(user("admin"), user("police.sokuluk"))
    db.session.commit()
    assert _replay(browser, cookie) == 302
    assert client.get(CASE_PAGE).status_code == 302


def test_the_administrator_ends_every_session_of_a_user(login_as, client, browser, user):
    login_as("police.sokuluk")
    cookie = _steal(client)
    admin = browser()
    login(admin, "admin")
    target = user("police.sokuluk").id
    response = post_form(admin, f"/admin/users/{target}/end-sessions", {})
    assert response.status_code == 302
    assert _replay(browser, cookie) == 302
    assert client.get(CASE_PAGE).status_code == 302


def test_an_idle_session_ends_on_the_server_whatever_the_cookie_says(
        login_as, client, browser, app):
    login_as("police.sokuluk")
    cookie = _steal(client)
    row = _open_session("police.sokuluk")
    row.last_seen_at = utcnow() - app.config["IDLE_TIMEOUT"] - timedelta(minutes=1)
    db.session.commit()
    assert _replay(browser, cookie) == 302
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).end_reason == SessionEnd.IDLE


def test_a_busy_session_still_ends_after_its_absolute_lifetime(login_as, client, browser, app):
    login_as("police.sokuluk")
    cookie = _steal(client)
    row = _open_session("police.sokuluk")
    row.started_at = utcnow() - app.config["SESSION_ABSOLUTE_LIFETIME"] - timedelta(minutes=1)
    row.last_seen_at = utcnow()
    db.session.commit()
    assert _replay(browser, cookie) == 302
    assert client.get(CASE_PAGE).status_code == 302
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).end_reason == SessionEnd.EXPIRED


def test_a_forged_or_missing_token_opens_nothing(login_as, client):
    login_as("police.sokuluk")
    with client.session_transaction() as session:
        session["sid"] = "forged-token"
    assert client.get(CASE_PAGE).status_code == 302
    login_as("police.sokuluk")
    with client.session_transaction() as session:
        del session["sid"]
    assert client.get(CASE_PAGE).status_code == 302
