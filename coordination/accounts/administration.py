"""Administration of accounts: administrators for everyone, agency heads for
their own agency.

Every function takes the acting user and asks the access policy; lists start
from :func:`policy.manageable_users`, so a list never shows an account that
its page would refuse. Users are never deleted: their history stays
attributable. Each change is audited.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from coordination import policy
from coordination.accounts import session_store
from coordination.accounts.models import Role, SessionEnd, TwoFactorCredential, User, UserStatus
from coordination.accounts.passwords import hash_temporary_password, new_temporary_password
from coordination.accounts.services import (
    AccountError,
    add_new_user,
    check_full_name,
    check_language,
    check_new_account,
    new_user,
    normalise_username,
)
from coordination.agencies.models import Agency, AgencyType
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.queries import admin_page, agencies_within, matching_text
from coordination.refusals import Forbidden, NotFound


@dataclass
class UserFilters:
    #: Part of a username or a full name.
    query: str | None = None
    territory_id: int | None = None
    agency_id: int | None = None
    role: Role | None = None
    status: UserStatus | None = None


def _status_predicate(status: UserStatus):
    now = utcnow()
    if status is UserStatus.ACTIVE:
        return sa.and_(User.active.is_(True), Agency.active.is_(True))
    if status is UserStatus.INACTIVE:
        return sa.or_(User.active.is_(False), Agency.active.is_(False))
    if status is UserStatus.LOCKED:
        return User.locked_until > now
    if status is UserStatus.NO_TWO_FACTOR:
        return ~sa.exists().where(TwoFactorCredential.user_id == User.id,
                                  TwoFactorCredential.confirmed_at.is_not(None))
    return User.must_change_password.is_(True)


def _filtered_users(actor: User, filters: UserFilters) -> sa.Select:
    query = policy.manageable_users(actor).join(User.agency)
    query = matching_text(query, filters.query, User.username, User.full_name)
    query = agencies_within(query, filters.territory_id)
    if filters.agency_id is not None:
        query = query.where(User.agency_id == filters.agency_id)
    if filters.role is not None:
        query = query.where(User.role == filters.role)
    if filters.status is not None:
        query = query.where(_status_predicate(filters.status))
    return query


def list_users(actor: User, filters: UserFilters, page: int = 1):
    """One page of the users ``actor`` manages, by agency then name (a Pagination)."""
    query = (
        _filtered_users(actor, filters)
        .options(joinedload(User.agency).joinedload(Agency.territory))
        .order_by(Agency.code, User.full_name, User.id)
    )
    return admin_page(query, page)


def get_user_or_404(actor: User, user_id: int) -> User:
    """The user, loaded through the policy: 404 if absent *or* not manageable."""
    user = db.session.scalar(policy.manageable_users(actor).where(User.id == user_id))
    if user is None:
        raise NotFound()
    return user


def agency_choices(actor: User, include_inactive: bool = False) -> list[Agency]:
    """Agencies in which ``actor`` may create or place users (active ones), or
    whose users ``actor`` may list (``include_inactive``)."""
    query = policy.manageable_agencies(actor)
    if not include_inactive:
        query = query.where(Agency.active.is_(True))
    return list(db.session.scalars(query.order_by(Agency.code)))


# --- creating, changing ----------------------------------------------------------


def _check_may_create(actor: User, agency: Agency, role: Role) -> None:
    if not policy.can(actor, policy.Action.CREATE_USER_IN, agency):
        raise Forbidden("this user may not create users in this agency")
    if role not in policy.assignable_roles(actor):
        raise AccountError(_l("You may not give this role."), "role")
    if not agency.active:
        raise AccountError(_l("This agency is deactivated."), "agency")


def add_user(
    actor: User,
    agency: Agency,
    username: str,
    full_name: str,
    role: Role,
    language: str | None = None,
) -> tuple[User, str]:
    """Create a user with a one-time temporary password; returns both.

    The password is returned once, to be shown once; only its hash is kept,
    and the user must replace it at their first sign-in. Raises
    :class:`AccountError` for a broken rule and :class:`Forbidden` when the
    policy refuses (a forged agency or role).
    """
    _check_may_create(actor, agency, role)
    username = normalise_username(username)
    check_new_account(username, full_name, language)
    password = new_temporary_password()
    user = new_user(username, full_name, agency, role, language,
                    hash_temporary_password(password), must_change_password=True)
    if policy.held_by_four_eyes(actor, agency, role):
        user.held_since = utcnow()
        password = None  # nobody learns it: the agency head prints the credential
    return add_new_user(user, actor), password


def update_user(
    actor: User,
    target: User,
    full_name: str,
    role: Role,
    language: str | None,
    agency: Agency | None = None,
) -> None:
    """Change a user's name, role, language and (administrators only) agency.

    Nobody changes their own role or agency, an administrator stays an
    administrator (their account never becomes one that sees cases), and an
    agency head gives only the roles they may give. Role and agency changes
    are audited on their own, as they change what the user may see.
    """
    if not policy.can(actor, policy.Action.MANAGE_USER, target):
        raise Forbidden("this user may not manage this account")
    check_full_name(full_name)
    check_language(language)
    agency = agency if agency is not None else target.agency
    if role != target.role:
        if target.id == actor.id:
            raise AccountError(_l("You cannot change your own role."), "role")
        if target.role == Role.ADMIN:
            raise AccountError(
                _l("An administrator's account stays an administrator's account. "
                   "Deactivate it and create a new account instead."), "role")
        if role not in policy.assignable_roles(actor):
            raise AccountError(_l("You may not give this role."), "role")
    if agency.id != target.agency_id:
        if not policy.can(actor, policy.Action.MOVE_USER, target):
            raise Forbidden("only administrators move users between agencies")
        if target.id == actor.id:
            raise AccountError(_l("You cannot move your own account to another agency."),
                               "agency")
        if not agency.active:
            raise AccountError(_l("This agency is deactivated."), "agency")

    if role != target.role:
        target.role = role
        record(AuditAction.USER_ROLE_CHANGED, actor, "user", target.id)
    if agency.id != target.agency_id:
        target.agency = agency
        record(AuditAction.USER_AGENCY_CHANGED, actor, "user", target.id)
    if (full_name.strip(), language or None) != (target.full_name, target.language):
        target.full_name = full_name.strip()
        target.language = language or None
        record(AuditAction.USER_UPDATED, actor, "user", target.id)
    db.session.flush()


def _check_may_manage(actor: User, target: User) -> None:
    if not policy.can(actor, policy.Action.MANAGE_USER, target):
        raise Forbidden("this user may not manage this account")


def deactivate_user(actor: User, target: User) -> None:
    """Deactivate (never delete) a user: they can no longer sign in, and any
    session of theirs ends at its next request."""
    _check_may_manage(actor, target)
    if target.id == actor.id:
        raise AccountError(_l("You cannot deactivate your own account."))
    if target.active:
        target.active = False
        session_store.end_all(target, SessionEnd.DEACTIVATED)
        record(AuditAction.USER_DEACTIVATED, actor, "user", target.id)


def reactivate_user(actor: User, target: User) -> None:
    """Let a deactivated user sign in again (their agency must be active)."""
    _check_may_manage(actor, target)
    if not target.agency.active:
        raise AccountError(_l("The user's agency is deactivated; reactivate it first."))
    if not target.active:
        target.active = True
        record(AuditAction.USER_REACTIVATED, actor, "user", target.id)


def unlock_user(actor: User, target: User) -> None:
    """End a lockout after failed logins."""
    _check_may_manage(actor, target)
    target.locked_until = None
    target.failed_login_count = 0
    record(AuditAction.USER_UNLOCKED, actor, "user", target.id)


def reset_password(actor: User, target: User) -> str:
    """Give ``target`` a new one-time temporary password; returns it once.

    The user must change it at the next sign-in; any lock is cleared and
    every session of theirs ends. Your own password you change in your profile.
    """
    _check_may_manage(actor, target)
    if target.id == actor.id:
        raise AccountError(_l("Change your own password in your profile."))
    password = new_temporary_password()
    target.password_hash = hash_temporary_password(password)
    target.must_change_password = True
    target.locked_until = None
    target.failed_login_count = 0
    target.session_epoch += 1
    session_store.end_all(target, SessionEnd.CREDENTIALS_CHANGED)
    record(AuditAction.PASSWORD_RESET, actor, "user", target.id)
    if policy.held_by_four_eyes(actor, target.agency, target.role):
        target.held_since = utcnow()
        return None  # the password above is unknown to all: the head prints a new one
    return password


def confirm_account(actor: User, target: User) -> str:
    """The agency head releases a held account and gets its one-time
    credential, shown once to be printed and handed over in person.

    The administrator who created or reset the account never saw a usable
    credential; this one is new. Audited; every session of the account ends.
    """
    if not policy.can(actor, policy.Action.CONFIRM_ACCOUNT, target):
        raise Forbidden("only the agency head confirms a held account")
    return _release(target, actor)


def confirm_by_operator(target: User) -> str:
    """``flask confirm-account``: the server's operator releases a held
    account no agency head can confirm (audited without a user)."""
    return _release(target, None)


def _release(target: User, actor: User | None) -> str:
    password = new_temporary_password()
    target.password_hash = hash_temporary_password(password)
    target.must_change_password = True
    target.held_since = None
    target.confirmed_by_id = actor.id if actor is not None else target.id
    target.confirmed_at = utcnow()
    target.session_epoch += 1
    session_store.end_all(target, SessionEnd.CREDENTIALS_CHANGED)
    record(AuditAction.USER_CONFIRMED, actor, "user", target.id)
    return password


def held_accounts(actor: User) -> list[User]:
    """The held accounts ``actor`` may confirm (their agency head's to-do)."""
    if not policy.heads_an_agency(actor):
        return []
    query = sa.select(User).where(User.held_since.is_not(None), User.active.is_(True),
                                  User.id != actor.id)
    if actor.agency.type != AgencyType.COMMITTEE:
        query = query.where(User.agency_id == actor.agency_id)
    candidates = db.session.scalars(query.order_by(User.held_since)).all()
    return [user for user in candidates if policy.can_confirm_account(actor, user)]


def end_sessions(actor: User, target: User) -> None:
    """Sign ``target`` out everywhere now (a lost phone, a shared computer, a
    suspicion): every open session of theirs ends on the server."""
    _check_may_manage(actor, target)
    session_store.end_all(target, SessionEnd.REVOKED)
    record(AuditAction.USER_SESSIONS_ENDED, actor, "user", target.id)
