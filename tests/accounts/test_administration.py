"""Administration of accounts: the services' rules, and the pages as users post them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.accounts import administration
from coordination.accounts.models import Role, User
from coordination.accounts.passwords import verify_password
from coordination.accounts.services import AccountError
from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from coordination.models_base import utcnow
from tests.helpers import csrf_token, login, post_form


def _audited(action: AuditAction, target: User) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_id == target.id)).all()


def _user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


# --- creating ---------------------------------------------------------------------


def test_admin_creates_a_user_with_a_temporary_password(user, agency):
    admin = user("admin")
    # In the ministry (no cases): the administrator hands the password over.
    # In a case-handling agency the account is held (tests/accounts/test_four_eyes.py).
    created, password = administration.add_user(
        admin, agency("MLSSM-GENDER"), " Inspector.New ", "Марат Исаков", Role.MEMBER, "ru")
    assert created.username == "inspector.new"
    assert created.must_change_password
    assert password not in created.password_hash
    assert verify_password(created.password_hash, password)
    assert re.fullmatch(r"([a-z2-9]{4}-){3}[a-z2-9]{4}", password)
    assert [e.user_id for e in _audited(AuditAction.USER_CREATED, created)] == [admin.id]


@pytest.mark.parametrize(
    ("username", "full_name", "language", "field", "message"),
    [
        ("police.sokuluk", "X", None, "username", "The username police.sokuluk is taken."),
        ("POLICE.SOKULUK", "X", None, "username", "is taken"),
        ("ab", "X", None, "username", "3 to 64 characters"),
        ("имя.фамилия", "X", None, "username", "Latin letters"),
        ("new.user", "  ", None, "full_name", "Enter the full name."),
        ("new.user", "X", "de", "language", "The language must be one of"),
    ],
)
def test_bad_new_accounts_are_refused_with_the_field_to_blame(
        user, agency, username, full_name, language, field, message):
    before = _user_count()
    with pytest.raises(AccountError) as refused:
        administration.add_user(user("admin"), agency("SOKULUK-POLICE"), username, full_name,
                                Role.MEMBER, language)
    assert refused.value.field == field
    assert message in str(refused.value)
    assert _user_count() == before


def test_agency_head_creates_members_and_heads_in_their_own_agency_only(user, agency):
    coordinator = user("coordinator.sokuluk")
    own = agency("SOKULUK-COMMITTEE")
    for role in (Role.MEMBER, Role.LEAD):
        created, _password = administration.add_user(coordinator, own, f"new.{role}", "X", role)
        assert created.agency_id == own.id
    with pytest.raises(AccountError, match="You may not give this role"):
        administration.add_user(coordinator, own, "new.admin", "X", Role.ADMIN)
    with pytest.raises(PermissionError):
        administration.add_user(coordinator, agency("SOKULUK-POLICE"), "new.police", "X",
                                Role.MEMBER)
    with pytest.raises(PermissionError):
        administration.add_user(user("police.sokuluk"), agency("SOKULUK-POLICE"), "new.x", "X",
                                Role.MEMBER)


def test_no_user_is_created_in_a_deactivated_agency(user, agency):
    admin, police = user("admin"), agency("KARASUU-POLICE")
    police.active = False
    with pytest.raises(AccountError, match="deactivated"):
        administration.add_user(admin, police, "new.user", "X", Role.MEMBER)


# --- changing ---------------------------------------------------------------------


def test_admin_moves_a_user_and_changes_their_role_each_audited(user, agency):
    admin, police = user("admin"), user("police.sokuluk")
    administration.update_user(admin, police, police.full_name, Role.LEAD, "ky",
                               agency("KARASUU-POLICE"))
    assert police.agency.code == "KARASUU-POLICE"
    assert police.role == Role.LEAD
    assert _audited(AuditAction.USER_AGENCY_CHANGED, police)
    assert _audited(AuditAction.USER_ROLE_CHANGED, police)
    assert _audited(AuditAction.USER_UPDATED, police)  # the language


def test_an_unchanged_user_is_not_audited(user):
    police = user("police.sokuluk")
    administration.update_user(user("admin"), police, police.full_name, police.role,
                               police.language)
    assert not _audited(AuditAction.USER_UPDATED, police)


def test_agency_head_cannot_move_users_or_touch_other_agencies(user, agency, make_user):
    coordinator = user("coordinator.sokuluk")
    colleague = make_user("colleague.sokuluk", "SOKULUK-COMMITTEE")
    with pytest.raises(PermissionError):
        administration.update_user(coordinator, colleague, "X", Role.MEMBER, None,
                                   agency("SOKULUK-POLICE"))
    with pytest.raises(PermissionError):
        administration.update_user(coordinator, user("police.sokuluk"), "X", Role.MEMBER, None)
    with pytest.raises(AccountError, match="You may not give this role"):
        administration.update_user(coordinator, colleague, "X", Role.ADMIN, None)
    administration.update_user(coordinator, colleague, "Новое Имя", Role.LEAD, None)
    assert (colleague.full_name, colleague.role) == ("Новое Имя", Role.LEAD)


def test_nobody_changes_their_own_role_or_agency(user, agency):
    admin = user("admin")
    with pytest.raises(AccountError, match="your own role"):
        administration.update_user(admin, admin, admin.full_name, Role.MEMBER, None)
    with pytest.raises(AccountError, match="your own account"):
        administration.update_user(admin, admin, admin.full_name, Role.ADMIN, None,
                                   agency("SOKULUK-COMMITTEE"))


def test_an_administrator_stays_an_administrator(user, make_user):
    other_admin = make_user("second.admin", "MLSSM-GENDER", "admin")
    with pytest.raises(AccountError, match="stays an administrator"):
        administration.update_user(user("admin"), other_admin, "X", Role.MEMBER, None)


# --- deactivating, unlocking, resetting ----------------------------------------------


def test_deactivated_user_keeps_their_history_and_cannot_sign_in(client, user):
    admin, police = user("admin"), user("police.sokuluk")
    administration.deactivate_user(admin, police)
    db.session.commit()
    assert db.session.get(User, police.id) is not None  # never deleted
    assert _audited(AuditAction.USER_DEACTIVATED, police)
    assert login(client, "police.sokuluk").status_code == 200  # refused
    administration.reactivate_user(admin, police)
    db.session.commit()
    assert login(client, "police.sokuluk").status_code == 302


def test_nobody_deactivates_themselves(user):
    with pytest.raises(AccountError, match="your own account"):
        administration.deactivate_user(user("admin"), user("admin"))


def test_reactivation_needs_an_active_agency(user):
    admin, police = user("admin"), user("police.sokuluk")
    police.active = False
    police.agency.active = False
    with pytest.raises(AccountError, match="reactivate it first"):
        administration.reactivate_user(admin, police)


def test_unlock_clears_the_lock_admins_everyone_heads_their_own(user, make_user):
    colleague = make_user("colleague.sokuluk", "SOKULUK-COMMITTEE")
    admin, coordinator, police = user("admin"), user("coordinator.sokuluk"), user("police.sokuluk")
    for target in (colleague, police):
        target.locked_until = utcnow() + timedelta(minutes=10)
        target.failed_login_count = 3
    administration.unlock_user(coordinator, colleague)
    assert (colleague.locked_until, colleague.failed_login_count) == (None, 0)
    with pytest.raises(PermissionError):
        administration.unlock_user(coordinator, police)
    assert police.locked_until is not None
    administration.unlock_user(admin, police)
    assert police.locked_until is None
    assert len(_audited(AuditAction.USER_UNLOCKED, colleague)) == 1


def test_reset_password_forces_a_change_and_ends_sessions(app, user):
    # A ministry account: no four eyes needed (tests/accounts/test_four_eyes.py).
    admin, police = user("admin"), user("ministry.analyst")
    police.locked_until = utcnow() + timedelta(minutes=10)
    epoch = police.session_epoch
    password = administration.reset_password(admin, police)
    db.session.commit()
    assert police.must_change_password and police.locked_until is None
    assert police.session_epoch == epoch + 1
    assert verify_password(police.password_hash, password)
    assert not verify_password(police.password_hash, "demo-password-1")
    assert _audited(AuditAction.PASSWORD_RESET, police)
    with pytest.raises(AccountError, match="your profile"):
        administration.reset_password(user("admin"), user("admin"))


# --- lists --------------------------------------------------------------------------


def _usernames(actor, **filters) -> set[str]:
    page = administration.list_users(actor, administration.UserFilters(**filters))
    return {u.username for u in page.items}


def test_lists_are_scoped_and_filtered(user, make_user):
    admin, coordinator = user("admin"), user("coordinator.sokuluk")
    make_user("colleague.sokuluk", "SOKULUK-COMMITTEE")
    assert _usernames(coordinator) == {"coordinator.sokuluk", "colleague.sokuluk"}
    sokuluk = coordinator.agency.territory_id
    assert all(name.endswith("sokuluk") for name in _usernames(admin, territory_id=sokuluk))
    chui = coordinator.agency.territory.parent_id
    assert _usernames(admin, territory_id=chui) == _usernames(admin, territory_id=sokuluk)
    assert _usernames(admin, role=Role.ADMIN) == {"admin"}
    assert _usernames(admin, query="ICE.KARA") == {"police.karasuu"}
    assert _usernames(admin, query="Сатыбалдиева") == {"coordinator.sokuluk"}
    user("lsg.karasuu").locked_until = utcnow() + timedelta(minutes=5)
    db.session.flush()  # before the next user() call expires what is not flushed
    assert _usernames(admin, status=administration.UserStatus.LOCKED) == {"lsg.karasuu"}
    assert _usernames(admin, status=administration.UserStatus.TEMPORARY_PASSWORD) == set()


def test_list_needs_a_fixed_number_of_queries(login_as, app):
    from sqlalchemy import event

    client = login_as("admin")
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/admin/users")
        first = len(statements)
        statements.clear()
        client.get("/admin/users?status=active")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert first < 12 and len(statements) < 12


# --- through the pages ------------------------------------------------------------------


def test_admin_creates_a_user_who_must_change_the_password(login_as, client, agency, browser):
    login_as("admin")
    police = agency("MLSSM-GENDER")  # the ministry: no four eyes needed
    response = post_form(client, "/admin/users/new", {
        "full_name": "Марат Исаков", "username": "m.isakov", "agency": police.id,
        "role": "member", "language": "ky"})
    # Post/redirect/get (issue 15): a reload of the page that shows the
    # password must not post the form again.
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/credential")
    # Not in the URL, not readable in the session cookie (kept encrypted, for one page).
    with client.session_transaction() as session:
        kept = repr(dict(session))
    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200 and "no-store" in shown.headers["Cache-Control"]
    password = re.search(r'<code class="secret">([^<]+)</code>', shown.text).group(1)
    assert password not in kept and password not in response.headers["Location"]
    # A reload shows it no more, and creates nothing.
    before = _user_count()
    reload = client.get(response.headers["Location"])
    assert reload.status_code == 302 and password not in reload.text
    assert _user_count() == before
    with client.session_transaction() as session:
        assert "shown_once" not in session

    newcomer = browser()
    assert login(newcomer, "m.isakov", password).headers["Location"] == "/profile/password"
    assert newcomer.get("/cases").headers["Location"] == "/profile/password"


def test_duplicate_username_gets_a_message_beside_the_field(login_as, client, agency):
    login_as("admin")
    before = _user_count()
    response = post_form(client, "/admin/users/new", {
        "full_name": "X", "username": "Police.Sokuluk", "agency": agency("SOKULUK-POLICE").id,
        "role": "member", "language": ""})
    assert response.status_code == 200
    assert "The username police.sokuluk is taken." in response.text
    assert _user_count() == before


def test_head_forging_another_agency_or_the_admin_role_creates_nothing(login_as, client, agency):
    login_as("coordinator.sokuluk")
    before = _user_count()
    for forged in ({"agency": agency("SOKULUK-POLICE").id, "role": "member"},
                   {"agency": agency("SOKULUK-COMMITTEE").id, "role": "admin"}):
        response = post_form(client, "/admin/users/new", {
            "full_name": "X", "username": "forged.user", "language": "", **forged})
        assert response.status_code == 200
        assert "Choose a value from the list." in response.text
    assert _user_count() == before


def test_head_cannot_move_a_colleague_by_posting_an_agency(login_as, client, agency, make_user):
    colleague = make_user("colleague.sokuluk", "SOKULUK-COMMITTEE")
    login_as("coordinator.sokuluk")
    response = post_form(client, f"/admin/users/{colleague.id}", {
        "full_name": "Renamed", "role": "member", "language": "",
        "agency": agency("SOKULUK-POLICE").id})
    assert response.status_code == 302
    db.session.expire_all()
    assert colleague.agency.code == "SOKULUK-COMMITTEE"
    assert colleague.full_name == "Renamed"


def test_reset_through_the_page_shows_the_password_once(login_as, client, browser):
    login_as("admin")
    police_id = db.session.scalar(sa.select(User.id).where(User.username == "ministry.analyst"))
    url = f"/admin/users/{police_id}/reset-password"
    page = client.get(url)
    assert "Reset the password" in page.text
    response = client.post(url, data={"csrf_token": csrf_token(page.text)},
                           follow_redirects=True)
    password = re.search(r'<code class="secret">([^<]+)</code>', response.text).group(1)
    assert password not in client.get(f"/admin/users/{police_id}").text
    assert login(browser(), "ministry.analyst", password).status_code == 302


def test_a_reset_ends_the_users_open_session(login_as, user, browser):
    victim = browser()
    login(victim, "social.sokuluk")
    assert victim.get("/cases").status_code == 200
    administration.reset_password(user("admin"), user("social.sokuluk"))
    db.session.commit()
    assert victim.get("/cases").headers["Location"].startswith("/login")


def test_users_of_a_deactivated_agency_can_still_be_listed(login_as, client, agency):
    login_as("admin")
    lsg = agency("KARASUU-LSG")
    lsg.active = False
    db.session.commit()
    page = client.get(f"/admin/users?agency={lsg.id}").text
    assert "1 user" in page and "lsg.karasuu" in page and "Agency deactivated" in page
