"""The shape of an anonymized aggregate report, shared by every renderer.

The caller (``coordination.reports``) builds a :class:`Report` whose counts
have already been through disclosure control and whose texts are already
translated; the renderers (CSV, XLSX, PDF, the page's SVG charts) only lay
it out. Nothing here imports ``coordination``.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Cell:
    """One published value.

    ``value`` is the number that may be shown (None when suppressed or
    empty); ``display`` is exactly what every output prints ("12", "<5",
    "3.5", "—").
    """

    value: int | float | None
    display: str
    suppressed: bool = False


@dataclass(frozen=True)
class Table:
    """A table of counts: rows of cells under column headings.

    The last column and the last row are the totals when ``has_totals``.
    """

    key: str  #: stable identifier, e.g. "forms_by_region" (sheet names, anchors)
    title: str
    row_heading: str
    columns: list[str]
    rows: list[tuple[str, list[Cell]]]
    has_totals: bool = True
    #: The threshold used for this table (10 for breakdowns of sexual violence).
    k: int = 5
    note: str | None = None
    #: When the rows are months: the first day of each row's month (None for
    #: the totals row). People read ``rows``' labels ("март 2026"); CSV writes
    #: these as ``2026-03`` and XLSX as date cells.
    row_dates: list[date | None] | None = None


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  #: None where the value is suppressed


@dataclass(frozen=True)
class Chart:
    """A bar chart or a line chart of values already published in a table."""

    key: str
    kind: str  #: "bar" or "line"
    title: str
    labels: list[str]
    series: list[Series]
    #: The language the axis numbers are written in ("1 000" / "1,000").
    language: str = "en"


@dataclass(frozen=True)
class CoverLine:
    """One line of the cover: a label and its text in the report's language.

    ``plain`` is what machine-readable outputs (CSV) write instead of the
    text when the two differ: ISO dates ("2025-12/2026-11") rather than
    month names. It unpacks as ``label, text``, like a pair.
    """

    label: str
    text: str
    plain: str | None = None

    def __iter__(self) -> Iterator[str]:
        return iter((self.label, self.text))


def plain_text(line: CoverLine | tuple[str, str]) -> str:
    """What machine-readable outputs write for a cover line."""
    return getattr(line, "plain", None) or tuple(line)[1]


@dataclass(frozen=True)
class Report:
    """Everything an output shows; the cover texts are translated by the caller."""

    title: str
    #: Cover lines, in order: period, territory, k, the anonymization note,
    #: when it was produced. Every output prints all of them.
    cover: list[CoverLine | tuple[str, str]]
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    language: str = "ky"
