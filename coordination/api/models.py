"""API clients (partner systems) and the idempotency record of their POSTs."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.extensions import db
from coordination.models_base import LabelledEnum, utcnow


class Scope(LabelledEnum):
    """What a client may call, on top of what its agency's users may do."""

    READ_CASES = "read_cases", _l("Read cases")
    ANSWER_REFERRALS = "answer_referrals", _l("Answer referrals and follow-ups")
    SUBMIT_REPORTS = "submit_reports", _l("Submit hotline and police reports")
    READ_STATISTICS = "read_statistics", _l("Read statistics")
    READ_ORDER_STATUS = "read_order_status", _l("Read protection-order status")


class ApiClient(db.Model):
    """A partner system that acts as its agency.

    It acts through its own *service user* (role member of the agency,
    deactivated so nobody can sign in as it on a page): the access policy
    answers for the client exactly as for that agency's members, and the
    audit log names the client (the service user's name is the client's).
    Only a hash of the token is kept; the token is shown once.
    """

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    service_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    #: Space-separated :class:`Scope` values.
    scopes: Mapped[str] = mapped_column(sa.String(200))
    #: The public first part of the token (finds the row without a scan).
    token_prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    #: SHA-256 of the token's secret part (256 random bits: no slow hash needed).
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    #: Calls per minute; shared by the app's processes through Redis.
    rate_per_minute: Mapped[int] = mapped_column(default=120, server_default="120")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    service_user: Mapped[User] = relationship(foreign_keys=[service_user_id])

    @property
    def scope_set(self) -> frozenset[Scope]:
        return frozenset(Scope(value) for value in self.scopes.split())

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now and self.agency.active


class IdempotencyRecord(db.Model):
    """The answer to one POST with an ``Idempotency-Key``: replayed on a retry."""

    __tablename__ = "api_idempotency"
    __table_args__ = (sa.UniqueConstraint("client_id", "key",
                                          name="uq_api_idempotency_client_id_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("api_clients.id"))
    key: Mapped[str] = mapped_column(sa.String(100))
    #: SHA-256 of method, path and body: the same key with another body is refused.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int]
    #: The JSON answer as sent (identifiers and statuses, what the client already got).
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
