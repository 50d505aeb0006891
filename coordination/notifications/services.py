"""Creating notifications, the periodic check, reading them."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.counts import capped_count
from coordination.deliveries.dispatch import deliver_notification
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.models_base import utcnow
from coordination.notifications.models import Notification, NotificationKind, NotificationRead
from coordination.order_checks.notify import announce_missed_checks
from coordination.protection.models import ProtectionOrder


def notify(
    agency_id: int,
    kind: NotificationKind,
    case_id: int | None = None,
    related_agency_id: int | None = None,
    at: datetime | None = None,
    dedupe_key: str | None = None,
    checked: bool = False,
) -> Notification | None:
    """Tell ``agency_id`` about something; None if ``dedupe_key`` was used
    already (``checked``: the caller looked the key up with others)."""
    if dedupe_key is not None and not checked and _announced(dedupe_key):
        return None
    notification = Notification(agency_id=agency_id, kind=kind, case_id=case_id,
                                related_agency_id=related_agency_id,
                                created_at=at or utcnow(), dedupe_key=dedupe_key)
    if dedupe_key is None:
        db.session.add(notification)
        return _delivered(notification)
    # Two users of the agency signing in at the same moment both run the due
    # check: the unique key lets one insert through, and the savepoint keeps
    # the other's request (and transaction) going.
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        return None
    return _delivered(notification)


def _delivered(notification: Notification) -> Notification:
    """E-mail, SMS and webhooks for it go to the outbox in this transaction."""
    deliver_notification(notification)
    return notification


def _announced(dedupe_key: str) -> bool:
    return db.session.scalar(
        sa.select(Notification.id).where(Notification.dedupe_key == dedupe_key)) is not None


def check_due(agency: Agency, now: datetime | None = None) -> int:
    """Announce the agency's follow-ups due by tomorrow and the orders that
    expire within the warning window; each once. Returns how many were new.

    Runs when a user of the agency signs in or opens the notifications, and
    from ``flask notifications check`` (for a cron job).
    """
    now = now or utcnow()
    pending = []  # (kind, case id, key): what is due now, announced or not

    def collect(_agency_id, kind, case_id, at=None, dedupe_key=None):
        pending.append((kind, case_id, dedupe_key))
        return True

    due = db.session.scalars(sa.select(FollowUp).where(
        FollowUp.owner_agency_id == agency.id, FollowUp.status == FollowUpStatus.OPEN,
        FollowUp.due_on <= now.date() + timedelta(days=1)))
    for follow_up in due:
        collect(agency.id, NotificationKind.FOLLOW_UP_DUE, follow_up.case_id,
                dedupe_key=f"due:{follow_up.id}:{follow_up.due_on}")
    for order in _expiring_for(agency, now):
        collect(agency.id, NotificationKind.ORDER_EXPIRING, order.case_id,
                dedupe_key=f"expiring:{agency.id}:{order.id}:{order.valid_until:%Y%m%d%H%M}")
    announce_missed_checks(agency, now, collect)
    # Which were announced before, in one statement rather than one per item
    # (a large district has a hundred at each sign-in).
    announced = _announced_keys([key for _kind, _case, key in pending])
    added = sum(
        notify(agency.id, kind, case_id, at=now, dedupe_key=key, checked=True) is not None
        for kind, case_id, key in pending if key not in announced)
    db.session.flush()
    return added


def _announced_keys(keys: list[str]) -> set[str]:
    found = set()
    for start in range(0, len(keys), 500):  # bound the statement's parameters
        found.update(db.session.scalars(sa.select(Notification.dedupe_key).where(
            Notification.dedupe_key.in_(keys[start:start + 500]))))
    return found


def _expiring_for(agency: Agency, now: datetime) -> list[ProtectionOrder]:
    """The orders the agency watches (the policy's rule) that expire soon."""
    horizon = now + timedelta(hours=current_app.config["ORDER_WARNING_HOURS"])
    return list(db.session.scalars(
        sa.select(ProtectionOrder).join(ProtectionOrder.case).where(
            ProtectionOrder.revoked_at.is_(None), ProtectionOrder.valid_until > now,
            ProtectionOrder.valid_until <= horizon, policy.watched_orders(agency))))


def _unread(user: User):
    read = sa.select(NotificationRead.notification_id).where(
        NotificationRead.user_id == user.id)
    return sa.and_(policy.notification_visibility(user), Notification.id.not_in(read))


def unread_count(user: User) -> int:
    """Unread notifications of the user's agency (the navigation's badge),
    counted up to :data:`coordination.counts.PANEL_CAP`."""
    return capped_count(sa.select(Notification.id).where(_unread(user)))


def page_for(user: User, page: int = 1, per_page: int = 50):
    """The agency's notifications about what the user may still open, newest
    first, with the user's read marks."""
    query = (
        sa.select(Notification).where(policy.notification_visibility(user))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .options(joinedload(Notification.case), joinedload(Notification.related_agency))
    )
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    ids = [n.id for n in pagination.items]
    read = set(db.session.scalars(sa.select(NotificationRead.notification_id).where(
        NotificationRead.user_id == user.id, NotificationRead.notification_id.in_(ids))))
    return pagination, read


def mark_all_read(user: User, now: datetime | None = None) -> int:
    """Mark every unread notification of the user's agency read for this user."""
    ids = list(db.session.scalars(sa.select(Notification.id).where(_unread(user))))
    db.session.add_all(NotificationRead(notification_id=i, user_id=user.id,
                                        read_at=now or utcnow()) for i in ids)
    db.session.flush()
    return len(ids)
