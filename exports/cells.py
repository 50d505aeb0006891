"""Spreadsheet formula injection: texts that a spreadsheet would run as formulas.

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula (and a leading tab, carriage return or line
feed can hide such a start), so a label like ``=HYPERLINK(...)`` in an export
would run on the analyst's machine. The standard neutralisation (OWASP, "CSV
Injection") is a leading apostrophe: the spreadsheet then shows the text as
text. The same applies to the full-width forms of those characters, which
some spreadsheets normalise.

Plain number literals ("-3", "+7", "2.5") are left alone: they cannot run
anything, and a spreadsheet reads them as the numbers they are. Real numbers
never pass through here; renderers write them as numbers.
"""
from __future__ import annotations

import re

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")

_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    if text and text[0] in FORMULA_TRIGGERS and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
