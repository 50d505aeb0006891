"""Server-side sessions: each sign-in gets a row in ``user_sessions`` and the
browser a random token; every request must present a token whose session is
still open, not idle longer than ``IDLE_TIMEOUT`` and not older than
``SESSION_ABSOLUTE_LIFETIME``.

Ending a session (sign-out, a password change or reset, deactivation, an
administrator's revocation) is a database change, so a copied cookie stops
working at once, wherever it is replayed.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from coordination.accounts.models import SessionEnd, User, UserSession
from coordination.extensions import db
from coordination.models_base import utcnow

#: ``last_seen_at`` is written at most this often (not on every request).
TOUCH_INTERVAL = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, now: datetime | None = None) -> str:
    """Open a session for ``user``; returns the token for the cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_hash(token), user_id=user.id, started_at=now,
                               last_seen_at=now))
    db.session.flush()
    return token


def token_hash(token: str | None) -> str | None:
    """What ``user_sessions`` stores of ``token``; None for anything that is not one."""
    if not isinstance(token, str) or not token or len(token) > 128:
        return None
    return _hash(token)


def find(token: str | None) -> UserSession | None:
    """The session of ``token`` (open or ended), or None."""
    stored = token_hash(token)
    if stored is None:
        return None
    return db.session.scalar(sa.select(UserSession).where(UserSession.token_hash == stored))


def why_over(row: UserSession, now: datetime | None = None) -> SessionEnd | None:
    """Why the session can no longer be used, or None while it can."""
    now = now or utcnow()
    if row.ended_at is not None:
        return row.end_reason or SessionEnd.REVOKED
    config = current_app.config
    if now - row.started_at > config["SESSION_ABSOLUTE_LIFETIME"]:
        return SessionEnd.EXPIRED
    if now - row.last_seen_at > config["IDLE_TIMEOUT"]:
        return SessionEnd.IDLE
    return None


def touch(row: UserSession, now: datetime | None = None) -> bool:
    """Note activity (at most once a :data:`TOUCH_INTERVAL`); True when written."""
    now = now or utcnow()
    if now - row.last_seen_at < TOUCH_INTERVAL:
        return False
    row.last_seen_at = now
    return True


def end(row: UserSession, reason: SessionEnd, now: datetime | None = None) -> None:
    """End one session (kept, for the record)."""
    if row.ended_at is None:
        row.ended_at = now or utcnow()
        row.end_reason = reason


def end_all(user: User, reason: SessionEnd, now: datetime | None = None) -> int:
    """End every open session of ``user``; returns how many."""
    return _end_where(UserSession.user_id == user.id, reason, now)


def end_all_in_agency(agency_id: int, reason: SessionEnd, now: datetime | None = None) -> int:
    """End every open session of the agency's users (the agency is deactivated)."""
    members = sa.select(User.id).where(User.agency_id == agency_id)
    return _end_where(UserSession.user_id.in_(members), reason, now)


def _end_where(condition, reason: SessionEnd, now: datetime | None) -> int:
    now = now or utcnow()
    rows = db.session.scalars(sa.select(UserSession).where(
        condition, UserSession.ended_at.is_(None))).all()
    for row in rows:
        end(row, reason, now)
    return len(rows)


def open_sessions(user: User) -> int:
    """How many sessions of ``user`` are open (not ended; some may be idle)."""
    return db.session.scalar(sa.select(sa.func.count(UserSession.id)).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)))
