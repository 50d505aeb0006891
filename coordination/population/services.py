"""Population figures maintained by administrators: one at a time, or a CSV
file of many (``coordination/population/imports.py``).

A figure saved or imported by an administrator loses the demo mark: from
then on it is the administrator's figure, not one the demo made up.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from coordination import policy
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Sex
from coordination.extensions import db
from coordination.i18n import lazy_number
from coordination.models_base import utcnow
from coordination.population.models import PopulationFigure
from coordination.refusals import Forbidden, RuleBroken
from coordination.territories.models import Territory, TerritoryLevel
from coordination.territories.services import territory_options

#: The levels that have figures of their own; the country is their sum.
FIGURE_LEVELS = (TerritoryLevel.REGION, TerritoryLevel.DISTRICT)
#: The first year a figure may be given for (the country's independence).
EARLIEST_YEAR = 1991
#: More people of one sex than live in the whole country: a typing error.
MAX_POPULATION = 10_000_000


class PopulationError(RuleBroken):
    """A figure could not be saved; ``field`` names the form field to blame."""


@dataclass(frozen=True)
class FigureData:
    territory_id: int | None
    year: int | None
    sex: str | None
    population: int | None


def latest_year() -> int:
    """The last year a figure may be given for: next year's estimate is
    published before the year begins."""
    return utcnow().year + 1


def require_admin(actor) -> None:
    if not policy.may_use(actor, policy.Section.REFERENCE_DATA):
        raise Forbidden("only administrators maintain reference data")


def territory_choices(lang: str) -> list[tuple[int, str]]:
    """(id, place) of the regions and districts, in classifier order."""
    return territory_options(lang, levels=FIGURE_LEVELS)


def year_problem(year: int | None):
    """What is wrong with ``year``, or None."""
    if year is None or not EARLIEST_YEAR <= year <= latest_year():
        return _l("Enter a year from %(first)s to %(last)s.",
                  first=EARLIEST_YEAR, last=latest_year())
    return None


def population_problem(population: int | None):
    """What is wrong with ``population``, or None."""
    if population is None or not 0 <= population <= MAX_POPULATION:
        return _l("Enter the population as a whole number from 0 to %(max)s.",
                  max=lazy_number(MAX_POPULATION))
    return None


def _checked(data: FigureData) -> tuple[Territory, int, Sex, int]:
    territory = db.session.get(Territory, data.territory_id) if data.territory_id else None
    if territory is None or territory.level not in FIGURE_LEVELS:
        raise PopulationError(_l("Choose a region or a district."), "territory_id")
    problem = year_problem(data.year)
    if problem:
        raise PopulationError(problem, "year")
    try:
        sex = Sex(data.sex)
    except ValueError:
        raise PopulationError(_l("Choose female or male."), "sex") from None
    problem = population_problem(data.population)
    if problem:
        raise PopulationError(problem, "population")
    return territory, data.year, sex, data.population


def figure_for(territory_id: int, year: int, sex: Sex) -> PopulationFigure | None:
    """The stored figure of ``territory_id``, ``year`` and ``sex``, if any."""
    return db.session.scalar(sa.select(PopulationFigure).where(
        PopulationFigure.territory_id == territory_id, PopulationFigure.year == year,
        PopulationFigure.sex == sex))


def save_figure(actor, figure: PopulationFigure | None, data: FigureData) -> PopulationFigure:
    """Add a figure (``figure`` None) or change one; it loses the demo mark.

    Raises :class:`PopulationError` for a value out of bounds, or when another
    figure already has the territory, year and sex. Administrators only.
    """
    require_admin(actor)
    territory, year, sex, population = _checked(data)
    other = figure_for(territory.id, year, sex)
    if other is not None and other is not figure:
        raise PopulationError(_l(
            "There is already a figure for this territory, year and sex; change that one."))
    if figure is None:
        figure = PopulationFigure()
        db.session.add(figure)
    elif (figure.territory_id, figure.year, figure.sex, figure.population, figure.demo) == (
            territory.id, year, sex, population, False):
        return figure  # nothing changed: not audited, as other administrative edits
    figure.territory, figure.year, figure.sex, figure.population = (
        territory, year, sex, population)
    figure.demo = False
    figure.updated_at, figure.updated_by_id = utcnow(), actor.id
    db.session.flush()
    record(AuditAction.POPULATION_CHANGED, actor, "population_figure", figure.id)
    return figure


@dataclass(frozen=True)
class FigureRow:
    """A region or district in the list, with its figures of one year."""

    territory: Territory
    female: PopulationFigure | None
    male: PopulationFigure | None

    @property
    def demo(self) -> bool:
        return any(f is not None and f.demo for f in (self.female, self.male))


def figures_of_year(year: int) -> list[FigureRow]:
    """Every region and district in classifier order with its figures of
    ``year`` (two queries, whatever the number of territories)."""
    territories = db.session.scalars(
        sa.select(Territory).where(Territory.level.in_(FIGURE_LEVELS))
        .order_by(Territory.code))
    figures = {(f.territory_id, f.sex): f for f in db.session.scalars(
        sa.select(PopulationFigure).where(PopulationFigure.year == year))}
    return [FigureRow(t, figures.get((t.id, Sex.FEMALE)), figures.get((t.id, Sex.MALE)))
            for t in territories]
