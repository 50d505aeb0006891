"""Notifications go to an agency; each of its users marks them read."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.agencies.models import Agency
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.i18n import ngettext
from coordination.models_base import LabelledEnum, enum_type, utcnow

#: The warning's window is a setting, so its label counts the hours when shown.
_ORDER_EXPIRING = LazyString(lambda: ngettext(
    "Protection order expiring within %(num)s hour",
    "Protection order expiring within %(num)s hours",
    current_app.config["ORDER_WARNING_HOURS"]))


class NotificationKind(LabelledEnum):
    REFERRAL_RECEIVED = "referral_received", _l("New referral for your agency")
    REFERRAL_ANSWERED = "referral_answered", _l("Your referral was answered")
    FOLLOW_UP_ASSIGNED = "follow_up_assigned", _l("New follow-up for your agency")
    FOLLOW_UP_DUE = "follow_up_due", _l("Follow-up due")
    ORDER_EXPIRING = "order_expiring", _ORDER_EXPIRING
    ORDER_VIOLATED = "order_violated", _l("Protection order violated")
    CHECK_OVERDUE = "check_overdue", _l("Check of a protection order overdue")
    CHECK_TO_HEAD = "check_to_head", _l(
        "Missed check of a protection order: for the agency head")
    CHECK_TO_COMMITTEE = "check_to_committee", _l(
        "Missed check of a protection order: for the committee")
    MEETING_SCHEDULED = "meeting_scheduled", _l("Committee meeting scheduled")


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_agency_id_created_at", "agency_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    kind: Mapped[NotificationKind] = mapped_column(enum_type(NotificationKind, constrained=False))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    #: The other agency concerned (the sender of a referral, the answerer ...).
    related_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set for notifications made by the periodic check (due, expiring), so
    #: that the same thing is announced once.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)

    case: Mapped[Case | None] = relationship()
    related_agency: Mapped[Agency | None] = relationship(foreign_keys=[related_agency_id])


class NotificationRead(db.Model):
    """A user of the agency has read the notification."""

    __tablename__ = "notification_reads"
    __table_args__ = (
        # The unread count looks up one user's read marks.
        sa.Index("ix_notification_reads_user_id_notification_id", "user_id", "notification_id"),
    )

    notification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("notifications.id"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
