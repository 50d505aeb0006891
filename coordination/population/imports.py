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

import csv
import io
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Sex
from coordination.extensions import db
from coordination.i18n import lazy_ngettext, lazy_number
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
class Problem:
    """What is wrong, and on which line of the file (None: the whole file)."""

    line: int | None
    message: str


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


class _FileProblem(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def read_limit() -> int:
    """How many bytes of an uploaded file are worth reading (one more is too many)."""
    return current_app.config["IMPORT_MAX_BYTES"]


# --- reading the file (the messages are the user import's, already translated) ---------


def _decode(data: bytes) -> str:
    if not data.strip():
        raise _FileProblem(_l("The file is empty."))
    if len(data) > read_limit():
        raise _FileProblem(_l("The file is larger than %(size)d MB. Split it into smaller files.",
                              size=read_limit() // (1024 * 1024)))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _FileProblem(_l('The file is saved as UTF-16 ("Unicode text"). '
                              'Save it as "CSV UTF-8" and try again.'))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _FileProblem(_l(
            "The file is not in UTF-8: the byte at position %(position)d cannot be read "
            "(files saved as Windows-1251 or another legacy encoding look like this). "
            'Save it as "CSV UTF-8" and try again.', position=error.start + 1)) from None
    if "\x00" in text:
        raise _FileProblem(_l("The file contains binary data; choose a CSV text file."))
    return text


def _lines_checked(text: str) -> None:
    lines = [line for line in text.splitlines()[1:] if line.strip()]
    limit = current_app.config["IMPORT_MAX_LINES"]
    if len(lines) > limit:
        raise _FileProblem(lazy_ngettext(
            "The file has %(num)s data line; at most %(limit)s can be imported at once. "
            "Split it into smaller files.",
            "The file has %(num)s data lines; at most %(limit)s can be imported at once. "
            "Split it into smaller files.", len(lines), limit=lazy_number(limit)))


def _reader(text: str):
    """A csv reader past the header, which must name exactly :data:`COLUMNS`."""
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error:
        header = []
    if sorted(header) != sorted(COLUMNS):
        raise _FileProblem(_l(
            "The first line must name the columns %(expected)s. "
            "It names: %(found)s.", expected=", ".join(COLUMNS),
            found=", ".join(name or "—" for name in header) or "—"))
    return reader, header


def _records(text: str, check: ImportCheck) -> list[tuple[int, dict[str, str]]]:
    """The non-blank data lines as (line number, values by column); a line
    the csv module cannot read ends the reading (nothing after it can be trusted)."""
    reader, header = _reader(text)
    records = []
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return records
        except csv.Error:
            check.problems.append(Problem(reader.line_num, _l(
                "This line cannot be read as CSV (check its quotation marks).")))
            return records
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            check.problems.append(Problem(reader.line_num, lazy_ngettext(
                "Expected %(num)s value separated by commas, found %(found)s.",
                "Expected %(num)s values separated by commas, found %(found)s.",
                len(header), found=lazy_number(len(values)))))
            continue
        records.append((reader.line_num, {name: value.strip() for name, value
                                          in zip(header, values, strict=True)}))


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
        text = _decode(data)
        _lines_checked(text)
        records = _records(text, check)
    except _FileProblem as problem:
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
