"""Indicators of how orders are watched, by territorial unit (region or
district), aggregated in SQL; and the report's table of them, through the
report's disclosure control.

For the orders issued in the period on the scope's counted cases:

* orders, and those *checked on schedule*: at least one check recorded and
  none of its checks late (a check is late when its stated time is after the
  time the schedule wanted it, fixed when it was recorded);
* checks recorded (corrections not counted) and those on time;
* breaches (violations) of those orders, per 100 orders;
* the median hours from a breach's recording to the police's response (the
  urgent follow-up it created, marked done).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from coordination.cases.models import Case
from coordination.database import hours_between
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.order_checks.models import OrderCheck
from coordination.protection.models import OrderViolation, ProtectionOrder
from coordination.reports import disclosure, engine
from exports.report import Cell, Table


@dataclass(frozen=True)
class UnitFigures:
    orders: int = 0
    on_schedule: int = 0
    checks: int = 0
    checks_on_time: int = 0
    breaches: int = 0
    response_median: float | None = None
    responses: int = 0


def _orders(scope):
    return (ProtectionOrder.issued_at >= scope.start, ProtectionOrder.issued_at < scope.end,
            engine._cases(scope, registered_in_period=False))


def figures(scope) -> dict[int, UnitFigures]:
    """{unit territory id: figures}; four GROUP BY queries whatever the size."""
    unit = engine._unit_column(scope.territory).label("unit")
    original = OrderCheck.corrects_id.is_(None)
    late = sa.and_(original, OrderCheck.due_at.is_not(None),
                   OrderCheck.stated_at > OrderCheck.due_at)
    per_order = (
        sa.select(ProtectionOrder.id.label("order_id"), unit,
                  sa.func.count(OrderCheck.id).filter(original).label("checks"),
                  sa.func.count(OrderCheck.id).filter(late).label("late"))
        .select_from(ProtectionOrder).join(Case, Case.id == ProtectionOrder.case_id)
        .outerjoin(OrderCheck, OrderCheck.order_id == ProtectionOrder.id)
        .where(*_orders(scope)).group_by(ProtectionOrder.id, unit).subquery())
    rows = db.session.execute(sa.select(
        per_order.c.unit, sa.func.count(),
        sa.func.count().filter(sa.and_(per_order.c.checks > 0, per_order.c.late == 0)),
        sa.func.coalesce(sa.func.sum(per_order.c.checks), 0),
        sa.func.coalesce(sa.func.sum(per_order.c.checks - per_order.c.late), 0),
    ).group_by(per_order.c.unit))
    found = {u: dict(orders=n, on_schedule=s, checks=int(c), checks_on_time=int(t))
             for u, n, s, c, t in rows}
    breaches = db.session.execute(
        sa.select(unit, sa.func.count(OrderViolation.id))
        .select_from(OrderViolation).join(ProtectionOrder)
        .join(Case, Case.id == ProtectionOrder.case_id)
        .where(*_orders(scope)).group_by(unit))
    for u, n in breaches:
        found.setdefault(u, {})["breaches"] = n
    for u, (median, n) in _response_medians(scope, unit).items():
        found.setdefault(u, {}).update(response_median=median, responses=n)
    return {u: UnitFigures(**values) for u, values in found.items()}


def _response_medians(scope, unit) -> dict[int, tuple[float, int]]:
    """A portable median in SQL (as the engine's referral response times)."""
    hours = hours_between(OrderViolation.recorded_at, FollowUp.closed_at)
    ranked = (
        sa.select(unit, hours.label("hours"),
                  sa.func.row_number().over(partition_by=unit, order_by=hours).label("rn"),
                  sa.func.count().over(partition_by=unit).label("n"))
        .select_from(OrderViolation).join(ProtectionOrder)
        .join(Case, Case.id == ProtectionOrder.case_id)
        .join(FollowUp, FollowUp.id == OrderViolation.follow_up_id)
        .where(*_orders(scope), FollowUp.status == FollowUpStatus.DONE)
        .subquery())
    middle = sa.or_(ranked.c.rn == (ranked.c.n + 1) / 2, ranked.c.rn == (ranked.c.n + 2) / 2)
    query = (sa.select(ranked.c.unit, sa.func.avg(ranked.c.hours), sa.func.max(ranked.c.n))
             .where(middle).group_by(ranked.c.unit))
    return {u: (float(m), int(n)) for u, m, n in db.session.execute(query)}


def _share(part: int, whole: int, k: int, per: int = 100) -> Cell:
    """A rate, shown only when neither its base nor its part is a small count."""
    if whole == 0:
        return Cell(None, "—")
    if whole < k or 0 < part < k:
        return Cell(None, f"<{k}", suppressed=True)
    value = round(per * part / whole, 1)
    return Cell(value, f"{value:g}")


def _median(figures: UnitFigures, k: int) -> Cell:
    if figures.response_median is None:
        return Cell(None, "—")
    shown = disclosure.suppress_median(figures.response_median, figures.responses, k)
    if shown is None:
        return Cell(None, f"<{k}", suppressed=True)
    shown = round(shown, 1)
    return Cell(shown, f"{shown:g}")


def table(scope, units, unit_names, k: int) -> Table:
    """The report's table: one row per unit, rates rather than counts (a
    rate's base and part are each held to k, like a count)."""
    found = figures(scope)
    rows = []
    for unit, name in zip(units, unit_names, strict=True):
        f = found.get(unit.id, UnitFigures())
        orders = Cell(f.orders, str(f.orders)) if f.orders == 0 or f.orders >= k \
            else Cell(None, f"<{k}", suppressed=True)
        rows.append((name, [orders, _share(f.on_schedule, f.orders, k),
                            _share(f.checks_on_time, f.checks, k),
                            _share(f.breaches, f.orders, k), _median(f, k)]))
    return Table("order_checks", _("Checks of protection orders"), _("Territory"),
                 [_("Orders issued"), _("Orders checked on schedule, %"),
                  _("Checks on time, %"), _("Breaches per 100 orders"),
                  _("Median hours from breach to response")],
                 rows, has_totals=False, k=k,
                 note=ngettext("A figure resting on fewer than %(num)s order, check or "
                               "response is not shown.",
                               "A figure resting on fewer than %(num)s orders, checks or "
                               "responses is not shown.", k))
