"""Separation of duties (issue 14): an administrator who creates or resets an
account in a case-handling agency never learns a usable credential, and the
account opens no case until the agency's head confirms it."""
from __future__ import annotations

import re

import sqlalchemy as sa

from coordination import policy
from coordination.accounts import administration
from coordination.accounts.models import Role, User
from coordination.audit.models import AuditEvent
from coordination.extensions import db
from coordination.settings.services import update_settings
from tests.helpers import csrf_token, login, post_form

SECRET = re.compile(r'<code class="secret">([^<]+)</code>')


def _new_police_member(client, agency) -> tuple[str, User]:
    response = post_form(client, "/admin/users/new", {
        "full_name": "Марат Исаков", "username": "m.isakov",
        "agency": agency("SOKULUK-POLICE").id, "role": "member", "language": "ru"})
    created = db.session.scalar(sa.select(User).where(User.username == "m.isakov"))
    assert response.status_code == 302  # post/redirect/get (issue 15)
    return client.get(response.headers["Location"]).text, created


def test_the_administrator_never_sees_a_credential_of_a_case_agency_account(
        login_as, client, agency):
    page, created = _new_police_member(login_as("admin"), agency)
    assert created.is_held and not SECRET.search(page)
    assert "held" in page
    assert not policy.works_on_cases(created)


def test_a_reset_by_the_administrator_holds_the_account_and_shows_nothing(
        login_as, client, user, browser):
    target = user("police.karasuu")
    login_as("admin")
    url = f"/admin/users/{target.id}/reset-password"
    response = client.post(url, data={"csrf_token": csrf_token(client.get(url).text)},
                           follow_redirects=True)
    assert response.status_code == 200 and not SECRET.search(response.text)
    assert "held" in response.text
    assert user("police.karasuu").is_held
    # The old password is gone too: nobody can sign in until the head confirms.
    assert login(browser(), "police.karasuu").status_code == 200


def test_the_agency_head_confirms_and_prints_the_one_time_password(
        login_as, client, user, agency, browser):
    admin = browser()
    login(admin, "admin")
    _page, created = _new_police_member(admin, agency)
    # Sokuluk's police has no head of its own: the committee's head confirms.
    head = login_as("coordinator.sokuluk")
    assert "m.isakov" in head.get("/admin/users").text
    url = f"/admin/users/{created.id}/confirm"
    response = head.post(url, data={"csrf_token": csrf_token(head.get(url).text)},
                         follow_redirects=True)
    password = SECRET.search(response.text).group(1)
    newcomer = browser()
    assert login(newcomer, "m.isakov", password).headers["Location"] == "/profile/password"
    assert not user("m.isakov").is_held
    assert user("m.isakov").confirmed_by_id == user("coordinator.sokuluk").id


def test_administrators_and_other_heads_cannot_confirm(login_as, client, user, agency, browser):
    admin = browser()
    login(admin, "admin")
    _page, created = _new_police_member(admin, agency)
    url = f"/admin/users/{created.id}/confirm"
    assert admin.get(url).status_code == 403
    assert login_as("coordinator.karasuu").get(url).status_code == 404
    assert not policy.can(user("police.sokuluk"), policy.Action.CONFIRM_ACCOUNT, created)
    assert not policy.can(created, policy.Action.CONFIRM_ACCOUNT, created)


def test_the_agency_head_sees_what_the_administrator_did_to_their_accounts(
        login_as, user, agency, browser):
    admin = browser()
    login(admin, "admin")
    _page, created = _new_police_member(admin, agency)
    administration.end_sessions(user("admin"), user("social.sokuluk"))
    db.session.commit()
    head = user("coordinator.sokuluk")
    social_head = db.session.scalar(sa.select(User).where(
        User.agency_id == agency("SOKULUK-SOCIAL").id, User.role == Role.LEAD))
    if social_head is not None:
        visible = db.session.scalars(policy.visible_audit_events(social_head).where(
            AuditEvent.object_type == "user")).all()
        assert any(e.object_id == user("social.sokuluk").id and e.user_id == user("admin").id
                   for e in visible)
    # Through the page: the committee head's audit view lists the admin's act
    # on an account of the committee.
    colleague = administration.add_user(user("admin"), agency("SOKULUK-COMMITTEE"),
                                        "colleague.new", "Айгуль Токтосунова", Role.MEMBER)[0]
    db.session.commit()
    events = db.session.scalars(policy.visible_audit_events(head).where(
        AuditEvent.object_type == "user", AuditEvent.object_id == colleague.id)).all()
    assert [e.user_id for e in events] == [user("admin").id]
    assert "user_created" in login_as("coordinator.sokuluk").get("/audit?user=admin").text


def test_two_factor_can_be_required_before_the_first_case_view(login_as, client, user, agency,
                                                              browser):
    update_settings(user("admin"), {"two_factor_required_confirmed": True})
    db.session.commit()
    admin = browser()
    login(admin, "admin")
    _page, created = _new_police_member(admin, agency)
    password = administration.confirm_account(user("coordinator.sokuluk"), created)
    db.session.commit()
    newcomer = browser()
    login(newcomer, "m.isakov", password)
    post_form(newcomer, "/profile/password", {"current_password": password,
                                              "password": "a quiet river in Talas",
                                              "confirm": "a quiet river in Talas"})
    assert newcomer.get("/cases").headers["Location"] == "/profile/two-factor/setup"
