"""Two-factor sign-in through the browser's eyes: real sessions, CSRF on, a
frozen clock for the codes."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.accounts import administration, two_factor
from coordination.accounts.sessions import PENDING_KEY
from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from coordination.models_base import utcnow
from tests.helpers import DEMO_PASSWORD, TOTP_NOW, csrf_token, enrol, login, post_form, totp_code
from tests.settings.test_settings import FORM as SETTINGS_FORM

LATER = TOTP_NOW + timedelta(minutes=10)
STEP = timedelta(seconds=30)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """Codes are checked as at ``LATER``, whatever the real time."""
    monkeypatch.setattr(two_factor, "utcnow", lambda: LATER)


def _send_code(client, code: str):
    page = client.get("/login/two-factor")
    assert page.status_code == 200
    return client.post("/login/two-factor",
                       data={"code": code, "csrf_token": csrf_token(page.text)})


def _signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


def _audited(action: AuditAction, user_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == action, AuditEvent.user_id == user_id))


# --- the code step --------------------------------------------------------------------------


def test_the_password_step_does_not_sign_in(client, user):
    enrol(user("police.sokuluk"))
    response = login(client, "police.sokuluk")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/two-factor"
    with client.session_transaction() as session:
        assert "_user_id" not in session and PENDING_KEY in session
    # The marker opens nothing: every page treats the browser as anonymous.
    for url in ("/cases", "/profile", "/referrals", "/profile/two-factor/setup"):
        answer = client.get(url)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login"), url
    page = client.get("/login/two-factor")
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.text


def test_the_code_step_signs_in_and_goes_where_the_user_was_going(client, user):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    page = client.get("/login")
    client.post("/login", query_string={"next": "/referrals"},
                data={"username": "police.sokuluk", "password": DEMO_PASSWORD,
                      "csrf_token": csrf_token(page.text)})
    response = _send_code(client, totp_code(secret, LATER))
    assert response.status_code == 302
    assert response.headers["Location"] == "/referrals"
    assert client.get("/cases").status_code == 200
    with client.session_transaction() as session:
        assert PENDING_KEY not in session
    assert _audited(AuditAction.LOGIN_TWO_FACTOR_SUCCEEDED, police.id) == 1
    assert "Signed in with a code" in client.get("/profile").text


def test_a_wrong_code_is_refused_and_the_user_stays_out(client, user):
    police = user("police.sokuluk")
    enrol(police)
    login(client, "police.sokuluk")
    response = _send_code(client, "000000")
    assert response.status_code == 200
    assert "The code is wrong." in response.text
    assert not _signed_in(client)
    assert _audited(AuditAction.LOGIN_CODE_FAILED, police.id) == 1


def test_a_replayed_code_is_refused(client, browser, user):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    code = totp_code(secret, LATER)
    login(client, "police.sokuluk")
    assert _send_code(client, code).status_code == 302
    other = browser()
    login(other, "police.sokuluk")
    response = _send_code(other, code)
    assert response.status_code == 200 and "The code is wrong." in response.text
    assert not _signed_in(other)


def test_a_recovery_code_signs_in_once(client, browser, user):
    _secret, codes = enrol(user("police.sokuluk"))
    login(client, "police.sokuluk")
    response = _send_code(client, codes[3])
    assert response.status_code == 302
    assert "9 remain" in client.get(response.headers["Location"], follow_redirects=True).text
    other = browser()
    login(other, "police.sokuluk")
    assert _send_code(other, codes[3]).status_code == 200
    assert not _signed_in(other)


def test_wrong_codes_lock_the_account(client, app, user):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    login(client, "police.sokuluk")
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert _send_code(client, "000000").status_code == 200
    locked = _send_code(client, "000000")
    assert locked.status_code == 302 and locked.headers["Location"] == "/login"
    assert "The account is locked" in client.get("/login").text
    assert user("police.sokuluk").is_locked
    # The wait is over: no more guesses without the password, which is refused now.
    assert client.get("/login/two-factor").status_code == 302
    again = login(client, "police.sokuluk")
    # The same answer as to anyone refused (issue 14): the password step never
    # says whether this account, or this password, is the locked one.
    assert again.status_code == 200 and "Wrong username or password." in again.text
    assert "The account is locked" not in again.text


def test_the_wait_for_the_code_expires(client, app, user):
    secret, _codes = enrol(user("police.sokuluk"))
    login(client, "police.sokuluk")
    page = client.get("/login/two-factor")
    stale = utcnow() - app.config["TWO_FACTOR_PENDING_TIMEOUT"] - timedelta(seconds=1)
    with client.session_transaction() as session:
        session[PENDING_KEY] = {**session[PENDING_KEY], "since": stale.isoformat()}
    response = client.post("/login/two-factor", data={
        "code": totp_code(secret, LATER), "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not _signed_in(client)
    assert client.get("/login/two-factor").status_code == 302  # the marker is gone


def test_a_password_reset_ends_the_wait(client, user):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    login(client, "police.sokuluk")
    administration.reset_password(user("admin"), police)
    db.session.commit()
    assert client.get("/login/two-factor").status_code == 302
    assert not _signed_in(client)


def test_the_code_step_needs_its_csrf_token(client, user):
    secret, _codes = enrol(user("police.sokuluk"))
    login(client, "police.sokuluk")
    response = client.post("/login/two-factor", data={"code": totp_code(secret, LATER)})
    assert response.status_code == 400
    assert not _signed_in(client)


def test_without_a_password_the_code_step_sends_to_the_login(client):
    response = client.get("/login/two-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_users_without_two_factor_sign_in_with_the_password_alone(client):
    response = login(client, "police.sokuluk")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _signed_in(client)


# --- set-up from the profile ------------------------------------------------------------


def _secret_on(page: str) -> str:
    match = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page)
    assert match, "the set-up page shows no key"
    return match.group(1).replace(" ", "")


def _set_up(client) -> tuple[str, str]:
    """Scan (read) the key and confirm it; returns the key and the codes page."""
    page = client.get("/profile/two-factor/setup")
    assert page.status_code == 200
    secret = _secret_on(page.text)
    response = client.post("/profile/two-factor/setup", data={
        "code": totp_code(secret, LATER), "csrf_token": csrf_token(page.text)})
    assert response.status_code == 200
    return secret, response.text


def test_setting_up_from_the_profile(login_as, client, user):
    login_as("police.sokuluk")
    assert "Manage two-factor sign-in" in client.get("/profile").text
    assert client.get("/profile/two-factor/qr.svg").status_code == 404  # nothing begun
    page = client.get("/profile/two-factor/setup")
    secret = _secret_on(page.text)
    qr = client.get("/profile/two-factor/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.headers["Cache-Control"] == "no-store"
    assert "style" not in qr.text and "<script" not in qr.text
    wrong = client.post("/profile/two-factor/setup", data={
        "code": "000000", "csrf_token": csrf_token(page.text)})
    assert wrong.status_code == 200 and "This code is not the current one" in wrong.text
    assert not user("police.sokuluk").has_two_factor
    assert _secret_on(wrong.text) == secret  # the same key: the app needs no new scan

    _secret, codes_page = _set_up(client)
    codes = re.findall(r"<li><code>([a-z0-9-]{14})</code></li>", codes_page)
    assert len(codes) == 10
    assert "These codes are shown only now." in codes_page
    assert _signed_in(client)  # this session goes on; others ended
    status = client.get("/profile/two-factor").text
    assert "10 recovery codes left." in status
    assert client.get("/profile/two-factor/qr.svg").status_code == 404  # no longer shown
    assert client.get("/profile/two-factor/setup").headers["Location"] == "/profile/two-factor"
    assert _audited(AuditAction.TWO_FACTOR_ENABLED, user("police.sokuluk").id) == 1


def test_switching_it_on_ends_the_other_sessions(login_as, client, browser, user):
    other = browser()
    login(other, "police.sokuluk")
    assert _signed_in(other)
    login_as("police.sokuluk")
    _set_up(client)
    assert not _signed_in(other)
    assert _signed_in(client)


def test_turning_it_off_through_the_page(login_as, client, user):
    login_as("police.sokuluk")
    secret, codes_page = _set_up(client)
    url = "/profile/two-factor/disable"
    refused = post_form(client, url, {"password": "not-the-password",
                                      "code": totp_code(secret, LATER + STEP)})
    assert refused.status_code == 200 and "The password is wrong." in refused.text
    done = post_form(client, url, {"password": DEMO_PASSWORD,
                                   "code": totp_code(secret, LATER + STEP)})
    assert done.status_code == 302
    assert not user("police.sokuluk").has_two_factor
    assert client.get(url).headers["Location"] == "/profile/two-factor"
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/profile").text)})
    assert login(client, "police.sokuluk").headers["Location"] == "/"


def test_new_recovery_codes_through_the_page(login_as, client, user):
    login_as("police.sokuluk")
    secret, _page = _set_up(client)
    response = post_form(client, "/profile/two-factor/recovery-codes",
                         {"password": DEMO_PASSWORD, "code": totp_code(secret, LATER + STEP)})
    assert response.status_code == 200
    assert "Your earlier recovery codes no longer work." in response.text
    assert len(re.findall(r"<li><code>", response.text)) == 10


# --- the administrator's requirement ------------------------------------------------------


def _require(admin_client, **groups) -> None:
    values = {f"two_factor_required_{group}": "y" for group, on in groups.items() if on}
    response = post_form(admin_client, "/admin/settings", {**SETTINGS_FORM, **values})
    assert response.status_code == 302


def test_a_required_user_must_set_it_up_before_anything_else(client, browser, user):
    admin = browser()
    login(admin, "admin")
    _require(admin, committee=True)

    response = login(client, "coordinator.sokuluk")  # the password is enough to start
    assert response.status_code == 302
    for url in ("/", "/cases", "/referrals", "/profile", "/admin/users", "/reports"):
        answer = client.get(url)
        assert answer.status_code == 302, url
        assert answer.headers["Location"] == "/profile/two-factor/setup", url
    page = client.get("/profile/two-factor/setup").text
    assert "Two-factor sign-in is required for your account." in page
    assert client.get("/profile/two-factor/qr.svg").status_code == 200
    secret, _codes_page = _set_up(client)
    assert client.get("/cases").status_code == 200

    # From now on the password alone is not enough, and it cannot be turned off.
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/profile").text)})
    assert login(client, "coordinator.sokuluk").headers["Location"] == "/login/two-factor"
    assert _send_code(client, totp_code(secret, LATER + STEP)).status_code == 302
    page = client.get("/profile/two-factor/disable").text
    assert "it cannot be turned off" in page and 'name="password"' not in page
    refused = post_form(client, "/profile/two-factor/disable", {
        "password": DEMO_PASSWORD, "code": totp_code(secret, LATER + 2 * STEP)})
    assert refused.status_code == 200
    assert user("coordinator.sokuluk").has_two_factor


def test_a_forced_password_change_comes_first(client, user):
    from coordination.settings.services import update_settings

    update_settings(user("admin"), {"two_factor_required_committee": True})
    administration.reset_password(user("admin"), user("coordinator.sokuluk"))
    password = administration.confirm_by_operator(user("coordinator.sokuluk"))
    db.session.commit()
    login(client, "coordinator.sokuluk", password)
    assert client.get("/cases").headers["Location"] == "/profile/password"
    post_form(client, "/profile/password", {"current_password": password,
                                            "password": "a quiet river in Talas",
                                            "confirm": "a quiet river in Talas"})
    assert client.get("/cases").headers["Location"] == "/profile/two-factor/setup"


def test_the_requirement_is_off_by_default_and_can_be_turned_off(client, browser, user):
    assert login(client, "coordinator.sokuluk").headers["Location"] == "/"
    assert client.get("/cases").status_code == 200
    admin = browser()
    login(admin, "admin")
    _require(admin, leads=True)
    assert client.get("/cases").headers["Location"] == "/profile/two-factor/setup"
    _require(admin)  # every box unticked
    assert client.get("/cases").status_code == 200


def test_other_groups_are_not_affected(client, browser):
    admin = browser()
    login(admin, "admin")
    _require(admin, committee=True, ministry=True)
    login(client, "police.sokuluk")
    assert client.get("/cases").status_code == 200


# --- resets ---------------------------------------------------------------------------------


def test_the_administrator_resets_a_lost_phone(login_as, client, browser, user):
    police = user("police.karasuu")
    enrol(police)
    login_as("admin")
    detail = client.get(f"/admin/users/{police.id}").text
    assert "Reset two-factor sign-in" in detail
    response = post_form(client, f"/admin/users/{police.id}/reset-two-factor", {})
    assert response.status_code == 302
    assert "Two-factor sign-in is reset." in client.get(response.headers["Location"]).text
    assert not user("police.karasuu").has_two_factor
    owner = browser()
    assert login(owner, "police.karasuu").headers["Location"] == "/"


def test_an_agency_head_resets_only_their_own_agency(login_as, client, user, make_user):
    colleague = make_user("colleague.sokuluk", "SOKULUK-COMMITTEE")
    enrol(colleague)
    outsider = user("police.sokuluk")
    enrol(outsider)
    login_as("coordinator.sokuluk")
    token = csrf_token(client.get("/profile").text)
    refused = client.post(f"/admin/users/{outsider.id}/reset-two-factor",
                          data={"csrf_token": token})
    assert refused.status_code == 404
    done = client.post(f"/admin/users/{colleague.id}/reset-two-factor",
                       data={"csrf_token": token})
    assert done.status_code == 302
    assert not user("colleague.sokuluk").has_two_factor
    assert user("police.sokuluk").has_two_factor


def test_the_user_list_finds_who_has_no_two_factor(login_as, client, user):
    enrol(user("police.sokuluk"))
    login_as("admin")
    page = client.get("/admin/users?status=no_two_factor&q=sokuluk").text
    assert "social.sokuluk" in page and "police.sokuluk" not in page
