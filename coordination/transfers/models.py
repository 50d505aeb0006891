"""Transfers of a case to another district (the survivor moved)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.agencies.models import Agency
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.models_base import LabelledEnum, PersonalKind, enum_type, personal, utcnow
from coordination.territories.models import Territory


class TransferStatus(LabelledEnum):
    PROPOSED = "proposed", _l("Proposed")
    ACCEPTED = "accepted", _l("Accepted")
    DECLINED = "declined", _l("Declined")
    CANCELLED = "cancelled", _l("Cancelled")


class CaseTransfer(db.Model):
    """One proposal to move a case to another district, and its answer.

    An accepted transfer is also the record the statistics read to keep each
    unit in the territory where it happened: before ``answered_at`` the case
    was in ``from_district``, from then on in ``to_district`` (until the next
    accepted transfer). The former committee and lead agency keep reading
    what they did on the case until it is closed (``policy.case_reading``).
    """

    __tablename__ = "case_transfers"
    __table_args__ = (
        # The receiving committee's inbox; the former territory's visibility.
        sa.Index("ix_case_transfers_to_district_id_status", "to_district_id", "status"),
        sa.Index("ix_case_transfers_from_district_id_status_case_id",
                 "from_district_id", "status", "case_id"),
        sa.Index("ix_case_transfers_from_lead_agency_id_status_case_id",
                 "from_lead_agency_id", "status", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    status: Mapped[TransferStatus] = mapped_column(
        enum_type(TransferStatus), default=TransferStatus.PROPOSED)
    from_district_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"))
    from_municipality_id: Mapped[int | None] = mapped_column(sa.ForeignKey("territories.id"))
    from_lead_agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    to_district_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"))
    #: Chosen by the receiving committee when it accepts.
    to_lead_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    #: Why the survivor moved, or why the committee declined: free text.
    note: Mapped[str | None] = mapped_column(sa.String(500),
                                             info=personal(PersonalKind.FREE_TEXT))
    decline_reason: Mapped[str | None] = mapped_column(
        sa.String(500), info=personal(PersonalKind.FREE_TEXT))
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(back_populates="transfers")
    from_district: Mapped[Territory] = relationship(foreign_keys=[from_district_id])
    to_district: Mapped[Territory] = relationship(foreign_keys=[to_district_id])
    from_lead_agency: Mapped[Agency] = relationship(foreign_keys=[from_lead_agency_id])
    to_lead_agency: Mapped[Agency | None] = relationship(foreign_keys=[to_lead_agency_id])
