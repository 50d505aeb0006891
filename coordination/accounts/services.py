"""Account services: authentication with throttling, the password policy,
creating users, and what users change in their own profile."""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from coordination.accounts import session_store
from coordination.accounts.models import Role, SessionEnd, User
from coordination.accounts.passwords import (
    dummy_verify,
    hash_password,
    needs_rehash,
    verify_password,
    verify_password_evenly,
)
from coordination.agencies.models import Agency
from coordination.audit.models import AuditAction, AuditEvent
from coordination.audit.services import record
from coordination.extensions import db
from coordination.i18n import lazy_ngettext
from coordination.models_base import utcnow
from coordination.refusals import RuleBroken


class LoginOutcome(enum.Enum):
    SUCCEEDED = "succeeded"
    #: Wrong username, wrong password or inactive account: one answer for all.
    REFUSED = "refused"
    #: Too many failures in a row; the account is locked for a while.
    LOCKED = "locked"
    #: The password is right, and the user has two-factor sign-in on: they
    #: are not signed in until they give a code too.
    CODE_NEEDED = "code_needed"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None


def find_user(username: str) -> User | None:
    """The user with ``username`` (case-insensitive, surrounding spaces ignored)."""
    name = username.strip().lower()
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.username) == name))


def authenticate(username: str, password: str, address: str | None = None) -> LoginResult:
    """Check a login attempt, update the throttling state and audit it.

    Nothing in the answer tells who exists: an unknown username, a wrong
    password, an inactive account and a locked one take the same time (one
    full-cost password verification each, whatever the stored hash) and the
    view shows one message for ``REFUSED`` and ``LOCKED``. The order:

    1. the client address (``address_throttled``): too many failures from it
       and nothing else is looked at;
    2. the account lock, a short growing delay, which the owner's usual
       address passes (``passes_lock``), so that a stranger cannot lock them out;
    3. the password.

    A right password of a user with two-factor sign-in gives ``CODE_NEEDED``:
    the sign-in is complete only with a code (``two_factor.verify_login_code``).
    """
    if address_throttled(address):
        dummy_verify(password)
        record(AuditAction.LOGIN_FAILED)
        return LoginResult(LoginOutcome.REFUSED)
    user = find_user(username)
    if user is None:
        dummy_verify(password)
        record(AuditAction.LOGIN_FAILED)
        return LoginResult(LoginOutcome.REFUSED)

    matches = verify_password_evenly(user.password_hash, password)
    if user.is_locked and not passes_lock(user, address):
        record(AuditAction.LOGIN_LOCKED, user, "user", user.id)
        return LoginResult(LoginOutcome.LOCKED)

    if not matches or not user.is_active:
        register_failure(user)
        return LoginResult(
            LoginOutcome.LOCKED if user.is_locked else LoginOutcome.REFUSED
        )

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.has_two_factor:
        # The failures in a row are not cleared yet: a password alone must
        # not buy more guesses at the code.
        return LoginResult(LoginOutcome.CODE_NEEDED, user)
    complete_login(user, AuditAction.LOGIN_SUCCEEDED)
    return LoginResult(LoginOutcome.SUCCEEDED, user)


#: Sign-ins that succeeded (the address they came from is the owner's).
SUCCESSFUL_LOGINS = (AuditAction.LOGIN_SUCCEEDED, AuditAction.LOGIN_TWO_FACTOR_SUCCEEDED,
                     AuditAction.LOGIN_RECOVERY_CODE_USED)
FAILED_LOGINS = (AuditAction.LOGIN_FAILED, AuditAction.LOGIN_CODE_FAILED)


def address_throttled(address: str | None) -> bool:
    """Whether ``address`` failed ``LOGIN_ADDRESS_MAX_FAILURES`` sign-ins (any
    usernames) within ``LOGIN_ADDRESS_WINDOW``: refused before any account is
    looked at, so one address can neither guess nor lock accounts in bulk."""
    if not address:
        return False
    config = current_app.config
    since = utcnow() - config["LOGIN_ADDRESS_WINDOW"]
    failures = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action.in_(FAILED_LOGINS), AuditEvent.at > since,
        AuditEvent.ip_address == address))
    return failures >= config["LOGIN_ADDRESS_MAX_FAILURES"]


def passes_lock(user: User, address: str | None) -> bool:
    """Whether an attempt from ``address`` may go on although the account is
    locked: it comes from the address of the owner's last successful
    sign-in, and fewer than ``LOGIN_MAX_FAILURES`` attempts failed from there
    since. Failures from elsewhere (a stranger who knows the username) do
    not shut the owner out at their usual place of work."""
    if not address:
        return False
    last = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.user_id == user.id,
                                    AuditEvent.action.in_(SUCCESSFUL_LOGINS))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(1))
    if last is None or last.ip_address != address:
        return False
    failed_here = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.user_id == user.id, AuditEvent.action.in_(FAILED_LOGINS),
        AuditEvent.ip_address == address, AuditEvent.id > last.id))
    return failed_here < current_app.config["LOGIN_MAX_FAILURES"]


def complete_login(user: User, action: AuditAction) -> None:
    """Every factor was right: clear the failures, note the time, audit ``action``."""
    user.failed_login_count = 0
    user.locked_until = None
    user.lockouts_in_a_row = 0
    user.last_login_at = utcnow()
    record(action, user, "user", user.id)


def lockout_delay(lockouts_before: int) -> timedelta:
    """How long the next lock lasts: ``LOGIN_LOCKOUT_FIRST``, doubled for each
    lock in a row before it, at most ``LOGIN_LOCKOUT``."""
    config = current_app.config
    first, cap = config["LOGIN_LOCKOUT_FIRST"], config["LOGIN_LOCKOUT"]
    return min(first * (2 ** min(lockouts_before, 16)), cap)


def register_failure(user: User, action: AuditAction = AuditAction.LOGIN_FAILED) -> None:
    """Audit a failed attempt (a password or a code); lock the account after
    ``LOGIN_MAX_FAILURES`` in a row, for a short and growing delay."""
    config = current_app.config
    user.failed_login_count += 1
    record(action, user, "user", user.id)
    if user.failed_login_count >= config["LOGIN_MAX_FAILURES"]:
        user.locked_until = utcnow() + lockout_delay(user.lockouts_in_a_row)
        user.lockouts_in_a_row += 1
        user.failed_login_count = 0
        record(AuditAction.LOGIN_LOCKED, user, "user", user.id)


class AccountError(RuleBroken):
    """A user could not be created or changed."""


# --- rules for usernames, names and passwords ---------------------------------

#: 3 to 64 characters: Latin letters, digits, dots, hyphens, underscores.
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")

#: Refused as passwords whatever else they satisfy (compared in lower case).
COMMON_PASSWORDS = frozenset({
    "0123456789", "1234567890", "12345678910", "0987654321", "1111111111",
    "0000000000", "1234512345", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5",
    "qwertyuiop", "qwerty1234", "qwerty12345", "qwerty123456", "1qaz2wsx3edc",
    "zaq12wsxcde", "asdfghjkl1", "asdfghjkl;", "password12", "password123",
    "password1234", "passw0rd12", "p@ssw0rd12", "administrator", "admin12345",
    "admin123456", "welcome123", "letmein123", "iloveyou12", "changeme123",
    "abc1234567", "abcdefghij", "aaaaaaaaaa", "йцукенгшщз", "пароль1234",
    "parol12345", "kyrgyzstan", "kyrgyzstan1", "bishkek123", "bishkek2024",
    "bishkek2025", "bishkek2026", "кыргызстан", "бишкек2026",
})
MIN_PASSWORD_LENGTH = 10


def normalise_username(username: str) -> str:
    """Usernames are compared and stored in lower case, without surrounding spaces."""
    return username.strip().lower()


def username_problem(username: str):
    """Why ``username`` (normalised) is not acceptable, or None. Not its uniqueness."""
    if not USERNAME.fullmatch(username):
        return _l("A username has 3 to 64 characters: Latin letters, digits, dots, "
                  "hyphens or underscores, starting with a letter or a digit.")
    return None


def language_problem(language: str | None):
    """Why ``language`` is not one the interface speaks, or None (empty is fine)."""
    if language and language not in current_app.config["LANGUAGES"]:
        return _l("The language must be one of: %(languages)s.",
                  languages=", ".join(current_app.config["LANGUAGES"]))
    return None


def check_new_password(password: str, username: str) -> None:
    """The password policy, in one place: at least 10 characters, not the
    username, not a very common password. Raises :class:`AccountError`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(lazy_ngettext("Use at least %(num)s character.",
                                         "Use at least %(num)s characters.",
                                         MIN_PASSWORD_LENGTH), "password")
    if password.strip().lower() == normalise_username(username):
        raise AccountError(_l("The password cannot be the username."), "password")
    if password.lower() in COMMON_PASSWORDS:
        raise AccountError(
            _l("This password is too common; choose one that is harder to guess."), "password"
        )


def check_full_name(full_name: str) -> None:
    """A full name is required, at most 200 characters."""
    if not full_name.strip():
        raise AccountError(_l("Enter the full name."), "full_name")
    if len(full_name.strip()) > 200:
        raise AccountError(_l("A full name has at most 200 characters."), "full_name")


def check_new_account(username: str, full_name: str, language: str | None) -> None:
    """Rules for a new account's data; raises :class:`AccountError`."""
    problem = username_problem(username)
    if problem:
        raise AccountError(problem, "username")
    if find_user(username) is not None:
        raise AccountError(_l("The username %(username)s is taken.", username=username),
                           "username")
    check_full_name(full_name)
    check_language(language)


def check_language(language: str | None) -> None:
    """Raises :class:`AccountError` unless ``language`` is empty or one we speak."""
    problem = language_problem(language)
    if problem:
        raise AccountError(problem, "language")


# --- creating users and setting passwords --------------------------------------


def create_user(
    username: str,
    full_name: str,
    agency: Agency,
    role: Role,
    password: str,
    language: str | None = None,
    actor: User | None = None,
) -> User:
    """Create an active user with a password of their own (operators, demo).

    Raises :class:`AccountError` when a rule is broken; nothing is added then.
    """
    username = normalise_username(username)
    check_new_account(username, full_name, language)
    check_new_password(password, username)
    user = new_user(username, full_name, agency, role, language, hash_password(password))
    return add_new_user(user, actor)


def new_user(
    username: str,
    full_name: str,
    agency: Agency,
    role: Role,
    language: str | None,
    password_hash: str,
    must_change_password: bool = False,
) -> User:
    """A :class:`User` from data already checked (not yet in the session)."""
    return User(
        username=username,
        full_name=full_name.strip(),
        agency=agency,
        role=role,
        language=language or None,
        password_hash=password_hash,
        must_change_password=must_change_password,
    )


def add_new_user(user: User, actor: User | None) -> User:
    """Add a user made by :func:`new_user`, flush, and audit the creation."""
    db.session.add(user)
    db.session.flush()
    record(AuditAction.USER_CREATED, actor, "user", user.id)
    return user


def set_password(user: User, password: str, actor: User | None = None) -> None:
    """Replace the user's password (the policy applies) and clear any lock."""
    check_new_password(password, user.username)
    user.password_hash = hash_password(password)
    user.failed_login_count = 0
    user.locked_until = None
    record(AuditAction.PASSWORD_SET, actor, "user", user.id)


# --- the user's own account ----------------------------------------------------


def change_password(user: User, current: str, new: str) -> None:
    """The user replaces their password; it ends a forced change.

    Raises :class:`AccountError` for a wrong current password, a new one
    equal to it, or one the policy refuses. Signs the user out of every
    other session (the caller starts the current one again).
    """
    if not verify_password(user.password_hash, current):
        raise AccountError(_l("The current password is wrong."), "current_password")
    if new == current:
        raise AccountError(_l("Choose a password different from the current one."),
                           "password")
    check_new_password(new, user.username)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.session_epoch += 1
    session_store.end_all(user, SessionEnd.PASSWORD_CHANGED)
    record(AuditAction.PASSWORD_CHANGED, user, "user", user.id)


def set_language(user: User, language: str) -> None:
    """Save the user's interface language."""
    check_language(language)
    if not language:
        raise AccountError(_l("Choose a language."), "language")
    if user.language != language:
        user.language = language
        record(AuditAction.LANGUAGE_CHANGED, user, "user", user.id)


#: The events that count as sign-in attempts on the profile page.
LOGIN_EVENTS = (AuditAction.LOGIN_SUCCEEDED, AuditAction.LOGIN_TWO_FACTOR_SUCCEEDED,
                AuditAction.LOGIN_RECOVERY_CODE_USED, AuditAction.LOGIN_FAILED,
                AuditAction.LOGIN_CODE_FAILED, AuditAction.LOGIN_LOCKED)


def recent_logins(user: User, limit: int = 20) -> list[AuditEvent]:
    """The user's latest sign-ins and failed attempts, newest first."""
    query = (
        sa.select(AuditEvent)
        .where(AuditEvent.user_id == user.id, AuditEvent.action.in_(LOGIN_EVENTS))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
