"""Account services: authentication with throttling, creating users."""
from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from coordination.accounts.models import Role, User
from coordination.accounts.passwords import (
    dummy_verify,
    hash_password,
    needs_rehash,
    verify_password,
)
from coordination.agencies.models import Agency
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.extensions import db
from coordination.models_base import utcnow


class LoginOutcome(enum.Enum):
    SUCCEEDED = "succeeded"
    #: Wrong username, wrong password or inactive account: one answer for all.
    REFUSED = "refused"
    #: Too many failures in a row; the account is locked for a while.
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None


def find_user(username: str) -> User | None:
    """The user with ``username`` (case-insensitive, surrounding spaces ignored)."""
    name = username.strip().lower()
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.username) == name))


def authenticate(username: str, password: str) -> LoginResult:
    """Check a login attempt, update the throttling state and audit it.

    An unknown username, a wrong password and an inactive account all give
    ``REFUSED``; a locked account gives ``LOCKED`` without checking the
    password, so that guessing cannot go on during the lock.
    """
    user = find_user(username)
    if user is None:
        dummy_verify(password)
        record(AuditAction.LOGIN_FAILED)
        return LoginResult(LoginOutcome.REFUSED)

    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        record(AuditAction.LOGIN_LOCKED, user, "user", user.id)
        return LoginResult(LoginOutcome.LOCKED)

    if not verify_password(user.password_hash, password) or not user.is_active:
        _register_failure(user, now)
        return LoginResult(
            LoginOutcome.LOCKED if user.locked_until else LoginOutcome.REFUSED
        )

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    record(AuditAction.LOGIN_SUCCEEDED, user, "user", user.id)
    return LoginResult(LoginOutcome.SUCCEEDED, user)


def _register_failure(user: User, now) -> None:
    config = current_app.config
    user.failed_login_count += 1
    record(AuditAction.LOGIN_FAILED, user, "user", user.id)
    if user.failed_login_count >= config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + config["LOGIN_LOCKOUT"]
        user.failed_login_count = 0
        record(AuditAction.LOGIN_LOCKED, user, "user", user.id)


class AccountError(ValueError):
    """A user could not be created or changed; the message says why."""


def create_user(
    username: str,
    full_name: str,
    agency: Agency,
    role: Role,
    password: str,
    language: str | None = None,
    actor: User | None = None,
) -> User:
    """Create an active user; raises :class:`AccountError` on a taken username."""
    username = username.strip().lower()
    if not username:
        raise AccountError("username is empty")
    if find_user(username) is not None:
        raise AccountError(f"username {username!r} is taken")
    if len(password) < 10:
        raise AccountError("password must have at least 10 characters")
    user = User(
        username=username,
        full_name=full_name.strip(),
        agency=agency,
        role=role,
        language=language,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    record(AuditAction.USER_CREATED, actor, "user", user.id)
    return user


def set_password(user: User, password: str, actor: User | None = None) -> None:
    """Replace the user's password and clear any lock."""
    if len(password) < 10:
        raise AccountError("password must have at least 10 characters")
    user.password_hash = hash_password(password)
    user.failed_login_count = 0
    user.locked_until = None
    record(AuditAction.PASSWORD_SET, actor, "user", user.id)
