"""What a report is asked for: the period, the territory and the breakdowns, checked.

Nothing is silently replaced: a parameter that cannot be used is a problem
the page shows (and a download answers with 400), never a different report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination import policy
from coordination.accounts.models import User
from coordination.extensions import db
from coordination.local_dates import parse_month
from coordination.refusals import Forbidden
from coordination.statistics.codes import month_of
from coordination.statistics.query import Scope
from coordination.territories.models import Territory, TerritoryLevel

#: The longest period one report covers, in months.
MAX_MONTHS = 60
#: The report's breakdowns, by the key of their table (``?table=forms&table=...``).
BREAKDOWNS = ("cases", "months", "ytd", "survivors", "forms", "relationship", "police",
              "police_sex", "rates", "referrals", "response", "response_service", "reporters",
              "lag", "triage", "repeat", "closures", "programmes", "orders", "order_checks",
              "flags", "risk", "overdue")


@dataclass
class ReportRequest:
    """A request; ``problems`` (shown to the user) mean no report is made."""

    start: date  #: first day of the first month
    end: date  #: first day after the last month
    territory: Territory
    base: Territory  #: the widest territory the user may see
    problems: list[str] = field(default_factory=list)
    #: The breakdowns (table keys) asked for; empty means all of them.
    breakdowns: tuple[str, ...] = ()

    @property
    def last_month(self) -> date:
        return add_months(self.end, -1)

    def scope(self) -> Scope:
        return Scope(self.territory, month_of(self.start), month_of(self.last_month))

    def previous_year_scope(self) -> Scope:
        """The same months one year earlier."""
        return Scope(self.territory, month_of(self.start) - 100, month_of(self.last_month) - 100)

    def months(self) -> list[date]:
        months, day = [], self.start
        while day < self.end:
            months.append(day)
            day = add_months(day, 1)
        return months

    def parameters(self) -> list[str]:
        """The request as the audit records it (codes only, never free text)."""
        return [f"period={self.start:%Y-%m}/{self.last_month:%Y-%m}",
                f"territory={self.territory.code}",
                f"tables={'+'.join(self.breakdowns) or 'all'}"]


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month(text: str) -> date | None:
    """``03.2026`` (as the form shows it) or ``2026-03`` (links, the API) as the
    first day of that month; None if it is not a real month."""
    month = parse_month(text)
    if month is None or month.year < 1900:
        return None
    return month


def _within(territory: Territory, base: Territory) -> bool:
    """Whether ``territory`` is ``base`` or lies below it."""
    node = territory
    while node is not None:
        if node.id == base.id:
            return True
        node = node.parent
    return False


def _territory(code: str, level: TerritoryLevel) -> Territory | None:
    code = code.strip()
    # A code is a short run of printable characters; anything else (a NUL byte
    # would make PostgreSQL refuse the query) matches no territory.
    if not code or len(code) > 16 or not code.isprintable():
        return None
    return db.session.scalar(sa.select(Territory).where(
        Territory.code == code, Territory.level == level))


def _period(args, this_month: date, problems: list[str]) -> tuple[date, date]:
    first_text, last_text = args.get("from") or "", args.get("to") or ""
    first = _month(first_text) if first_text else None
    last = _month(last_text) if last_text else this_month
    if first_text and first is None or last is None:
        problems.append(_("A month is written as month and year, e.g. 03.2026 "
                          "(or 2026-03), and must exist."))
        return this_month, this_month
    first = first or add_months(last, -11)
    if first > last:
        problems.append(_("The period ends before it starts."))
    elif last > this_month:
        problems.append(_("The period reaches into the future."))
    elif add_months(first, MAX_MONTHS) <= last:
        problems.append(_("A report covers at most %(months)d months.", months=MAX_MONTHS))
    return first, last


def _place(args, base: Territory, problems: list[str]) -> Territory:
    territory = base
    for key, level in (("region", TerritoryLevel.REGION), ("district", TerritoryLevel.DISTRICT)):
        code = args.get(key) or ""
        if not code:
            continue
        chosen = _territory(code, level)
        if chosen is None:
            problems.append(_("There is no such region or district."))
            return base
        if not _within(chosen, base) or not _within(chosen, territory):
            problems.append(_("That territory is not available to you."))
            return base
        territory = chosen
    return territory


def parse(user: User, args, today: date) -> ReportRequest:
    """Read ``from``, ``to`` (YYYY-MM), ``region``, ``district`` (territory codes)
    and ``table`` (breakdowns) for ``user``. Raises :class:`Forbidden` for
    users who see no statistics."""
    base = policy.statistics_territory(user)
    if base is None:
        raise Forbidden("this user sees no statistics")
    problems: list[str] = []
    first, last = _period(args, today.replace(day=1), problems)
    territory = _place(args, base, problems)
    asked = tuple(args.getlist("table"))
    if any(key not in BREAKDOWNS for key in asked):
        problems.append(_("That breakdown is not available."))
    breakdowns = tuple(key for key in asked if key in BREAKDOWNS)
    return ReportRequest(first, add_months(last, 1), territory, base, problems, breakdowns)
