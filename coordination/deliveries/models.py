"""The outbox: one row per message to send, written in the transaction of the
change that caused it, so a rolled-back request sends nothing."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.extensions import db
from coordination.models_base import LabelledEnum, enum_type, utcnow


class Channel(LabelledEnum):
    EMAIL = "email", _l("E-mail")
    SMS = "sms", _l("Text message (SMS)")
    WEBHOOK = "webhook", _l("Partner system (webhook)")


class DeliveryStatus(LabelledEnum):
    #: Waiting for the worker (a first try or a retry after ``next_attempt_at``).
    PENDING = "pending", _l("Waiting")
    SENT = "sent", _l("Sent")
    #: Failed ``DELIVERY_MAX_ATTEMPTS`` times: the dead-letter list.
    DEAD = "dead", _l("Failed, not retried")
    #: Taken off the dead-letter list by an administrator, or no longer
    #: allowed when its turn came (consent withdrawn, address removed).
    DISCARDED = "discarded", _l("Discarded")


class Delivery(db.Model):
    """A message to send.

    It holds no address: the recipient is a user, a person on a case or a
    configured partner, whose address is read when it is sent (so a changed
    or removed address, a deactivated account or a withdrawn consent is
    respected), and the text is content-free by construction.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        # The worker's query: what is waiting and due, oldest first.
        sa.Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus), default=DeliveryStatus.PENDING)
    recipient_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: A survivor's content-free message: sent to her safe phone, with consent.
    recipient_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    #: A webhook: the name of the partner in ``DELIVERY_WEBHOOKS``.
    webhook_target: Mapped[str | None] = mapped_column(sa.String(64))
    subject: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Why the last attempt failed: an error class or HTTP status, never the
    #: server's text (which may repeat the address).
    last_error: Mapped[str | None] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    #: When it was put on the dead-letter list, retried or discarded last.
    changed_at: Mapped[datetime | None]

    recipient_user: Mapped[User | None] = relationship()
