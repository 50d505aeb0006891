"""The user's own account: the password policy, changing the password (forced
after a reset), the language, recent sign-ins."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.accounts import administration
from coordination.accounts.services import (
    AccountError,
    change_password,
    check_new_password,
    recent_logins,
)
from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from tests.helpers import DEMO_PASSWORD, csrf_token, login, post_form

NEW = "a quiet river in Talas"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "Use at least 10 characters."),
        ("Police.Sokuluk", "The password cannot be the username."),
        ("Qwerty123456", "This password is too common"),
        ("password123", "This password is too common"),
        ("йцукенгшщз", "This password is too common"),
    ],
)
def test_password_policy_refuses(password, message):
    with pytest.raises(AccountError, match=message):
        check_new_password(password, "police.sokuluk")


def test_password_policy_accepts_a_long_uncommon_password():
    check_new_password(NEW, "police.sokuluk")
    check_new_password("Жайлоодо-10-бээ", "police.sokuluk")


def test_change_password_checks_the_current_one_and_the_policy(user):
    police = user("police.sokuluk")
    with pytest.raises(AccountError) as wrong:
        change_password(police, "not-it-at-all", NEW)
    assert wrong.value.field == "current_password"
    with pytest.raises(AccountError, match="different from the current"):
        change_password(police, DEMO_PASSWORD, DEMO_PASSWORD)
    with pytest.raises(AccountError, match="too common"):
        change_password(police, DEMO_PASSWORD, "1234567890")
    epoch = police.session_epoch
    change_password(police, DEMO_PASSWORD, NEW)
    assert police.session_epoch == epoch + 1
    assert db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.PASSWORD_CHANGED, AuditEvent.user_id == police.id))


def test_a_temporary_password_must_be_changed_before_anything_else(user, browser):
    administration.reset_password(user("admin"), user("health.sokuluk"))
    # Held (four eyes): the new password comes from the confirmation.
    password = administration.confirm_by_operator(user("health.sokuluk"))
    db.session.commit()
    client = browser()
    assert login(client, "health.sokuluk", password).headers["Location"] == "/profile/password"
    for url in ("/", "/cases", "/profile", "/directory", "/admin/users"):
        assert client.get(url).headers["Location"] == "/profile/password", url
    page = client.get("/profile/password")
    assert "temporary password" in page.text

    response = post_form(client, "/profile/password", {
        "current_password": password, "password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert client.get("/cases").status_code == 200  # the session goes on
    assert not user("health.sokuluk").must_change_password
    assert login(browser(), "health.sokuluk", NEW).headers["Location"] == "/"


def test_forced_user_can_still_sign_out(user, browser):
    administration.reset_password(user("admin"), user("health.karasuu"))
    password = administration.confirm_by_operator(user("health.karasuu"))
    db.session.commit()
    client = browser()
    login(client, "health.karasuu", password)
    page = client.get("/logout")  # sign-out is a POST; the page asks to confirm
    assert page.status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert response.headers["Location"] == "/login"


def test_change_password_form_shows_the_policy_messages(login_as, client, browser):
    login_as("social.karasuu")
    for data, message in [
        ({"current_password": DEMO_PASSWORD, "password": NEW, "confirm": NEW + "x"},
         "The two new passwords differ."),
        ({"current_password": "wrong-one-123", "password": NEW, "confirm": NEW},
         "The current password is wrong."),
        ({"current_password": DEMO_PASSWORD, "password": "social.karasuu",
          "confirm": "social.karasuu"}, "The password cannot be the username."),
    ]:
        response = post_form(client, "/profile/password", data)
        assert response.status_code == 200
        assert message in response.text
    assert login(browser(), "social.karasuu").status_code == 302


def test_changing_the_password_signs_out_other_sessions(login_as, client, browser):
    login_as("lsg.sokuluk")
    other = browser()
    login(other, "lsg.sokuluk")
    assert other.get("/cases").status_code == 200
    post_form(client, "/profile/password", {
        "current_password": DEMO_PASSWORD, "password": NEW, "confirm": NEW})
    assert client.get("/cases").status_code == 200
    assert other.get("/cases").headers["Location"].startswith("/login")


def test_language_is_saved_and_audited(login_as, client, user):
    login_as("police.karasuu")
    response = post_form(client, "/profile", {"language": "ru"})
    assert response.status_code == 302
    assert user("police.karasuu").language == "ru"
    assert '<html lang="ru">' in client.get("/profile").text
    assert db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.LANGUAGE_CHANGED))
    assert post_form(client, "/profile", {"language": "de"}).status_code == 200


def test_recent_logins_newest_first_with_failures_and_addresses(client, login_as, user):
    login(client, "crisis.sokuluk", "not-the-password")
    login_as("crisis.sokuluk")
    events = recent_logins(user("crisis.sokuluk"))
    assert [e.action for e in events[:2]] == [AuditAction.LOGIN_SUCCEEDED,
                                              AuditAction.LOGIN_FAILED]
    page = client.get("/profile").text
    assert "Recent sign-ins" in page
    assert "Refused: wrong password" in page
    assert "127.0.0.1" in page
    assert page.index("Signed in") < page.index("Refused: wrong password")


def test_recent_logins_are_only_the_users_own(login_as, client, user, browser):
    login(browser(), "crisis.karasuu", "not-the-password")
    login_as("crisis.sokuluk")
    assert {e.user_id for e in recent_logins(user("crisis.sokuluk"))} == {
        user("crisis.sokuluk").id}
