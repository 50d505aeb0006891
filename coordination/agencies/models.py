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
