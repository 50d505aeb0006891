"""Population figures from a CSV file, checked line by line, saved all or nothing.

The file is UTF-8 (with or without a byte order mark), its first line names
the columns ``territory_code,year,sex,population`` (in any order; a semicolon
works as the separator too), then one figure a line: the classifier code of
a region or district, the calendar year, ``female`` or ``male``, and the
number of people. A figure already stored for the territory, year and sex is
replaced; every imported figure loses the demo mark. If any line has a
problem, nothing is saved and every problem is listed with its line number.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Sex
from coordination.csv_import import FileProblem, Problem, read_records
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.population.models import PopulationFigure
from coordination.population.services import (
    FIGURE_LEVELS,
    population_problem,
    require_admin,
    year_problem,
)
from coordination.territories.models import Territory

COLUMNS = ("territory_code", "year", "sex", "population")


@dataclass(frozen=True)
class FigureLine:
    line: int
    territory: Territory
    year: int
    sex: Sex
    population: int


@dataclass
class ImportCheck:
    figures: list[FigureLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing wrong, and something to import."""
        return not self.problems and bool(self.figures)


# --- checking each line ------------------------------------------------------------


def _whole_number(raw: str) -> int | None:
    """``raw`` as a whole number (spaces as thousands separators allowed), or None."""
    digits = raw.replace(" ", "").replace("\u00a0", "")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
        return None
    return int(digits)


def _territory(territories: dict[str, Territory], code: str, problems: list):
    if not code:
        problems.append(_l("The territory code is empty."))
        return None
    territory = territories.get(code)
    if territory is None:
        problems.append(_l("There is no territory with the code %(code)s.", code=code))
        return None
    if territory.level not in FIGURE_LEVELS:
        problems.append(_l("Figures are given for regions and districts only; "
                           "%(code)s is neither.", code=code))
        return None
    return territory


def _sex(raw: str, problems: list) -> Sex | None:
    try:
        return Sex(raw.lower())
    except ValueError:
        problems.append(_l("Unknown sex %(sex)s; use female or male.", sex=raw or "—"))
        return None


def _check_line(territories, seen: dict, line: int, values: dict[str, str],
                check: ImportCheck) -> None:
    problems: list = []
    territory = _territory(territories, values["territory_code"], problems)
    year = _whole_number(values["year"])
    problem = year_problem(year)
    if problem:
        problems.append(problem)
    sex = _sex(values["sex"], problems)
    population = _whole_number(values["population"])
    problem = population_problem(population)
    if problem:
        problems.append(problem)
    if not problems:
        key = (territory.id, year, sex)
        if key in seen:
            problems.append(_l("The same territory, year and sex are also on line %(line)d.",
                               line=seen[key]))
        seen.setdefault(key, line)
    check.problems.extend(Problem(line, message) for message in problems)
    if not problems:
        check.figures.append(FigureLine(line, territory, year, sex, population))


def check_import(actor, data: bytes) -> ImportCheck:
    """Every problem of the file, by line; nothing is saved."""
    require_admin(actor)
    check = ImportCheck()
    try:
        records = read_records(data, COLUMNS, check.problems)
    except FileProblem as problem:
        return ImportCheck(problems=[Problem(None, problem.message)])
    codes = {values["territory_code"] for _line, values in records} - {""}
    territories = {t.code: t for t in db.session.scalars(
        sa.select(Territory).where(Territory.code.in_(codes)))}
    seen: dict = {}
    for line, values in records:
        _check_line(territories, seen, line, values, check)
    check.problems.sort(key=lambda problem: problem.line or 0)
    if not check.figures and not check.problems:
        check.problems.append(Problem(None, _l("The file has no figures to import.")))
    return check


def run_import(actor, data: bytes) -> ImportCheck:
    """Check the file and, only if no line has a problem, save every figure
    (added, or replacing the stored one), without the demo mark. The caller
    commits; a file with a problem changes nothing."""
    check = check_import(actor, data)
    if not check.ok:
        return check
    now = utcnow()
    years = {figure.year for figure in check.figures}
    stored = {(f.territory_id, f.year, f.sex): f for f in db.session.scalars(
        sa.select(PopulationFigure).where(PopulationFigure.year.in_(years)))}
    try:
        with db.session.begin_nested():
            for line in check.figures:
                figure = stored.get((line.territory.id, line.year, line.sex))
                if figure is None:
                    figure = PopulationFigure(territory=line.territory, year=line.year,
                                              sex=line.sex)
                    db.session.add(figure)
                figure.population, figure.demo = line.population, False
                figure.updated_at, figure.updated_by_id = now, actor.id
            record(AuditAction.POPULATION_IMPORTED, actor)
            db.session.flush()
    except sa.exc.IntegrityError:
        return ImportCheck(problems=[Problem(None, _l(
            "Nothing was imported: figures were added while the file was being imported. "
            "Import the file again."))])
    return check
