"""Pre-aggregated counts of the statistics layer: what makes a national
report a matter of milliseconds at a million cases.

For each grouping a report asks for (a unit and up to three dimensions), a
row per (month, region, district, codes) holds how many units it has and the
sum of their record keys. Both add up, so the aggregates are kept as deltas:
a refresh appends, for every grouping, the difference between the case's old
and new records (nothing when a change does not touch a grouping), and the
reports read ``SUM(n), SUM(key_sum) ... HAVING SUM(n) <> 0``. ``rebuild``
recomputes them from the records in SQL, which also folds the deltas.
The cell key of a published cell is the same as if it were counted from the
records: the key sum of exactly its units.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coordination.extensions import db
from coordination.statistics.codes import response_bucket, response_bucket_sql

#: (unit, dimensions): every grouping the reports read, dimensions sorted.
GROUPINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("case", ()), ("case", ("lag",)), ("case", ("repeat",)), ("case", ("risk",)),
    ("case", ("perpetrator_sex", "relationship")), ("case", ("intimate", "perpetrator_sex")),
    ("survivor", ()), ("survivor", ("sex",)), ("survivor", ("age_band", "sex")),
    ("incident", ()), ("incident", ("sex",)), ("incident", ("reporter",)),
    ("form", ("form",)), ("flag", ("form",)),
    ("order", ("outcome",)), ("order", ("outcome", "sex")), ("order", ("monitored",)),
    ("order", ("in_time",)), ("check", ("in_time",)), ("violation", ("tenths",)),
    ("violation", ("in_time",)),
    ("extension", ()), ("extension", ("sex",)), ("violation", ()), ("violation", ("sex",)),
    ("referral", ("agency_type", "outcome")), ("referral", ("agency_type", "in_time")),
    ("referral", ("in_time", "service")), ("referral", ("agency_type", "tenths")),
    ("referral", ("service", "tenths")),
    ("programme_start", ()), ("programme_end", ("outcome",)), ("closure", ("outcome",)),
    ("open_follow_up", ("agency_type",)),
    ("report", ("in_time", "reporter")), ("report", ("reporter", "tenths")),
)
SLOTS = ("a", "b", "c")


def name_of(unit: str, dimensions: tuple[str, ...]) -> str:
    return f"{unit}:{','.join(dimensions)}"


BY_UNIT: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
for _unit, _dimensions in GROUPINGS:
    BY_UNIT.setdefault(_unit, []).append((name_of(_unit, _dimensions), _dimensions))
NAMES = {name for groupings in BY_UNIT.values() for name, _d in groupings}


class StatisticalAggregate(db.Model):
    __tablename__ = "statistical_aggregates"
    __table_args__ = (
        # The country's rows (0, 0), a region's own rows (district 0) or a
        # district's: one range of a covering index each.
        sa.Index("ix_statistical_aggregates_place", "grouping", "district_id", "region_id",
                 "month", "a", "b", "c", "n", "key_sum"),
        # A region's report reads its districts' rows.
        sa.Index("ix_statistical_aggregates_region", "grouping", "region_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``unit:dimension,dimension`` (see GROUPINGS).
    grouping: Mapped[str] = mapped_column(sa.String(64))
    month: Mapped[int]
    region_id: Mapped[int]
    district_id: Mapped[int]
    #: The codes of the grouping's dimensions, in its order.
    a: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    b: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    c: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    n: Mapped[int]
    key_sum: Mapped[int] = mapped_column(sa.BigInteger)


#: The ``district_id`` (and ``region_id``) of the rows of a whole region (and
#: of the whole country): every unit is counted at three levels, so that a
#: national figure is read from the country's rows, a breakdown by region
#: from the regions' own rows, and only a region's breakdown by district from
#: the districts' rows.
WHOLE = 0
LEVELS = ("district", "region", "country")


def _places(row: dict) -> tuple[tuple[int, int], ...]:
    return ((row["region_id"], row["district_id"]), (row["region_id"], WHOLE), (WHOLE, WHOLE))


def _code(row: dict, dimension: str) -> str:
    value = row[dimension]
    if dimension == "tenths" and value >= 0:
        value = response_bucket(value)
    return str(value)


def _contributions(rows: Iterable[dict], sign: int, into: Counter, keys: Counter) -> None:
    for row in rows:
        for name, dimensions in BY_UNIT.get(row["unit"], ()):
            codes = tuple(_code(row, d) for d in dimensions) + ("",) * (3 - len(dimensions))
            for region, district in _places(row):
                cell = (name, row["month"], region, district, *codes)
                into[cell] += sign
                keys[cell] += sign * row["record_key"]


def apply_changes(old: Iterable[dict], new: Iterable[dict]) -> int:
    """Append the deltas between a set of records and their replacement."""
    counts, keys = Counter(), Counter()
    _contributions(old, -1, counts, keys)
    _contributions(new, 1, counts, keys)
    rows = [{"grouping": cell[0], "month": cell[1], "region_id": cell[2],
             "district_id": cell[3], "a": cell[4], "b": cell[5], "c": cell[6],
             "n": counts[cell], "key_sum": keys[cell]}
            for cell in set(counts) | set(keys) if counts[cell] or keys[cell]]
    if rows:
        db.session.execute(StatisticalAggregate.__table__.insert(), rows)
    return len(rows)


def _select_from_records(name: str, unit: str, dimensions: tuple[str, ...], level: str):
    from coordination.statistics.models import StatisticalRecord

    records = StatisticalRecord.__table__
    values = {d: records.c[d] for d in dimensions}
    if "tenths" in values:
        tenths = records.c.tenths
        values["tenths"] = sa.case((tenths < 0, tenths), else_=response_bucket_sql(tenths))
    codes = [sa.cast(values[d], sa.String) for d in dimensions]
    codes += [sa.literal("")] * (3 - len(dimensions))
    region = sa.literal(WHOLE) if level == "country" else records.c.region_id
    district = records.c.district_id if level == "district" else sa.literal(WHOLE)
    places = {"district": [records.c.region_id, records.c.district_id],
              "region": [records.c.region_id], "country": []}[level]
    return (sa.select(sa.literal(name), records.c.month, region, district,
                      *codes, sa.func.count(), sa.func.sum(records.c.record_key))
            .where(records.c.unit == unit)
            .group_by(records.c.month, *places, *(values[d] for d in dimensions)))


def _recounts():
    for unit, dimensions in GROUPINGS:
        for level in LEVELS:
            yield _select_from_records(name_of(unit, dimensions), unit, dimensions, level)


def rebuild() -> None:
    """Recompute every aggregate from the records (and fold the deltas), in SQL.

    The records are read once per grouping, for the districts' rows; a
    region's and the country's rows are the sums of the rows below them (every
    unit lies in one district), so the millions of records are not scanned
    three times.
    """
    table = StatisticalAggregate.__table__
    db.session.execute(table.delete())
    columns = ["grouping", "month", "region_id", "district_id", "a", "b", "c", "n", "key_sum"]
    for unit, dimensions in GROUPINGS:
        db.session.execute(table.insert().from_select(
            columns, _select_from_records(name_of(unit, dimensions), unit, dimensions,
                                          "district")))
    for level, rows_below in (("region", table.c.district_id != WHOLE),
                              ("country", sa.and_(table.c.district_id == WHOLE,
                                                  table.c.region_id != WHOLE))):
        region = table.c.region_id if level == "region" else sa.literal(WHOLE)
        places = [table.c.region_id] if level == "region" else []
        db.session.execute(table.insert().from_select(columns, sa.select(
            table.c.grouping, table.c.month, region, sa.literal(WHOLE), table.c.a, table.c.b,
            table.c.c, sa.func.sum(table.c.n), sa.func.sum(table.c.key_sum))
            .where(rows_below)
            .group_by(table.c.grouping, table.c.month, *places, table.c.a, table.c.b,
                      table.c.c)))


def differences() -> int:
    """How many aggregate cells differ from a recount from the records (0: equal)."""
    table = StatisticalAggregate.__table__
    stored = Counter()
    for *cell, n, key_sum in db.session.execute(
            sa.select(table.c.grouping, table.c.month, table.c.region_id, table.c.district_id,
                      table.c.a, table.c.b, table.c.c, sa.func.sum(table.c.n),
                      sa.func.sum(table.c.key_sum))
            .group_by(table.c.grouping, table.c.month, table.c.region_id, table.c.district_id,
                      table.c.a, table.c.b, table.c.c)):
        if n or key_sum:
            stored[tuple(cell)] = (int(n), int(key_sum))
    recounted = Counter()
    for select in _recounts():
        for *cell, n, key_sum in db.session.execute(select):
            recounted[tuple(cell)] = (int(n), int(key_sum))
    return sum(stored[cell] != recounted[cell] for cell in set(stored) | set(recounted))
