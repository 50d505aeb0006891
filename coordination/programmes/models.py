"""Enrolment of the alleged perpetrator in a correctional programme."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.agencies.models import Agency
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.models_base import LabelledEnum, enum_type, utcnow
from coordination.referrals.models import LegalGround


class ProgrammeStatus(LabelledEnum):
    REFERRED = "referred", _l("Referred")
    STARTED = "started", _l("Started")
    COMPLETED = "completed", _l("Completed")
    DROPPED_OUT = "dropped_out", _l("Dropped out")


class CorrectionalProgramme(db.Model):
    __tablename__ = "correctional_programmes"
    __table_args__ = (
        # The access policy: the cases whose programme an agency runs.
        sa.Index("ix_correctional_programmes_provider_agency_id_case_id",
                 "provider_agency_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    #: Who runs it: social protection or a crisis centre.
    provider_agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    status: Mapped[ProgrammeStatus] = mapped_column(
        enum_type(ProgrammeStatus), default=ProgrammeStatus.REFERRED
    )
    referred_at: Mapped[datetime] = mapped_column(default=utcnow)
    referred_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    started_on: Mapped[date | None]
    #: Why the provider may see the case without the survivor's consent for
    #: its type (None: consent, or the provider already holds the case).
    legal_ground: Mapped[LegalGround | None] = mapped_column(
        enum_type(LegalGround))
    ended_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(back_populates="programmes")
    provider_agency: Mapped[Agency] = relationship()
