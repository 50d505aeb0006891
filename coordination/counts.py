"""Counts that stop at a cap: what a page shows as "99+" instead of counting
every row on each request (the home page's panels, the navigation's badges,
the case list). The cost of such a count is at most ``cap + 1`` index
entries, whatever the size of the agency's work (docs/PERFORMANCE.md).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import format_number

from coordination.extensions import db

#: The home page's panels and the navigation's badges stop counting here.
PANEL_CAP = 99


class Capped(int):
    """A count that stopped at a cap: the number, and ``more`` when more rows
    match than it says."""

    more: bool

    def __new__(cls, value: int, more: bool = False):
        count = super().__new__(cls, value)
        count.more = more
        return count


def capped_count(query: sa.Select, cap: int = PANEL_CAP) -> Capped:
    """How many rows ``query`` selects, counting at most ``cap``."""
    found = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.limit(cap + 1).subquery()))
    return Capped(min(found, cap), found > cap)


def count_format(count: int) -> str:
    """A count in the user's locale, "99+" when it stopped at its cap."""
    return format_number(count) + ("+" if getattr(count, "more", False) else "")
