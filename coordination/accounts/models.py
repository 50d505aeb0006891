"""Users of the system; each belongs to exactly one agency."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.agencies.models import Agency, AgencyType
from coordination.extensions import db
from coordination.models_base import (
    DataSubject,
    LabelledEnum,
    PersonalKind,
    enum_type,
    personal,
    utcnow,
)


class Role(LabelledEnum):
    MEMBER = "member", _l("Member")
    LEAD = "lead", _l("Agency head")  #: the agency's head
    ADMIN = "admin", _l("Administrator")  #: manages accounts and agencies, never cases


class UserStatus(LabelledEnum):
    """What the user list can filter on."""

    ACTIVE = "active", _l("Can sign in")
    INACTIVE = "inactive", _l("Deactivated")
    LOCKED = "locked", _l("Locked after failed sign-ins")
    #: Holding a temporary password not yet replaced.
    TEMPORARY_PASSWORD = "temporary_password", _l("Temporary password not yet changed")
    #: Two-factor sign-in not switched on.
    NO_TWO_FACTOR = "no_two_factor", _l("Two-factor sign-in not on")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(
        sa.String(64), unique=True, info=personal(PersonalKind.IDENTIFIER, DataSubject.STAFF))
    full_name: Mapped[str] = mapped_column(
        sa.String(200), info=personal(PersonalKind.NAME, DataSubject.STAFF))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role))
    #: Preferred interface language; None means "not chosen yet".
    language: Mapped[str | None] = mapped_column(sa.String(8))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: Login throttling state: failures in a row and the lock they caused.
    failed_login_count: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    #: Locks in a row since the last successful sign-in: each lasts twice
    #: the one before, up to ``LOGIN_LOCKOUT``.
    # A server default only: the synthetic data's bulk writer lists its columns.
    lockouts_in_a_row: Mapped[int] = mapped_column(server_default="0")
    last_login_at: Mapped[datetime | None]
    #: Set by a password reset or an import: the user must choose a password
    #: of their own before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Part of the session's user id: raising it signs the user out everywhere
    #: (a password reset, a password change).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when an administrator created the account, or reset its password,
    #: in an agency that works on cases: the account has no credential anyone
    #: knows and sees no case until the agency's head confirms it and prints
    #: the one-time credential (four eyes; ``administration.confirm_account``).
    held_since: Mapped[datetime | None]
    #: The head who last confirmed it, and when (None: never held).
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    #: Where the user is told that something waits for them (docs/deliveries.md);
    #: a channel is used only when its address is set here and it is switched on.
    email: Mapped[str | None] = mapped_column(
        sa.String(254), info=personal(PersonalKind.CONTACT, DataSubject.STAFF))
    phone: Mapped[str | None] = mapped_column(
        sa.String(40), info=personal(PersonalKind.CONTACT, DataSubject.STAFF))

    agency: Mapped[Agency] = relationship(lazy="joined")
    #: The TOTP credential: absent, waiting for its first code, or in use.
    two_factor: Mapped[TwoFactorCredential | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", uselist=False)
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active and self.agency.active

    @property
    def is_held(self) -> bool:
        """Waiting for the agency head's confirmation (sees no case)."""
        return self.held_since is not None

    def get_id(self) -> str:  # Flask-Login keeps this in the session
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_locked(self) -> bool:
        """Locked out by failed logins, now."""
        return self.locked_until is not None and self.locked_until > utcnow()

    @property
    def has_two_factor(self) -> bool:
        """Two-factor sign-in is on: a password alone no longer signs in."""
        return self.two_factor is not None and self.two_factor.confirmed_at is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_ministry(self) -> bool:
        return self.agency.type == AgencyType.MINISTRY

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class TwoFactorCredential(db.Model):
    """A user's TOTP secret (RFC 6238), one per user.

    Created when enrolment starts; it signs nobody in until the user has
    confirmed it with a code (``confirmed_at``).
    """

    __tablename__ = "two_factor_credentials"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    #: The base32 secret, encrypted (``coordination.accounts.two_factor``):
    #: a copy of the database alone does not give it away.
    secret: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: None while enrolment waits for the first code.
    confirmed_at: Mapped[datetime | None]
    #: The TOTP time step of the last accepted code: no code is accepted twice.
    last_used_step: Mapped[int | None]

    user: Mapped[User] = relationship(back_populates="two_factor")


class RecoveryCode(db.Model):
    """A one-time code that stands in for a TOTP code (a lost phone).

    Only its argon2 hash is kept; the code is shown once, at enrolment.
    """

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the code was used; a used code never works again.
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class SessionEnd(enum.StrEnum):
    """Why a signed-in session ended."""

    SIGNED_OUT = "signed_out"
    # A reason's name, not a secret.
    PASSWORD_CHANGED = "password_changed"  # nosec B105
    #: A reset by an administrator or agency head, a new two-factor set-up.
    CREDENTIALS_CHANGED = "credentials_changed"
    DEACTIVATED = "deactivated"
    #: Ended by an administrator or the agency head ("sign out everywhere").
    REVOKED = "revoked"
    IDLE = "idle"
    #: Older than ``SESSION_ABSOLUTE_LIFETIME``, however active.
    EXPIRED = "expired"


class UserSession(db.Model):
    """One signed-in session on the server: the browser's cookie holds only a
    random token whose SHA-256 is kept here, checked on every request.

    A cookie copied before the session ended (signed out, password changed,
    account deactivated, revoked, idle or too old) opens nothing afterwards,
    from any address or browser.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 (hex) of the token in the cookie; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[SessionEnd | None] = mapped_column(enum_type(SessionEnd))

    user: Mapped[User] = relationship()
