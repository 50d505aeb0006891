"""The administrator's view of the outbox: counts, the dead-letter list,
retry and discard."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.deliveries import transport
from coordination.deliveries.models import Delivery, DeliveryStatus
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.refusals import NotFound, RuleBroken


def counts() -> dict[DeliveryStatus, int]:
    """How many deliveries are in each state (one grouped query)."""
    rows = db.session.execute(sa.select(Delivery.status, sa.func.count(Delivery.id))
                              .group_by(Delivery.status))
    found = dict(rows.all())
    return {status: found.get(status, 0) for status in DeliveryStatus}


def dead_letters(page: int, per_page: int = 50):
    """The deliveries that failed every attempt, newest first."""
    query = (sa.select(Delivery).where(Delivery.status == DeliveryStatus.DEAD)
             .order_by(Delivery.changed_at.desc(), Delivery.id.desc())
             .options(joinedload(Delivery.recipient_user)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def load_delivery(user: User, delivery_id: int) -> Delivery:
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound()
    return delivery


def describe(delivery: Delivery) -> str:
    """What the confirmation page names: the channel and the kind of recipient,
    never an address."""
    if delivery.recipient_user is not None:
        to = delivery.recipient_user.username
    elif delivery.recipient_person_id is not None:
        to = _("a survivor's safe phone")
    else:
        to = delivery.webhook_target or ""
    return f"{delivery.channel.label} · {to}"


def _dead(delivery: Delivery) -> None:
    if delivery.status != DeliveryStatus.DEAD:
        raise RuleBroken(_("This delivery is no longer on the list of failed deliveries."))


def retry(user: User, delivery: Delivery, now: datetime | None = None) -> None:
    """Put a failed delivery back in the outbox with a fresh count of attempts."""
    _dead(delivery)
    now = now or utcnow()
    delivery.status, delivery.attempts = DeliveryStatus.PENDING, 0
    delivery.next_attempt_at = delivery.changed_at = now
    db.session.flush()
    transport.announce(delivery)
    record(AuditAction.DELIVERY_RETRIED, user, "delivery", delivery.id)


def discard(user: User, delivery: Delivery, now: datetime | None = None) -> None:
    """Take a failed delivery off the list for good."""
    _dead(delivery)
    delivery.status, delivery.changed_at = DeliveryStatus.DISCARDED, now or utcnow()
    db.session.flush()
    record(AuditAction.DELIVERY_DISCARDED, user, "delivery", delivery.id)
