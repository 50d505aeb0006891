"""The read-only audit log viewer: filters, pages and the CSV export.

Rows come only from :func:`coordination.policy.visible_audit_events`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from coordination.queries import admin_page

#: The most rows one CSV export holds (narrow the filters for more).
EXPORT_LIMIT = 50_000


@dataclass(frozen=True)
class AuditFilters:
    username: str | None = None
    action: AuditAction | None = None
    date_from: date | None = None
    date_to: date | None = None


def _query(viewer: User, filters: AuditFilters) -> sa.Select:
    query = policy.visible_audit_events(viewer).options(
        joinedload(AuditEvent.user), joinedload(AuditEvent.agency))
    if filters.username:
        # One user id (usernames are unique), compared with ``=``: the
        # database then walks the (user_id, at) index newest first.
        query = query.where(AuditEvent.user_id == sa.select(User.id).where(
            User.username == filters.username.strip().lower()).scalar_subquery())
    if filters.action is not None:
        query = query.where(AuditEvent.action == filters.action)
    if filters.date_from is not None:
        query = query.where(AuditEvent.at >= datetime.combine(filters.date_from, time()))
    if filters.date_to is not None:
        query = query.where(
            AuditEvent.at < datetime.combine(filters.date_to + timedelta(days=1), time()))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def list_events(viewer: User, filters: AuditFilters, page: int = 1):
    """One page of the events ``viewer`` may read, newest first (a Pagination)."""
    return admin_page(_query(viewer, filters), page)


def export_events(viewer: User, filters: AuditFilters) -> list[AuditEvent]:
    return list(db.session.scalars(_query(viewer, filters).limit(EXPORT_LIMIT)))


def visible_actions(viewer: User) -> list[AuditAction]:
    """The actions worth offering in the filter for ``viewer``."""
    from coordination.audit.models import ACCOUNT_ACTIONS

    if policy.administers_everything(viewer):
        return [action for action in AuditAction if action in ACCOUNT_ACTIONS]
    return list(AuditAction)
