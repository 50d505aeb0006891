"""Plausible bounds for numbers that come from URLs and query strings.

Ids in the database are 32-bit integers (PostgreSQL ``integer``): a larger
one in a URL must answer 404 like any id that does not exist, never reach the
database as an out-of-range parameter (a 500). Page numbers are bounded the
same way, so that an offset never overflows.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: The largest value of a PostgreSQL ``integer`` column (and of our ids).
MAX_ID = 2**31 - 1
#: No list has this many pages; a larger page number is a forged one.
MAX_PAGE = 100_000


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in every route: 0 to :data:`MAX_ID`, otherwise no match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        highest = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=highest, signed=signed)


def bounded_int(raw, default: int, lowest: int = 1, highest: int = MAX_ID) -> int:
    """An integer query parameter: ``default`` when absent or not a number,
    else clamped to ``lowest``..``highest``."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return max(lowest, min(value, highest))


def page_number(raw) -> int:
    """The ``page`` query parameter: 1 when absent or wrong, at most :data:`MAX_PAGE`."""
    return bounded_int(raw, 1, 1, MAX_PAGE)


def id_or_none(raw) -> int | None:
    """An id from a query string, or None when absent, wrong or out of range."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= MAX_ID else None
