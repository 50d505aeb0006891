"""Counts over the statistics layer: one GROUP BY per table, in SQL.

Each group comes back with its count and the sum of its record keys. Both
add up, so a table's margins (row, column and grand totals) are sums of its
groups, and each margin still gets the noise of exactly its own units. No
report reads anything else than this layer (and the population figures).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa

from coordination.extensions import db
from coordination.statistics import aggregates
from coordination.statistics.aggregates import StatisticalAggregate
from coordination.statistics.models import StatisticalRecord
from coordination.territories.models import Territory, TerritoryLevel

#: (count, sum of record keys) of a group of units.
Group = tuple[int, int]


@dataclass(frozen=True)
class Scope:
    """Which units a report counts: a territory and a run of local months."""

    territory: Territory
    first_month: int  #: YYYYMM, included
    last_month: int  #: YYYYMM, included

    @property
    def unit_column(self) -> str:
        """The column of a territorial breakdown: regions of the country, else districts."""
        return "region_id" if self.territory.level == TerritoryLevel.COUNTRY else "district_id"


_PLACE = ("territory", "month", "region_id", "district_id")


def _level(level: TerritoryLevel, by: tuple[str, ...]) -> str:
    """The level of the aggregates (``aggregates.LEVELS``) a query reads for a
    territory of ``level``: the coarsest that still tells apart what it
    groups by."""
    if "district_id" in by or ("territory" in by and level != TerritoryLevel.COUNTRY):
        return "district"
    if "territory" in by or "region_id" in by or level == TerritoryLevel.REGION:
        return "region"
    return "country" if level == TerritoryLevel.COUNTRY else "district"


def _in_territory(table, level: TerritoryLevel, by: tuple[str, ...] = ()):
    """Conditions for a territory of ``level`` (its id and its parent's are
    the parameters ``territory`` and ``parent``). The aggregates hold every
    unit three times (by district, by region, the country): each query reads
    one level."""
    territory, parent = (sa.bindparam(name, type_=sa.Integer) for name in ("territory", "parent"))
    if table is not StatisticalAggregate.__table__:
        if level == TerritoryLevel.COUNTRY:
            return sa.true()
        if level == TerritoryLevel.REGION:
            return table.c.region_id == territory
        return table.c.district_id == territory
    whole = aggregates.WHOLE
    conditions = {
        "country": [table.c.district_id == whole, table.c.region_id == whole],
        "region": [table.c.district_id == whole, table.c.region_id != whole],
        "district": [table.c.district_id != whole],
    }[_level(level, by)]
    if level == TerritoryLevel.REGION:
        conditions.append(table.c.region_id == territory)
    elif level != TerritoryLevel.COUNTRY:
        conditions += [table.c.district_id == territory, table.c.region_id == parent]
    return sa.and_(*conditions)


def _source(unit: str, by: tuple[str, ...], equal: tuple[str, ...]):
    """The table to count from, the grouping's conditions and a column lookup.

    A registered grouping (``aggregates.GROUPINGS``) is read from the
    pre-aggregated counts; any other from the records themselves.
    """
    dimensions = tuple(sorted({name for name in by if name not in _PLACE} | set(equal)))
    name = aggregates.name_of(unit, dimensions)
    if name in aggregates.NAMES:
        table = StatisticalAggregate.__table__
        slot = dict(zip(dimensions, aggregates.SLOTS, strict=False))
        return (table, [table.c.grouping == name],
                lambda column: table.c[slot.get(column, column)],
                sa.func.sum(table.c.n), sa.func.sum(table.c.key_sum))
    table = StatisticalRecord.__table__
    return (table, [table.c.unit == unit], lambda column: table.c[column],
            sa.func.count(), sa.func.sum(table.c.record_key))


def _parameters(scope: Scope, equal: dict[str, str], **more) -> dict:
    return {"territory": scope.territory.id, "parent": scope.territory.parent_id,
            "first": scope.first_month, "last": scope.last_month,
            **{f"equal_{name}": value for name, value in equal.items()}, **more}


def _column_of(level: TerritoryLevel, name: str) -> str:
    """``territory`` is the breakdown's unit column (``Scope.unit_column``)."""
    if name != "territory":
        return name
    return "region_id" if level == TerritoryLevel.COUNTRY else "district_id"


def _period(table):
    return table.c.month.between(sa.bindparam("first", type_=sa.Integer),
                                 sa.bindparam("last", type_=sa.Integer))


def _equal(column, equal: tuple[str, ...]) -> list:
    return [column(name) == sa.bindparam(f"equal_{name}", type_=sa.String) for name in equal]


# A report asks a few dozen shapes of query, each many times: building the
# expression is then done once per shape, and only the parameters change.
@lru_cache(maxsize=1024)
def _counts_statement(unit: str, level: TerritoryLevel, by: tuple[str, ...],
                      equal: tuple[str, ...], period: bool, before: bool):
    table, conditions, column, count, key_sum = _source(unit, by, equal)
    columns = [column(_column_of(level, name)) for name in by]
    conditions.append(_in_territory(table, level, by))
    if period:
        conditions.append(_period(table))
    if before:
        conditions.append(table.c.month < sa.bindparam("before", type_=sa.Integer))
    conditions += _equal(column, equal)
    return sa.select(*columns, count, key_sum).where(*conditions).group_by(*columns)


def counts(unit: str, scope: Scope, by: tuple[str, ...] = (), *, period: bool = True,
           before_month: int | None = None, **equal: str) -> dict[tuple, Group]:
    """{codes of ``by``: (count, key sum)} for ``unit`` in ``scope``.

    ``by`` names columns of the layer ("territory" is the breakdown's unit
    column); ``equal`` keeps only the records with those codes;
    ``period=False`` with ``before_month`` counts a snapshot (the units
    whose month is before it, whenever they began).
    """
    statement = _counts_statement(unit, scope.territory.level, tuple(by), tuple(sorted(equal)),
                                  period, before_month is not None)
    rows = db.session.connection().execute(
        statement, _parameters(scope, equal, before=before_month))
    # Groups that add up to nothing (deltas that cancel out; an empty set
    # without grouping columns, which still gives one row) are left out.
    return {tuple(row[:-2]): (int(row[-2]), int(row[-1])) for row in rows if row[-2]}


def add(*groups: Group) -> Group:
    """The count and key sum of the union of disjoint groups."""
    return sum(g[0] for g in groups), sum(g[1] for g in groups)


@lru_cache(maxsize=256)
def _medians_statement(unit: str, level: TerritoryLevel, by: str, value: str,
                       equal: tuple[str, ...]):
    table, conditions, column, count, _key_sum = _source(unit, (by, value), equal)
    group = column(_column_of(level, by))
    number = sa.cast(column(value), sa.BigInteger)
    conditions += [_in_territory(table, level, (by,)), number >= 0, _period(table),
                   *_equal(column, equal)]
    histogram = (sa.select(group.label("code"), number.label("value"),
                           sa.cast(count, sa.BigInteger).label("n"))
                 .where(*conditions).group_by(group, number)
                 .having(count > 0).subquery())
    window = dict(partition_by=histogram.c.code)
    running = sa.select(
        histogram.c.code, histogram.c.value,
        sa.cast(sa.func.sum(histogram.c.n).over(**window, order_by=histogram.c.value),
                sa.BigInteger).label("upto"),
        sa.cast(sa.func.sum(histogram.c.n).over(**window), sa.BigInteger).label("total"),
    ).subquery()
    # 0-based ranks (total - 1) // 2 and total // 2: the first values whose
    # running count passes them. (upto > (total - 1) / 2 in real division is
    # the same test for whole numbers, and reads the same on both databases.)
    lower = sa.func.min(sa.case((running.c.upto > (running.c.total - 1) / 2, running.c.value)))
    upper = sa.func.min(sa.case((running.c.upto > running.c.total / 2, running.c.value)))
    return sa.select(running.c.code, lower, upper).group_by(running.c.code)


def medians(unit: str, scope: Scope, by: str, value: str,
            **equal: str) -> dict[object, float]:
    """{code of ``by``: the conventional median of ``value``} over the units
    with a value (not negative), computed in SQL: the histogram of values,
    its running count (a window), and the values at the two middle ranks
    (the same value when the count is odd)."""
    statement = _medians_statement(unit, scope.territory.level, by, value, tuple(sorted(equal)))
    rows = db.session.connection().execute(statement, _parameters(scope, equal))
    return {code: (int(low) + int(high)) / 2 for code, low, high in rows}


def first_months() -> dict[int, int]:
    """{region id: the first month with a registered case}: the coverage."""
    table = StatisticalAggregate.__table__
    query = (sa.select(table.c.region_id, table.c.month)
             .where(table.c.grouping == aggregates.name_of("case", ()),
                    table.c.district_id == aggregates.WHOLE,
                    table.c.region_id != aggregates.WHOLE)
             .group_by(table.c.region_id, table.c.month).having(sa.func.sum(table.c.n) > 0))
    firsts: dict[int, int] = {}
    for region, month in db.session.execute(query):
        firsts[region] = min(month, firsts.get(region, month))
    return firsts
