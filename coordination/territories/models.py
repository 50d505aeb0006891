"""The territorial hierarchy, keyed on the official classifier code."""
from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.models_base import enum_type


class TerritoryLevel(enum.StrEnum):
    COUNTRY = "country"
    REGION = "region"
    DISTRICT = "district"
    MUNICIPALITY = "municipality"


class Territory(db.Model):
    """The country, a region (oblast or city), a district (rayon or city) or a
    municipality (ayil aimak or town)."""

    __tablename__ = "territories"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Territorial classifier code (5 digits for regions, 8 for districts).
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    level: Mapped[TerritoryLevel] = mapped_column(enum_type(TerritoryLevel))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("territories.id"), index=True
    )
    name_en: Mapped[str] = mapped_column(sa.String(120))
    name_ru: Mapped[str] = mapped_column(sa.String(120))
    name_ky: Mapped[str] = mapped_column(sa.String(120))
    #: Retired municipalities stay for the history that refers to them.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    parent: Mapped[Territory | None] = relationship(remote_side=[id])

    def name(self, locale: str) -> str:
        """The name in ``locale`` (ky, ru or en), falling back to English."""
        return getattr(self, f"name_{locale}", None) or self.name_en

    def __repr__(self) -> str:
        return f"<Territory {self.code} {self.name_en}>"
