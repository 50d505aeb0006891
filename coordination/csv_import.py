"""Reading an uploaded CSV file for an import: the checks every import shares.

The file is UTF-8 (with or without a byte order mark) and at most
``IMPORT_MAX_BYTES`` long, with at most ``IMPORT_MAX_LINES`` data lines; its
first line names the import's columns in any order; a semicolon works as the
separator too (spreadsheets set to Russian write it). A problem with the whole
file raises :class:`FileProblem`; a problem with one line becomes a
:class:`Problem` with its line number, so that the import can list them all.
The user import (``accounts/imports.py``) and the population figures
(``population/imports.py``) check their own columns' values.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from coordination.i18n import lazy_ngettext, lazy_number


@dataclass(frozen=True)
class Problem:
    """What is wrong, and on which line of the file (None: the whole file)."""

    line: int | None
    message: str


class FileProblem(Exception):
    """The whole file cannot be imported; ``message`` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def read_limit() -> int:
    """How many bytes of an uploaded file are worth reading (one more is too many)."""
    return current_app.config["IMPORT_MAX_BYTES"]


def _decode(data: bytes) -> str:
    """The file's text; raises :class:`FileProblem` naming the encoding problem."""
    if not data.strip():
        raise FileProblem(_l("The file is empty."))
    if len(data) > read_limit():
        raise FileProblem(_l("The file is larger than %(size)d MB. Split it into smaller files.",
                             size=read_limit() // (1024 * 1024)))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(_l('The file is saved as UTF-16 ("Unicode text"). '
                             'Save it as "CSV UTF-8" and try again.'))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(_l(
            "The file is not in UTF-8: the byte at position %(position)d cannot be read "
            "(files saved as Windows-1251 or another legacy encoding look like this). "
            'Save it as "CSV UTF-8" and try again.', position=error.start + 1)) from None
    if "\x00" in text:
        raise FileProblem(_l("The file contains binary data; choose a CSV text file."))
    return text


def _lines_checked(text: str) -> None:
    lines = [line for line in text.splitlines()[1:] if line.strip()]
    limit = current_app.config["IMPORT_MAX_LINES"]
    if len(lines) > limit:
        raise FileProblem(lazy_ngettext(
            "The file has %(num)s data line; at most %(limit)s can be imported at once. "
            "Split it into smaller files.",
            "The file has %(num)s data lines; at most %(limit)s can be imported at once. "
            "Split it into smaller files.", len(lines), limit=lazy_number(limit)))


def _reader(text: str, columns: tuple[str, ...]):
    """A csv reader past the header, which must name exactly ``columns``."""
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error:
        header = []
    if sorted(header) != sorted(columns):
        raise FileProblem(_l(
            "The first line must name the columns %(expected)s. "
            "It names: %(found)s.", expected=", ".join(columns),
            found=", ".join(name or "—" for name in header) or "—"))
    return reader, header


def read_records(data: bytes, columns: tuple[str, ...],
                 problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    """The file's non-blank data lines as (line number, stripped values by column).

    Raises :class:`FileProblem` for the whole file. Lines with the wrong number
    of values become ``problems``; a line the csv module cannot read ends the
    reading (nothing after it can be trusted).
    """
    text = _decode(data)
    _lines_checked(text)
    reader, header = _reader(text, columns)
    records = []
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return records
        except csv.Error:
            problems.append(Problem(reader.line_num, _l(
                "This line cannot be read as CSV (check its quotation marks).")))
            return records
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            problems.append(Problem(reader.line_num, lazy_ngettext(
                "Expected %(num)s value separated by commas, found %(found)s.",
                "Expected %(num)s values separated by commas, found %(found)s.",
                len(header), found=lazy_number(len(values)))))
            continue
        records.append((reader.line_num, {name: value.strip() for name, value
                                          in zip(header, values, strict=True)}))
