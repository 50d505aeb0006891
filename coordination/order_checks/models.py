"""A check of a protection order, and the survivor's request to extend one.

Check records are append-only: the application never updates or deletes
one (a mistake is put right by a correcting entry), and each carries the
SHA-256 of its canonical form and of the record before it on the same order
(:mod:`coordination.order_checks.chain`), so that a change made in the
database behind the application's back is found by ``flask orders verify``.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.extensions import db
from coordination.models_base import LabelledEnum, PersonalKind, enum_type, personal, utcnow
from coordination.protection.models import ProtectionOrder


class CheckMethod(LabelledEnum):
    VISIT = "visit", _l("Visit")
    CALL = "call", _l("Call to a safe number")
    CAME_IN = "came_in", _l("The survivor came in")
    OTHER = "other", _l("Other")


class CheckOutcome(LabelledEnum):
    KEPT = "kept", _l("Order kept")
    BREACH = "breach", _l("Breach suspected")
    NOT_REACHED = "not_reached", _l("Survivor not reached")
    WANTS_EXTENSION = "wants_extension", _l("Survivor asks for an extension")
    WANTS_COURT = "wants_court", _l("Survivor asks for court restrictions")


class OrderCheck(db.Model):
    __tablename__ = "order_checks"
    __table_args__ = (
        # One chain per order: two records can never take the same place.
        sa.UniqueConstraint("order_id", "sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("protection_orders.id"), index=True)
    #: 1, 2, 3 ... within the order: the place in the chain.
    sequence: Mapped[int]
    checked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    method: Mapped[CheckMethod] = mapped_column(enum_type(CheckMethod))
    outcome: Mapped[CheckOutcome] = mapped_column(enum_type(CheckOutcome))
    note: Mapped[str] = mapped_column(sa.String(500), default="", server_default="",
                                      info=personal(PersonalKind.FREE_TEXT))
    #: SHA-256 of the note as recorded. The chain hashes this digest, not the
    #: note, so that the retention rule can clear the note (to a dash) with the
    #: case's other personal data and ``flask orders verify`` still checks
    #: every other field; verify accepts a cleared note only on a case whose
    #: anonymization is audited. Empty on records made before it existed
    #: (their chain hashes the note itself).
    note_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    #: When the check took place, as the inspector states it (at most a few
    #: hours before ``recorded_at``, a setting).
    stated_at: Mapped[datetime]
    #: The server's time of recording; never taken from the form.
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the schedule wanted this check, fixed at recording (on time or late).
    due_at: Mapped[datetime | None]
    #: The record this one corrects (a correction keeps the original's time).
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_checks.id"))
    previous_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    order: Mapped[ProtectionOrder] = relationship()
    checked_by: Mapped[User] = relationship()

    @property
    def on_time(self) -> bool:
        return self.due_at is None or self.stated_at <= self.due_at


class ExtensionAnswer(LabelledEnum):
    GRANTED = "granted", _l("Extended")
    REFUSED = "refused", _l("Refused")


class ExtensionRequest(db.Model):
    """The survivor asked to extend a temporary order (to 30 days)."""

    __tablename__ = "order_extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("protection_orders.id"), index=True)
    requested_on: Mapped[date]
    #: The check at which the survivor asked.
    check_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_checks.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[ExtensionAnswer | None] = mapped_column(enum_type(ExtensionAnswer))
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    order: Mapped[ProtectionOrder] = relationship()


class CheckRecordsAreAppendOnly(Exception):
    """An attempt to change or delete a check record through the application."""


@sa.event.listens_for(OrderCheck, "before_update")
@sa.event.listens_for(OrderCheck, "before_delete")
def _refuse_change(_mapper, _connection, target):
    raise CheckRecordsAreAppendOnly(f"order check {target.id} cannot be changed")
