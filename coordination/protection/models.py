"""Protection orders and their recorded violations."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.models_base import LabelledEnum, enum_type, utcnow


class OrderKind(LabelledEnum):
    #: Issued by the police for 3 days, extendable to 30 at the survivor's request.
    TEMPORARY = "temporary", _l("Temporary protection order")
    #: Court restrictions (since 2025), up to 3 months, possibly with monitoring.
    COURT = "court", _l("Court restrictions")


class OrderStatus(LabelledEnum):
    """Derived from the dates and the revocation, never stored."""

    #: "In force", not "Active": in Russian the case status's word
    #: («В работе», work in progress) said nothing of an order's force.
    ACTIVE = "active", _l("In force")
    EXPIRED = "expired", _l("Expired")
    REVOKED = "revoked", _l("Revoked")


#: The prohibitions an order can impose: column name on the model.
PROHIBITIONS = (
    "prohibits_violence",
    "prohibits_contact",
    "prohibits_stalking",
    "prohibits_shared_home",
    "prohibits_weapons",
    "requires_programme",
)

#: What each prohibition says, for the order form and the case page.
PROHIBITION_LABELS = {
    "prohibits_violence": _l("No further violence"),
    "prohibits_contact": _l("No direct or indirect contact"),
    "prohibits_stalking": _l("No stalking"),
    "prohibits_shared_home": _l("Not to stay in the shared home"),
    "prohibits_weapons": _l("No keeping of weapons"),
    "requires_programme": _l("Directed to a correctional programme"),
}


class ProtectionOrder(db.Model):
    __tablename__ = "protection_orders"
    __table_args__ = (
        # Expiry warnings look for active orders by their end.
        sa.Index("ix_protection_orders_valid_until", "valid_until"),
        # The access policy: the cases an agency issued an order on.
        sa.Index("ix_protection_orders_issuing_agency_id_case_id",
                 "issuing_agency_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[OrderKind] = mapped_column(enum_type(OrderKind))
    #: The agency that issued (police) or recorded (court) the order.
    issuing_agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    issued_at: Mapped[datetime]
    #: The end of the order; an extension moves it.
    valid_until: Mapped[datetime]
    extended_at: Mapped[datetime | None]
    prohibits_violence: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    prohibits_contact: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    prohibits_stalking: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    prohibits_shared_home: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    prohibits_weapons: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    requires_programme: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    electronic_monitoring: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    revoked_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(back_populates="protection_orders")
    issuing_agency: Mapped[Agency] = relationship()
    recorded_by: Mapped[User] = relationship()
    violations: Mapped[list[OrderViolation]] = relationship(
        back_populates="order", order_by="OrderViolation.occurred_at"
    )

    def status(self, now: datetime) -> OrderStatus:
        if self.revoked_at is not None:
            return OrderStatus.REVOKED
        return OrderStatus.ACTIVE if now < self.valid_until else OrderStatus.EXPIRED

    def expires_soon(self, now: datetime, hours: int = 24) -> bool:
        """Active and ending within ``hours`` (the warning window)."""
        return (self.status(now) == OrderStatus.ACTIVE
                and self.valid_until - now <= timedelta(hours=hours))

    @property
    def prohibitions(self) -> list[str]:
        return [name for name in PROHIBITIONS if getattr(self, name)]


class OrderViolation(db.Model):
    """A breach of an order; each one creates an urgent police follow-up."""

    __tablename__ = "order_violations"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("protection_orders.id"), index=True)
    occurred_at: Mapped[datetime]
    follow_up_id: Mapped[int] = mapped_column(sa.ForeignKey("follow_ups.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[ProtectionOrder] = relationship(back_populates="violations")
