"""Bulk onboarding from CSV: the dry run lists every problem by line, the import
saves all or nothing, and bad files get a clear message."""
from __future__ import annotations

import base64
import io
import re

import pytest
import sqlalchemy as sa

from coordination.accounts import imports
from coordination.accounts.models import User
from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from tests.helpers import csrf_token

HEADER = "agency_code,full_name,username,role,language\n"
GOOD = HEADER + (
    "SOKULUK-POLICE,Марат Исаков,m.isakov,member,ky\n"
    "sokuluk-social,Айжан Бекова,A.Bekova,lead,ru\n"
    "SOKULUK-HEALTH,Ольга Ким,o.kim,member,\n"
)


def _users() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def _problems(check) -> list[tuple[int | None, str]]:
    return [(p.line, str(p.message)) for p in check.problems]


def test_dry_run_of_a_good_file_lists_the_users_and_saves_nothing(user):
    before = _users()
    check = imports.check_import(user("admin"), GOOD.encode())
    assert check.ok
    assert [(r.line, r.agency.code, r.username, r.role, r.language) for r in check.rows] == [
        (2, "SOKULUK-POLICE", "m.isakov", "member", "ky"),
        (3, "SOKULUK-SOCIAL", "a.bekova", "lead", "ru"),
        (4, "SOKULUK-HEALTH", "o.kim", "member", None),
    ]
    assert _users() == before


def test_import_creates_every_user_with_a_temporary_password(user):
    admin = user("admin")
    outcome = imports.run_import(admin, GOOD.encode())
    assert [u.username for u, _password in outcome.created] == ["m.isakov", "a.bekova", "o.kim"]
    assert all(u.must_change_password for u, _password in outcome.created)
    # Case-handling agencies: held until their head confirms; the
    # administrator sees no password (tests/accounts/test_four_eyes.py).
    assert all(u.is_held and password is None for u, password in outcome.created)
    created = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.USER_CREATED, AuditEvent.user_id == admin.id)).all()
    assert len(created) == 3
    assert db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.USERS_IMPORTED))


def test_every_problem_is_listed_by_line_and_nothing_is_saved(user, agency):
    agency("KARASUU-LSG").active = False
    before = _users()
    data = HEADER + (
        "SOKULUK-POLICE,Марат Исаков,m.isakov,member,ky\n"
        "NOPE,Айжан Бекова,a.bekova,lead,ru\n"
        "SOKULUK-POLICE,,police.sokuluk,chief,de\n"
        "SOKULUK-POLICE,Ольга Ким,M.Isakov,member,\n"
        "\n"
        "SOKULUK-POLICE,Too,many,values,ky,extra\n"
        "KARASUU-LSG,Бек Ташиев,b.tashiev,member,ky\n"
        "SOKULUK-POLICE,Бек,x,member,ky\n"
    )
    check = imports.check_import(user("admin"), data.encode())
    assert not check.ok
    assert _problems(check) == [
        (3, "There is no agency with the code NOPE."),
        (4, "Enter the full name."),
        (4, "The username police.sokuluk is taken."),
        (4, "Unknown role chief; use member, lead or admin."),
        (4, "The language must be one of: ky, ru, en."),
        (5, "The username m.isakov is also on line 2."),
        (7, "Expected 5 values separated by commas, found 6."),
        (8, "The agency KARASUU-LSG is deactivated."),
        (9, "A username has 3 to 64 characters: Latin letters, digits, dots, hyphens or "
            "underscores, starting with a letter or a digit."),
    ]
    assert imports.run_import(user("admin"), data.encode()).created == []
    assert _users() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"agency,name,login,role,language\nX,Y,Z,member,ky\n",
         "The first line must name the columns agency_code, full_name, username, role, "
         "language. It names: agency, name, login, role, language."),
        (b"agency_code,full_name,username,role\nX,Y,Z,member\n", "It names: agency_code, "
         "full_name, username, role."),
        (GOOD.encode("cp1251"), "The file is not in UTF-8"),
        (GOOD.encode("utf-16"), "saved as UTF-16"),
        (b"agency_code,full_name,username,role,language\n\x00\x01\x02,x,y,member,ky\n",
         "binary data"),
        (HEADER.encode(), "The file has no users to import."),
    ],
)
def test_bad_files_get_one_clear_message(user, data, message):
    check = imports.check_import(user("admin"), data)
    assert len(check.problems) == 1
    assert check.problems[0].line is None
    assert message in str(check.problems[0].message)


def test_cp1251_message_names_the_encoding_and_the_cure(user):
    check = imports.check_import(user("admin"), GOOD.encode("cp1251"))
    message = str(check.problems[0].message)
    assert "Windows-1251" in message and "CSV UTF-8" in message


def test_byte_order_mark_semicolons_and_column_order_are_accepted(user):
    data = ("\ufeffusername;role;language;agency_code;full_name\n"
            "m.isakov;member;ky;SOKULUK-POLICE;Марат Исаков\n").encode()
    check = imports.check_import(user("admin"), data)
    assert check.ok, _problems(check)
    assert check.rows[0].full_name == "Марат Исаков"


def test_quotes_that_never_close_are_a_problem_not_an_error(user):
    data = (HEADER + 'SOKULUK-POLICE,"Марат Исаков,m.isakov,member,ky\n').encode()
    check = imports.check_import(user("admin"), data)
    assert not check.ok


def test_more_than_5000_lines_are_refused_before_reading_them(user, app):
    lines = "".join(f"SOKULUK-POLICE,Name {n},user{n:05d},member,ky\n" for n in range(10_001))
    check = imports.check_import(user("admin"), (HEADER + lines).encode())
    assert _problems(check) == [(None, "The file has 10,001 data lines; at most 5,000 can be "
                                       "imported at once. Split it into smaller files.")]


def test_5000_lines_are_checked_in_a_few_queries(user):
    from sqlalchemy import event

    lines = "".join(f"SOKULUK-POLICE,Name {n},user{n:05d},member,ky\n" for n in range(5000))
    statements = []

    def count(*_args):
        statements.append(1)

    admin = user("admin")
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        check = imports.check_import(admin, (HEADER + lines).encode())
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert check.ok and len(check.rows) == 5000
    assert len(statements) < 10


def test_agency_head_imports_into_their_own_agency_only(user):
    coordinator = user("coordinator.sokuluk")
    data = HEADER + (
        "SOKULUK-COMMITTEE,Марат Исаков,m.isakov,member,ky\n"
        "SOKULUK-POLICE,Айжан Бекова,a.bekova,member,ru\n"
        "NO-SUCH-AGENCY,Ольга Ким,o.kim,member,\n"
        "SOKULUK-COMMITTEE,Бек Ташиев,b.tashiev,admin,ky\n"
    )
    check = imports.check_import(coordinator, data.encode())
    assert _problems(check) == [
        (3, "You may import users only into your own agency (SOKULUK-COMMITTEE)."),
        (4, "You may import users only into your own agency (SOKULUK-COMMITTEE)."),
        (5, "You may not give the role admin."),
    ]
    good = HEADER + "SOKULUK-COMMITTEE,Марат Исаков,m.isakov,member,ky\n"
    assert [u.agency.code for u, _p in
            imports.run_import(coordinator, good.encode()).created] == ["SOKULUK-COMMITTEE"]


def test_members_cannot_import(user):
    with pytest.raises(PermissionError):
        imports.check_import(user("police.sokuluk"), GOOD.encode())


def test_all_or_nothing_when_saving_fails_half_way(user, monkeypatch):
    """A username taken between the check and the save: the savepoint is rolled back."""
    admin = user("admin")
    check = imports.check_import(admin, GOOD.encode())
    taken = imports.ImportRow(9, check.rows[0].agency, "X", "police.karasuu",
                              check.rows[0].role, None)
    check.rows.append(taken)
    monkeypatch.setattr(imports, "check_import", lambda _actor, _data: check)
    before = _users()
    outcome = imports.run_import(admin, GOOD.encode())
    assert outcome.created == []
    assert "Nothing was imported" in str(outcome.check.problems[0].message)
    assert _users() == before
    assert db.session.scalar(sa.select(User).where(User.username == "m.isakov")) is None


# --- through the pages --------------------------------------------------------------------


def _upload(client, data: bytes):
    page = client.get("/admin/users/import")
    return client.post("/admin/users/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page.text), "file": (io.BytesIO(data), "staff.csv")})


def test_check_then_import_through_the_pages(login_as, client, browser):
    login_as("admin")
    before = _users()
    checked = _upload(client, GOOD.encode())
    assert checked.status_code == 200
    assert "The file is correct: 3 users to create" in checked.text
    assert _users() == before
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', checked.text).group(1)
    imported = client.post("/admin/users/import", data={
        "csrf_token": csrf_token(checked.text), "content": content})
    assert imported.status_code == 200
    assert "3 accounts created" in imported.text
    assert _users() == before + 3
    assert 'class="secret"' not in imported.text
    assert imported.text.count("Held until the agency head confirms") == 3


def test_problems_are_shown_by_line_through_the_page(login_as, client):
    login_as("admin")
    response = _upload(client, (HEADER + "SOKULUK-POLICE,X,police.sokuluk,member,ky\n").encode())
    assert response.status_code == 200
    assert "1 problem: nothing was imported" in response.text
    assert "Line 2" in response.text and "is taken" in response.text
    assert 'name="content"' not in response.text


@pytest.mark.parametrize("data", [GOOD.encode("cp1251"), b"\xff\xfe\x00garbage"])
def test_bad_encodings_never_give_a_server_error(login_as, client, data):
    login_as("admin")
    response = _upload(client, data)
    assert response.status_code == 200
    assert "CSV UTF-8" in response.text


def test_a_tampered_carried_file_is_checked_again(login_as, client):
    login_as("admin")
    page = client.get("/admin/users/import")
    forged = HEADER + "MLSSM-GENDER,Evil,evil.admin,admin,en\nNOPE,X,yy.x,member,ky\n"
    response = client.post("/admin/users/import", data={
        "csrf_token": csrf_token(page.text),
        "content": base64.b64encode(forged.encode()).decode()})
    assert "There is no agency with the code NOPE." in response.text
    assert db.session.scalar(sa.select(User).where(User.username == "evil.admin")) is None
    garbage = client.post("/admin/users/import", data={
        "csrf_token": csrf_token(page.text), "content": "not base64 !!"})
    assert garbage.status_code == 400


def test_a_file_beyond_the_request_limit_gets_a_page_not_a_crash(login_as, client, app):
    login_as("admin")
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/admin/users/import", data=too_big,
                           content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    assert "too large" in response.text.lower()
