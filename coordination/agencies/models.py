"""Agencies and their types."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.models_base import LabelledEnum, enum_type
from coordination.territories.models import Territory


class AgencyType(LabelledEnum):
    COMMITTEE = "committee", _l("Prevention committee")
    POLICE = "police", _l("Police")
    SOCIAL = "social", _l("Social protection")
    LSG = "lsg", _l("Local self-government")
    HEALTH = "health", _l("Health")
    EDUCATION = "education", _l("Education")
    CRISIS_CENTRE = "crisis_centre", _l("Crisis centre")
    MINISTRY = "ministry", _l("Ministry")
    #: A court: it reads the status of protection orders through its API
    #: client, and works on no case.
    COURT = "court", _l("Court")


#: The types whose staff never work on cases: the ministry reads statistics,
#: a court the status of protection orders. The access policy gives them no
#: case (``policy.works_on_cases``); no agency of these types leads a case,
#: receives a referral, owns a follow-up or is named by sharing consent.
NOT_CASE_WORKING = frozenset({AgencyType.MINISTRY, AgencyType.COURT})


class Agency(db.Model):
    """A local office of one body, serving one territory."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short stable code used by imports, e.g. ``SOK-POLICE``.
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    type: Mapped[AgencyType] = mapped_column(enum_type(AgencyType), index=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # The referral directory: what the office offers and how to reach it
    # (public facts about an institution, kept by the administrator).
    #: What the office offers, one service a line.
    services: Mapped[str | None] = mapped_column(sa.Text)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    #: Opening hours as written for people, e.g. "Mon-Fri 9:00-18:00".
    hours: Mapped[str | None] = mapped_column(sa.String(200))
    #: Languages the office works in, e.g. "Kyrgyz, Russian, Uzbek".
    languages: Mapped[str | None] = mapped_column(sa.String(200))

    territory: Mapped[Territory] = relationship()

    @property
    def service_lines(self) -> list[str]:
        """The services, one a line, without empty lines."""
        return [line.strip() for line in (self.services or "").splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"
