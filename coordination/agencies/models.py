"""Agencies and their types."""
from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.models_base import enum_type
from coordination.territories.models import Territory


class AgencyType(enum.StrEnum):
    COMMITTEE = "committee"
    POLICE = "police"
    SOCIAL = "social"
    LSG = "lsg"
    HEALTH = "health"
    EDUCATION = "education"
    CRISIS_CENTRE = "crisis_centre"
    MINISTRY = "ministry"


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

    territory: Mapped[Territory] = relationship()

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"
