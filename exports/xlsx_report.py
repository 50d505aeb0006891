"""An aggregate :class:`~exports.report.Report` as an XLSX workbook.

A cover sheet (the title and every cover line), then one sheet per table:
its title in A1, the header row in row 3 (bold, frozen with the row labels),
the rows, the totals in bold, and the note under them. Published numbers are
numeric cells with a grouping number format ("#,##0"), which the spreadsheet
shows with the reader's own separators; suppressed and empty cells are their
text ("<5", "—"). Month rows are date cells shown as the month's name in the
report's language (a locale-tagged format, e.g. ``[$-419]mmmm yyyy``), so
they sort and chart as dates. Every text is neutralised against formula
injection. Nothing here imports ``coordination``.
"""
from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from exports.cells import neutralise
from exports.report import Cell, Report, Table

#: Excel's limit on a sheet name.
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADER_ROW = 3
_BOLD = Font(bold=True)
#: Windows locale ids that tag a date format with the language of its month names.
_LOCALE_IDS = {"ky": "440", "ru": "419", "en": "409"}
_RIGHT = Alignment(horizontal="right")


def _text(text: str) -> str:
    """Neutralised text without the control characters XLSX cannot store."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", text))


def _clean_sheet_name(text: str) -> str:
    text = _SHEET_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", text))
    text = " ".join(text.split()).strip(" '")
    return text[:SHEET_NAME_MAX].strip(" '")


def _sheet_name(wanted: str, fallback: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, no apostrophe at either end, <= 31 chars."""
    base = _clean_sheet_name(wanted) or _clean_sheet_name(fallback) or "Sheet"
    name, number = base, 2
    # Excel compares sheet names case-insensitively.
    while name.casefold() in taken:
        suffix = f" ({number})"
        name = base[:SHEET_NAME_MAX - len(suffix)].rstrip(" '") + suffix
        number += 1
    taken.add(name.casefold())
    return name


def _number_format(cell: Cell) -> str:
    """Grouped thousands, and as many decimals as the published display shows,
    so "3,5" stays 3.5 with one decimal."""
    match = re.search(r"[.,](\d+)\s*$", cell.display)
    return "#,##0." + "0" * len(match.group(1)) if match else "#,##0"


def month_format(language: str) -> str:
    """The number format that shows a date as its month and year in ``language``."""
    return f"[$-{_LOCALE_IDS.get(language, _LOCALE_IDS['en'])}]mmmm yyyy"


def _write_label(sheet: Worksheet, row: int, label: str, day: date | None,
                 language: str):
    target = sheet.cell(row=row, column=1)
    if day is None:
        target.value = _text(label)
    else:
        target.value = day
        target.number_format = month_format(language)
        target.alignment = Alignment(horizontal="left")
    return target


def _write_cell(sheet: Worksheet, row: int, column: int, cell: Cell, bold: bool) -> None:
    target = sheet.cell(row=row, column=column)
    if cell.value is not None and not cell.suppressed:
        target.value = cell.value
        target.number_format = _number_format(cell)
    else:
        target.value = _text(cell.display)
    target.alignment = _RIGHT
    if bold:
        target.font = _BOLD


def _fit_columns(sheet: Worksheet, widths: list[int]) -> None:
    for index, length in enumerate(widths, start=1):
        limit = 60 if index == 1 else 24
        sheet.column_dimensions[get_column_letter(index)].width = min(max(length + 2, 8), limit)


def _write_cover(sheet: Worksheet, report: Report) -> None:
    sheet["A1"] = _text(report.title)
    sheet["A1"].font = Font(bold=True, size=14)
    for row, (label, value) in enumerate(report.cover, start=3):
        sheet.cell(row=row, column=1, value=_text(label)).font = _BOLD
        sheet.cell(row=row, column=2, value=_text(value)).alignment = Alignment(wrap_text=True)
    sheet.column_dimensions["A"].width = min(max((len(lb) for lb, _ in report.cover),
                                                 default=10) + 2, 40)
    sheet.column_dimensions["B"].width = 80


def _write_table(sheet: Worksheet, table: Table, language: str) -> None:
    sheet["A1"] = _text(table.title)
    sheet["A1"].font = Font(bold=True, size=12)
    header = [table.row_heading, *table.columns]
    for column, text in enumerate(header, start=1):
        target = sheet.cell(row=_HEADER_ROW, column=column, value=_text(text))
        target.font = _BOLD
        target.alignment = Alignment(wrap_text=True, vertical="top",
                                     horizontal="left" if column == 1 else "right")
    widths = [len(text) for text in header]
    last_row, last_column = len(table.rows) - 1, len(table.columns) - 1
    dates = table.row_dates or [None] * len(table.rows)
    for index, ((label, cells), day) in enumerate(zip(table.rows, dates, strict=True)):
        row = _HEADER_ROW + 1 + index
        total_row = table.has_totals and index == last_row
        label_cell = _write_label(sheet, row, label, day, language)
        if total_row:
            label_cell.font = _BOLD
        widths[0] = max(widths[0], len(label))
        for position, cell in enumerate(cells):
            bold = total_row or (table.has_totals and position == last_column)
            _write_cell(sheet, row, position + 2, cell, bold)
            if position + 1 < len(widths):
                widths[position + 1] = max(widths[position + 1], len(cell.display))
    if table.note:
        sheet.cell(row=_HEADER_ROW + len(table.rows) + 2, column=1, value=_text(table.note))
    _fit_columns(sheet, widths)
    # Keeps the header and the row labels in view while scrolling.
    sheet.freeze_panes = sheet.cell(row=_HEADER_ROW + 1, column=2)


def render_xlsx(report: Report) -> bytes:
    """The report as XLSX bytes: a cover sheet, then one sheet per table."""
    workbook = Workbook()
    taken: set[str] = set()
    cover = workbook.active
    cover.title = _sheet_name(report.title, "Report", taken)
    _write_cover(cover, report)
    for number, table in enumerate(report.tables, start=1):
        sheet = workbook.create_sheet(_sheet_name(table.title, table.key or f"T{number}", taken))
        _write_table(sheet, table, report.language)
    workbook.properties.title = report.title
    workbook.properties.language = report.language
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
