"""An aggregate :class:`~exports.report.Report` as CSV bytes.

Layout, one record per line: the cover lines (label, value), a blank line,
then each table as its title, a header row (row heading and columns), its
rows with every cell's ``display`` ("<5" stays "<5"), its note if any, and a
blank line. Nothing here imports ``coordination``.
"""
from __future__ import annotations

import csv
import io

from exports.cells import neutralise
from exports.report import Report, Table


def _table_records(table: Table) -> list[list[str]]:
    records = [[table.title], [table.row_heading, *table.columns]]
    records += [[label, *(cell.display for cell in cells)] for label, cells in table.rows]
    if table.note:
        records.append([table.note])
    return records


def render_csv(report: Report) -> bytes:
    """The report as CSV: UTF-8 with a BOM, CRLF line ends, every text neutralised.

    The BOM is what makes Excel read the file as UTF-8 (Cyrillic) when it is
    opened by a double click.
    """
    records: list[list[str]] = [[report.title]]
    records += [[label, value] for label, value in report.cover]
    for table in report.tables:
        records.append([])
        records += _table_records(table)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([neutralise(text) for text in record] for record in records)
    return buffer.getvalue().encode("utf-8-sig")
