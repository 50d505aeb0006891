"""An aggregate :class:`~exports.report.Report` as CSV bytes.

Layout, one record per line: the cover lines (label, value), a blank line,
then each table as its title, a header row (row heading and columns), its
rows, its note if any, and a blank line. Nothing here imports
``coordination``.

CSV is read by programs as much as by people, so its values are written
plainly, whatever the report's language: numbers without grouping and with a
decimal point ("1234", "3.5"), months and dates in ISO 8601 ("2026-03").
Texts (titles, headings, row labels, notes) are in the report's language;
suppressed and empty cells keep their mark ("<5", "—").
"""
from __future__ import annotations

import csv
import io

from exports.cells import neutralise
from exports.report import Cell, Report, Table, plain_text


def plain_number(value: int | float) -> str:
    """``value`` as programs read it: "1234", "3.5" (no grouping, a point)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _cell(cell: Cell) -> str:
    if cell.value is None or cell.suppressed:
        return cell.display
    return plain_number(cell.value)


def _table_records(table: Table) -> list[list[str]]:
    records = [[table.title], [table.row_heading, *table.columns]]
    dates = table.row_dates or [None] * len(table.rows)
    for (label, cells), day in zip(table.rows, dates, strict=True):
        records.append([f"{day:%Y-%m}" if day else label, *(_cell(cell) for cell in cells)])
    if table.note:
        records.append([table.note])
    return records


def render_csv(report: Report) -> bytes:
    """The report as CSV: UTF-8 with a BOM, CRLF line ends, every text neutralised.

    The BOM is what makes Excel read the file as UTF-8 (Cyrillic) when it is
    opened by a double click.
    """
    records: list[list[str]] = [[report.title]]
    records += [[tuple(line)[0], plain_text(line)] for line in report.cover]
    for table in report.tables:
        records.append([])
        records += _table_records(table)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([neutralise(text) for text in record] for record in records)
    return buffer.getvalue().encode("utf-8-sig")
