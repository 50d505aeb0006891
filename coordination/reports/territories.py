"""The territorial breakdown of a report, and the population its rates divide by."""
from __future__ import annotations

import sqlalchemy as sa

from coordination.cases.models import Sex
from coordination.extensions import db
from coordination.population.queries import populations_of
from coordination.territories.models import Territory, TerritoryLevel


def units(territory: Territory) -> list[Territory]:
    """The columns of a territorial breakdown: the territory's regions or
    districts, or the district itself."""
    if territory.level in (TerritoryLevel.COUNTRY, TerritoryLevel.REGION):
        query = sa.select(Territory).where(Territory.parent_id == territory.id,
                                           Territory.active.is_(True))
        return list(db.session.scalars(query.order_by(Territory.code)))
    return [territory]


def population_for(territories: list[Territory], year: int) -> dict[tuple[int, str], int]:
    """{(territory id, sex value): population} for ``year``, where it is entered
    (a region without its own figure: the sum of its districts, if all have one;
    docs/population.md)."""
    figures = {}
    for sex in Sex:
        for territory_id, people in populations_of(territories, year, sex).items():
            if people is not None:
                figures[(territory_id, sex.value)] = people
    return figures


def population(figures: dict[tuple[int, str], int] | None, territory_id: int,
               sex: Sex | None) -> int | None:
    """One unit's population of ``sex`` (None: both sexes, if both are entered)."""
    figures = figures or {}
    if sex is not None:
        return figures.get((territory_id, sex.value))
    both = [figures.get((territory_id, s.value)) for s in Sex]
    return None if None in both else sum(both)
