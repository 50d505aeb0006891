"""Population figures for the rates per 10,000 the statistics publish.

Stored figures are for regions and districts, by calendar year and sex. The
country, and a region without figures of its own, get theirs by summing:

* a territory's own figure wins;
* otherwise the sum of its children's figures (the regions of the country,
  the districts of a region; each child by this same rule), but only when
  every child has one;
* otherwise ``None``: no rate can be computed for that territory and year.

A district is never summed from its municipalities (they have no figures).
For both sexes together (``sex=None``) the female and the male figures are
each found by the rule above and added; if either is missing, ``None``.
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from coordination.cases.models import Sex
from coordination.extensions import db
from coordination.population.models import PopulationFigure
from coordination.territories.models import Territory, TerritoryLevel

#: The levels that have population figures, or that are summed from them.
LEVELS = (TerritoryLevel.COUNTRY, TerritoryLevel.REGION, TerritoryLevel.DISTRICT)


def population_by(territory_ids: list[int], year: int) -> dict[tuple[int, str], int]:
    """The stored figures of ``territory_ids`` in ``year``, keyed by
    (territory id, sex value), e.g. ``{(12, "female"): 61234}``. One query.

    Only what is stored: a territory without a figure of its own is absent
    (:func:`population_of` sums children).
    """
    if not territory_ids:
        return {}
    query = sa.select(PopulationFigure.territory_id, PopulationFigure.sex,
                      PopulationFigure.population).where(
        PopulationFigure.territory_id.in_(territory_ids), PopulationFigure.year == year)
    return {(territory_id, Sex(sex).value): population
            for territory_id, sex, population in db.session.execute(query)}


def populations_of(territories: list[Territory], year: int,
                   sex: Sex | str | None = None) -> dict[int, int | None]:
    """:func:`population_of` for several territories, by territory id, in one
    query (the whole tree of regions and districts with the year's figures)."""
    tree = _Tree.load(year)
    sexes = list(Sex) if sex is None else [Sex(sex)]
    return {territory.id: tree.total(territory.id, sexes) for territory in territories}


def population_of(territory: Territory, year: int, sex: Sex | str | None = None) -> int | None:
    """The population of ``territory`` in ``year`` (of ``sex``, or both sexes):
    its own figure, or the sum of its children's when every child has one;
    ``None`` when neither (see the module's rule). One query."""
    return populations_of([territory], year, sex)[territory.id]


def coverage_years() -> list[int]:
    """The years that have at least one stored figure, newest first."""
    query = sa.select(PopulationFigure.year).distinct().order_by(PopulationFigure.year.desc())
    return list(db.session.scalars(query))


class _Tree:
    """Regions and districts with one year's stored figures, summed on demand."""

    def __init__(self, children: dict[int, list[int]], stored: dict[tuple[int, Sex], int]):
        self.children = children
        self.stored = stored
        self.found: dict[tuple[int, Sex], int | None] = {}

    @classmethod
    def load(cls, year: int) -> _Tree:
        figure = PopulationFigure
        query = (
            sa.select(Territory.id, Territory.parent_id, Territory.level, figure.sex,
                      figure.population)
            .outerjoin(figure, sa.and_(figure.territory_id == Territory.id,
                                       figure.year == year))
            .where(Territory.level.in_(LEVELS))
        )
        children: dict[int, list[int]] = defaultdict(list)
        stored: dict[tuple[int, Sex], int] = {}
        seen: set[int] = set()
        for territory_id, parent_id, level, sex, population in db.session.execute(query):
            if territory_id not in seen:
                seen.add(territory_id)
                if parent_id is not None and level != TerritoryLevel.COUNTRY:
                    children[parent_id].append(territory_id)
            if sex is not None:
                stored[(territory_id, Sex(sex))] = population
        return cls(children, stored)

    def figure(self, territory_id: int, sex: Sex) -> int | None:
        key = (territory_id, sex)
        if key in self.stored:
            return self.stored[key]
        if key not in self.found:
            kids = self.children.get(territory_id, [])
            parts = [self.figure(kid, sex) for kid in kids]
            self.found[key] = (sum(parts) if kids and None not in parts else None)
        return self.found[key]

    def total(self, territory_id: int, sexes: list[Sex]) -> int | None:
        parts = [self.figure(territory_id, sex) for sex in sexes]
        return None if None in parts else sum(parts)
