"""Dates typed into forms, in the country's way: day first, then month, then
year, separated by dots (05.03.2026), the way Kyrgyz and Russian write them
and the way a date is read in Kyrgyzstan whatever the interface language.

The browser's own ``<input type=date>`` follows the browser's locale, not the
page's (an English browser showed mm/dd/yyyy and "January 2026" on a Kyrgyz
page), so the forms use text inputs with this format, shown as a pattern in
the interface language ("дд.мм.гггг", "кк.аа.жжжж", "dd.mm.yyyy"), and the
server reads it. ISO 8601 (2026-03-05, 2026-03-05T14:30, 2026-03) is read
too: links, bookmarks and scripts keep working. A slash (3/5/2026) is
refused, because it is read as March 5 by some and May 3 by others.
"""
from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_MONTH = re.compile(r"(\d{1,2})\.(\d{4})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")

#: The pattern a person types, in the interface language (shown beside the
#: field and as its placeholder).
DAY_PATTERN = _l("dd.mm.yyyy")
MOMENT_PATTERN = _l("dd.mm.yyyy hh:mm")
MONTH_PATTERN = _l("mm.yyyy")


def _day(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:  # 31.02.2026, month 13
        return None


def parse_day(text: str | None) -> date | None:
    """``05.03.2026`` (or ``5.3.2026``) or ``2026-03-05`` as a date; None when
    it is neither or names no real day."""
    text = (text or "").strip()
    if match := _DAY.fullmatch(text):
        return _day(match.group(3), match.group(2), match.group(1))
    if match := _ISO_DAY.fullmatch(text):
        return _day(*match.groups())
    return None


def parse_moment(text: str | None) -> datetime | None:
    """``05.03.2026 14:30`` (a comma after the date is allowed, as Russian
    writes it) or ``2026-03-05T14:30`` / ``2026-03-05 14:30``; None otherwise."""
    text = (text or "").strip()
    day_text, sep, time_text = text.replace("T", " ").replace(",", " ").partition(" ")
    time_text = time_text.strip()
    if not sep or not time_text:
        return None
    day = parse_day(day_text)
    match = _TIME.fullmatch(time_text)
    if day is None or match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return datetime(day.year, day.month, day.day, hour, minute)


def parse_month(text: str | None) -> date | None:
    """``03.2026`` (or ``3.2026``) or ``2026-03`` as the first day of the
    month; None otherwise."""
    text = (text or "").strip()
    if match := _MONTH.fullmatch(text):
        return _day(match.group(2), match.group(1), "1")
    if match := _ISO_MONTH.fullmatch(text):
        return _day(match.group(1), match.group(2), "1")
    return None


def format_day(day: date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


def format_moment(moment: datetime | None) -> str:
    return f"{moment:%d.%m.%Y %H:%M}" if moment else ""


def format_month(day: date | None) -> str:
    return f"{day:%m.%Y}" if day else ""
