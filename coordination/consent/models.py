"""Consent records: given, by whom and when; withdrawn, by whom and when."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.agencies.models import NOT_CASE_WORKING, AgencyType
from coordination.extensions import db
from coordination.models_base import LabelledEnum, enum_type, utcnow

if TYPE_CHECKING:
    from coordination.cases.models import Case


class ConsentScope(LabelledEnum):
    #: Share the case with agencies of one type.
    SHARING = "sharing", _l("Sharing with agencies")
    #: Be counted in anonymized statistics.
    STATISTICS = "statistics", _l("Counting in anonymized statistics")
    #: Receive content-free messages on the phone she marked safe.
    SAFE_CONTACT = "safe_contact", _l("Content-free messages to her safe phone")


#: Agency types a survivor's sharing consent can name (those working on cases).
SHAREABLE_TYPES = tuple(t for t in AgencyType if t not in NOT_CASE_WORKING)


class ConsentRecord(db.Model):
    """One consent the survivor gave; it holds until it is withdrawn."""

    __tablename__ = "consent_records"
    __table_args__ = (sa.Index("ix_consent_records_case_id_scope", "case_id", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    scope: Mapped[ConsentScope] = mapped_column(enum_type(ConsentScope))
    #: For sharing consent: the type of agency it covers.
    agency_type: Mapped[AgencyType | None] = mapped_column(enum_type(AgencyType))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    case: Mapped[Case] = relationship(back_populates="consents")

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None
