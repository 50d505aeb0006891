"""Bulk onboarding: users from a CSV file, checked line by line, saved all or nothing.

The file has a header line naming the columns ``agency_code, full_name,
username, role, language`` (in any order; a semicolon works as the separator
too, as spreadsheets set to Russian write it) and at most
``IMPORT_MAX_LINES`` data lines, in UTF-8 with or without a byte order mark.
:func:`check_import` is the dry run: it reads everything, saves nothing and
lists every problem with its line number. :func:`run_import` checks again
and, only when no line has a problem, creates every user in one savepoint,
each with a one-time temporary password.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from coordination import policy
from coordination.accounts.models import Role, User
from coordination.accounts.passwords import hash_temporary_password, new_temporary_password
from coordination.accounts.services import (
    AccountError,
    check_full_name,
    language_problem,
    new_user,
    normalise_username,
    username_problem,
)
from coordination.agencies.models import Agency
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.csv_import import FileProblem, Problem, read_records
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.refusals import Forbidden

COLUMNS = ("agency_code", "full_name", "username", "role", "language")


@dataclass(frozen=True)
class ImportRow:
    line: int
    agency: Agency
    full_name: str
    username: str
    role: Role
    language: str | None


@dataclass
class ImportCheck:
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing wrong, and something to import."""
        return not self.problems and bool(self.rows)


@dataclass
class ImportOutcome:
    check: ImportCheck
    #: Each created user with their temporary password, in file order.
    created: list[tuple[User, str]] = field(default_factory=list)


# --- checking ----------------------------------------------------------------------


@dataclass
class _Context:
    """What the checks of every line look up, fetched once for the whole file."""

    actor: User
    agencies: dict[str, Agency]
    taken: set[str]
    roles: list[Role]
    seen: dict[str, int] = field(default_factory=dict)


def _context(actor: User, records: list[tuple[int, dict[str, str]]]) -> _Context:
    codes = {values["agency_code"].strip().upper() for _line, values in records}
    usernames = {normalise_username(values["username"]) for _line, values in records}
    agencies = db.session.scalars(
        sa.select(Agency).where(sa.func.upper(Agency.code).in_(codes - {""}))
    )
    taken = db.session.scalars(
        sa.select(sa.func.lower(User.username)).where(
            sa.func.lower(User.username).in_(usernames - {""}))
    )
    return _Context(actor, {a.code.upper(): a for a in agencies}, set(taken),
                    policy.assignable_roles(actor))


def _agency(ctx: _Context, code: str, problems: list) -> Agency | None:
    if not code:
        problems.append(_l("The agency code is empty."))
        return None
    agency = ctx.agencies.get(code.upper())
    if agency is None or not policy.can(ctx.actor, policy.Action.CREATE_USER_IN, agency):
        if policy.administers_everything(ctx.actor):
            problems.append(_l("There is no agency with the code %(code)s.", code=code))
        else:  # an agency head learns nothing about other agencies' codes
            problems.append(_l("You may import users only into your own agency (%(own)s).",
                               own=ctx.actor.agency.code))
        return None
    if not agency.active:
        problems.append(_l("The agency %(code)s is deactivated.", code=agency.code))
        return None
    return agency


def _username(ctx: _Context, line: int, raw: str, problems: list) -> str:
    username = normalise_username(raw)
    problem = username_problem(username)
    if problem:
        problems.append(problem)
    elif username in ctx.seen:
        problems.append(_l("The username %(username)s is also on line %(line)d.",
                           username=username, line=ctx.seen[username]))
    elif username in ctx.taken:
        problems.append(_l("The username %(username)s is taken.", username=username))
    ctx.seen.setdefault(username, line)
    return username


def _role(ctx: _Context, raw: str, problems: list) -> Role | None:
    value = raw.strip().lower()
    try:
        role = Role(value)
    except ValueError:
        problems.append(_l("Unknown role %(role)s; use member, lead or admin.",
                           role=value or "—"))
        return None
    if role not in ctx.roles:
        problems.append(_l("You may not give the role %(role)s.", role=value))
        return None
    return role


def _check_line(ctx: _Context, line: int, values: dict[str, str], check: ImportCheck) -> None:
    problems: list = []
    agency = _agency(ctx, values["agency_code"].strip(), problems)
    full_name = values["full_name"].strip()
    try:
        check_full_name(full_name)
    except AccountError as error:
        problems.append(error.message)
    username = _username(ctx, line, values["username"], problems)
    role = _role(ctx, values["role"], problems)
    language = values["language"].strip().lower() or None
    problem = language_problem(language)
    if problem:
        problems.append(problem)
    check.problems.extend(Problem(line, message) for message in problems)
    if not problems:
        check.rows.append(ImportRow(line, agency, full_name, username, role, language))




def check_import(actor: User, data: bytes) -> ImportCheck:
    """The dry run: every problem of the file, by line; nothing is saved."""
    if not policy.may_use(actor, policy.Section.ADMINISTRATION):
        raise Forbidden("this user may not import users")
    check = ImportCheck()
    try:
        records = read_records(data, COLUMNS, check.problems)
    except FileProblem as problem:
        return ImportCheck(problems=[Problem(None, problem.message)])
    ctx = _context(actor, records)
    for line, values in records:
        _check_line(ctx, line, values, check)
    check.problems.sort(key=lambda problem: problem.line or 0)
    if not check.rows and not check.problems:
        check.problems.append(Problem(None, _l("The file has no users to import.")))
    return check


def run_import(actor: User, data: bytes) -> ImportOutcome:
    """Check the file again and, if no line has a problem, create every user.

    All or nothing: the users are created in one savepoint, which is rolled
    back if anything fails (someone took a username in the meantime). The
    caller commits. Each new user's temporary password is returned once.
    """
    check = check_import(actor, data)
    if not check.ok:
        return ImportOutcome(check)
    passwords = [new_temporary_password() for _row in check.rows]
    try:
        with db.session.begin_nested():
            users = [
                new_user(row.username, row.full_name, row.agency, row.role, row.language,
                         hash_temporary_password(password), must_change_password=True)
                for row, password in zip(check.rows, passwords, strict=True)
            ]
            db.session.add_all(users)
            db.session.flush()
            for user in users:
                record(AuditAction.USER_CREATED, actor, "user", user.id)
                if policy.held_by_four_eyes(actor, user.agency, user.role):
                    user.held_since = utcnow()  # its agency head prints the credential
            record(AuditAction.USERS_IMPORTED, actor)
            db.session.flush()
    except sa.exc.IntegrityError:
        return ImportOutcome(ImportCheck(problems=[Problem(None, _l(
            "Nothing was imported: one of the usernames was taken while the file was being "
            "imported. Check the file again."))]))
    shown = [None if user.is_held else password
             for user, password in zip(users, passwords, strict=True)]
    return ImportOutcome(check, list(zip(users, shown, strict=True)))
