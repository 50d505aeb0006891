"""Population by territory, calendar year and sex."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.cases.models import Sex
from coordination.extensions import db
from coordination.models_base import enum_type, utcnow
from coordination.territories.models import Territory


class PopulationFigure(db.Model):
    """The resident population of one region or district, in one calendar
    year, of one sex (the statistical committee's figure)."""

    __tablename__ = "population_figures"
    __table_args__ = (
        sa.UniqueConstraint("territory_id", "year", "sex"),
        sa.CheckConstraint("population >= 0", name="population_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"))
    year: Mapped[int] = mapped_column(index=True)
    sex: Mapped[Sex] = mapped_column(enum_type(Sex))
    population: Mapped[int]
    #: Loaded by the demo: plausible, not official. Saving or importing the
    #: figure clears the mark.
    demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    territory: Mapped[Territory] = relationship()
    updated_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<PopulationFigure {self.territory_id} {self.year} {self.sex} {self.population}>"
