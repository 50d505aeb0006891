"""What a report is asked for: the period and the territory, checked."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination import policy
from coordination.accounts.models import User
from coordination.extensions import db
from coordination.refusals import Forbidden
from coordination.reports.engine import Scope
from coordination.territories.models import Territory, TerritoryLevel

#: The longest period one report covers, in months.
MAX_MONTHS = 60
#: The report's breakdowns, by the key of their table (``?table=forms&table=...``).
BREAKDOWNS = ("cases", "months", "forms", "survivors", "relationship", "referrals", "response",
              "safety", "risk", "overdue")


@dataclass
class ReportRequest:
    """A checked request; ``problems`` are shown to the user (the defaults
    were used instead of what could not be taken)."""

    start: date  #: first day of the first month
    end: date  #: first day after the last month
    territory: Territory
    base: Territory  #: the widest territory the user may see
    problems: list[str] = field(default_factory=list)
    #: The breakdowns (table keys) asked for; empty means all of them.
    breakdowns: tuple[str, ...] = ()

    @property
    def scope(self) -> Scope:
        return Scope(self.territory, datetime.combine(self.start, datetime.min.time()),
                     datetime.combine(self.end, datetime.min.time()))

    def previous_year(self) -> Scope:
        """The same months one year earlier."""
        start = self.start.replace(year=self.start.year - 1)
        end = self.end.replace(year=self.end.year - 1)
        return Scope(self.territory, datetime.combine(start, datetime.min.time()),
                     datetime.combine(end, datetime.min.time()))

    @property
    def last_month(self) -> date:
        return _add_months(self.end, -1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month(text: str | None) -> date | None:
    """``YYYY-MM`` as the first day of that month, or None."""
    try:
        return datetime.strptime((text or "").strip(), "%Y-%m").date()
    except ValueError:
        return None


def _within(territory: Territory, base: Territory) -> bool:
    """Whether ``territory`` is ``base`` or lies below it."""
    node = territory
    while node is not None:
        if node.id == base.id:
            return True
        node = node.parent
    return False


def _territory(code: str | None, level: TerritoryLevel) -> Territory | None:
    code = (code or "").strip()
    # A code is a short run of printable characters; anything else (a NUL byte
    # would make PostgreSQL refuse the query) matches no territory.
    if not code or len(code) > 16 or not code.isprintable():
        return None
    return db.session.scalar(sa.select(Territory).where(
        Territory.code == code, Territory.level == level))


def parse(user: User, args, today: date) -> ReportRequest:
    """Read ``from``, ``to`` (YYYY-MM), ``region`` and ``district`` (territory
    codes) for ``user``. Raises :class:`Forbidden` for users who see no
    statistics; anything else that cannot be used is explained and replaced
    by the default (the last twelve months; the user's whole territory)."""
    base = policy.statistics_territory(user)
    if base is None:
        raise Forbidden("this user sees no statistics")
    problems = []
    this_month = today.replace(day=1)
    first, last = _month(args.get("from")), _month(args.get("to"))
    if args.get("from") and first is None or args.get("to") and last is None:
        problems.append(_("Months are written as year and month, e.g. 2026-03."))
    last = last or this_month
    first = first or _add_months(last, -11)
    if first > last or _add_months(first, MAX_MONTHS) <= last or last > this_month:
        problems.append(_("The period was not valid; the last twelve months are shown."))
        first, last = _add_months(this_month, -11), this_month
    territory = base
    for key, level in (("region", TerritoryLevel.REGION), ("district", TerritoryLevel.DISTRICT)):
        if not args.get(key):
            continue
        chosen = _territory(args.get(key), level)
        if chosen is None or not _within(chosen, base) or not _within(chosen, territory):
            problems.append(_("That territory is not available to you; your whole territory "
                              "is shown."))
            territory = base
            break
        territory = chosen
    breakdowns = tuple(key for key in args.getlist("table") if key in BREAKDOWNS)
    return ReportRequest(first, _add_months(last, 1), territory, base, problems, breakdowns)
