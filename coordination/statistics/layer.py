"""Keeping the statistics layer current, in the same transaction as the change.

``coordination.derived`` notes the cases whose records may have changed (any
row of a case's record that a statistical record is computed from); just
before the transaction commits, their records are computed again
(``records.records_for``) and replace the old ones. A unit keeps its record
key for life: the refresh reads the old keys first, and only a new unit draws a new key, so the same
units always get the same noise. ``rebuild`` is the same refresh over every
case (``flask statistics rebuild``), for data written behind the
application's back (the synthetic generator, a restore).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import sqlalchemy as sa

from coordination.cases.models import Case
from coordination.extensions import db
from coordination.statistics import aggregates
from coordination.statistics.cellkey import new_record_key
from coordination.statistics.models import StatisticalRecord
from coordination.statistics.records import among, records_for
from coordination.triage.models import IncomingReport

#: Units that are events of another unit share its key (an incident's forms
#: are the incident counted under each form).
KEY_FAMILY = {"form": "incident", "flag": "incident", "closure": "case", "extension": "order"}
BATCH = 500
#: Every code a record leaves out takes its column's default (one INSERT shape).
DEFAULTS = {column.name: column.default.arg for column in StatisticalRecord.__table__.columns
            if column.default is not None}


def _chunks(ids: list[int], size: int = BATCH) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _family(unit: str) -> str:
    return KEY_FAMILY.get(unit, unit)


def refresh(case_ids: Iterable[int], *, aggregate: bool = True) -> int:
    """Compute the records of ``case_ids`` again; returns how many were written.

    With ``aggregate``, the pre-aggregated counts get the difference too
    (``rebuild`` recomputes them once at its end instead).
    """
    table = StatisticalRecord.__table__
    written = 0
    for chunk in _chunks(sorted(set(case_ids))):
        old = [dict(row._mapping) for row in db.session.execute(
            sa.select(*(c for c in table.columns if c.name != "id"))
            .where(among(table.c.case_id, chunk)))]
        keys = {(_family(row["unit"]), row["source_id"]): row["record_key"] for row in old}
        db.session.execute(table.delete().where(among(table.c.case_id, chunk)))
        rows = [{**DEFAULTS, **row} for row in records_for(chunk)]
        for row in rows:
            row["record_key"] = keys.setdefault((_family(row["unit"]), row["source_id"]),
                                                new_record_key())
        if rows:
            db.session.execute(table.insert(), rows)
        if aggregate:
            aggregates.apply_changes(old, rows)
        written += len(rows)
    return written


def all_keys() -> list[int]:
    """The ``case_id`` of every unit's records, in order: the reports'
    (negative, :func:`records.report_key`), then the cases'."""
    reports = db.session.scalars(sa.select(-IncomingReport.id).order_by(IncomingReport.id.desc()))
    return [*reports, *db.session.scalars(sa.select(Case.id).order_by(Case.id))]


def rebuild(progress: Callable[[int], None] | None = None,
            commit: Callable[[], None] | None = None) -> int:
    """Recompute the whole layer from the case records, keeping every key."""
    table = StatisticalRecord.__table__
    ids = all_keys()
    db.session.execute(table.delete().where(table.c.case_id.not_in(
        sa.select(Case.id).union_all(sa.select(-IncomingReport.id)))))
    written = 0
    for chunk in _chunks(ids, 2000):
        written += _recompute(chunk)
        if commit is not None:
            commit()
        if progress is not None:
            progress(len(chunk))
    aggregates.rebuild()
    return written


def _recompute(chunk: list[int]) -> int:
    """``refresh`` for a run of consecutive case ids, without the deltas.

    ``chunk`` is a slice of every case id in order, so an id range selects
    exactly its records; only the keys are read back.
    """
    table = StatisticalRecord.__table__
    in_chunk = table.c.case_id.between(chunk[0], chunk[-1])
    keys = {(_family(unit), source_id): key for unit, source_id, key in db.session.execute(
        sa.select(table.c.unit, table.c.source_id, table.c.record_key).where(in_chunk))}
    db.session.execute(table.delete().where(in_chunk))
    rows = [{**DEFAULTS, **row} for row in records_for(chunk)]
    for row in rows:
        row["record_key"] = keys.setdefault((_family(row["unit"]), row["source_id"]),
                                            new_record_key())
    _insert(rows)
    return len(rows)


def _insert(rows: list[dict]) -> None:
    """Insert many records; on PostgreSQL with COPY, several times faster
    than batched INSERTs for the millions of records of a national rebuild."""
    if not rows:
        return
    table = StatisticalRecord.__table__
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(table.insert(), rows)
        return
    columns = [c.name for c in table.columns if c.name != "id"]
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


_COMPARED = ("unit", "case_id", "source_id", "month", "region_id", "district_id", "sex",
             "age_band", "relationship", "perpetrator_sex", "form", "agency_type", "service",
             "outcome", "risk", "reporter", "repeat", "in_time", "intimate", "monitored", "lag",
             "tenths")


def _signature(row) -> tuple:
    return tuple({**DEFAULTS, **row}[name] for name in _COMPARED)


def differences(case_ids: Iterable[int] | None = None) -> int:
    """How many records differ between the layer and a recount (0: equal)."""
    from collections import Counter

    table = StatisticalRecord.__table__
    if case_ids is None:
        case_ids = all_keys()
        stored_query = sa.select(*(table.c[name] for name in _COMPARED))
    else:
        case_ids = list(case_ids)
        stored_query = sa.select(*(table.c[name] for name in _COMPARED)).where(
            table.c.case_id.in_(case_ids))
    stored = Counter(tuple(row) for row in db.session.execute(stored_query))
    recounted = Counter()
    for chunk in _chunks(sorted(case_ids), 2000):
        recounted.update(_signature(row) for row in records_for(chunk))
    return (sum((stored - recounted).values()) + sum((recounted - stored).values())
            + aggregates.differences())
