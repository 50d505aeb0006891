"""Bulk writing of generated rows: buffered per table, flushed in batches.

Rows are plain tuples in the column order given for each table, with ids
assigned here (so children can point at parents without a round trip).
PostgreSQL receives them through ``COPY ... FROM STDIN`` (psycopg), SQLite
through the DB-API ``executemany`` of the statement SQLAlchemy Core compiles
for ``insert(table)``; both were measured several times faster than
``Connection.execute(insert(table), [dicts])`` (docs/PERFORMANCE.md).
"""
from __future__ import annotations

import json
import operator
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa


class SchemaMismatch(RuntimeError):
    """The generator's column lists no longer cover the schema's required columns."""


#: SQLAlchemy's own storage format for SQLite DATETIME (always microseconds,
#: so that text comparisons in SQL order correctly); C-level, for speed.
_sqlite_datetime = operator.methodcaller("isoformat", " ", "microseconds")


def _sqlite_converter(column: sa.Column):
    """How a Python value is stored by SQLAlchemy in this SQLite column, or None."""
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return _sqlite_datetime
    if isinstance(kind, sa.Date):
        return date.isoformat
    if isinstance(kind, sa.Boolean):
        return int
    if isinstance(kind, sa.JSON):
        return json.dumps
    return None


def _postgresql_converter(column: sa.Column):
    # COPY takes dates, times, booleans and numbers as they are; JSON as text.
    return json.dumps if isinstance(column.type, sa.JSON) else None


class BulkWriter:
    """Buffers rows per table and writes them, parents first, on :meth:`flush`.

    ``tables`` maps a table name to its column names, in the order of the
    tuples given to :meth:`add`; tables are flushed in that mapping's order,
    which must put every parent table before its children.
    """

    def __init__(self, connection: sa.Connection, metadata: sa.MetaData,
                 tables: dict[str, Sequence[str]]):
        self.connection = connection
        self.backend = connection.dialect.name
        self.columns = {name: tuple(columns) for name, columns in tables.items()}
        self.buffers: dict[str, list[tuple]] = {name: [] for name in tables}
        self.written: dict[str, int] = dict.fromkeys(tables, 0)
        self._tables = {name: metadata.tables[name] for name in tables}
        self._next_ids: dict[str, int] = {}
        self._converters = {}
        for name, table in self._tables.items():
            self._check_columns(table, self.columns[name])
            convert = (_sqlite_converter if self.backend == "sqlite"
                       else _postgresql_converter)
            self._converters[name] = [
                (index, fn) for index, column in enumerate(self.columns[name])
                if (fn := convert(table.c[column])) is not None
            ]

    @staticmethod
    def _check_columns(table: sa.Table, columns: Sequence[str]) -> None:
        unknown = set(columns) - set(table.c.keys())
        missing = {
            column.name for column in table.columns
            if column.name not in columns and not column.nullable
            and column.server_default is None
        }
        if unknown or missing:
            raise SchemaMismatch(
                f"synthetic data for {table.name}: unknown columns {sorted(unknown)}, "
                f"required columns not generated {sorted(missing)}")

    def next_id(self, table: str) -> int:
        """The id the next row of ``table`` gets (after those already there)."""
        if table not in self._next_ids:
            self._next_ids[table] = (self.connection.scalar(
                sa.select(sa.func.max(self._tables[table].c.id))) or 0) + 1
        value = self._next_ids[table]
        self._next_ids[table] = value + 1
        return value

    def reserve(self, table: str, count: int) -> int:
        """The first of ``count`` consecutive ids for rows of ``table``."""
        first = self.next_id(table)
        self._next_ids[table] = first + count
        return first

    def add(self, table: str, row: tuple) -> None:
        self.buffers[table].append(row)

    def pending(self) -> int:
        return sum(len(rows) for rows in self.buffers.values())

    def flush(self) -> None:
        """Write every buffered row, parents first."""
        for name, rows in self.buffers.items():
            if not rows:
                continue
            rows = self._convert(name, rows)
            if self.backend == "postgresql":
                self._copy(name, rows)
            elif self.backend == "sqlite":
                self._executemany(name, rows)
            else:
                columns = self.columns[name]
                self.connection.execute(sa.insert(self._tables[name]),
                                        [dict(zip(columns, row, strict=True)) for row in rows])
            self.written[name] += len(self.buffers[name])
            # Emptied in place: the generator appends to these lists directly.
            self.buffers[name].clear()

    def _convert(self, name: str, rows: list[tuple]) -> list[tuple]:
        converters = self._converters[name]
        if not converters:
            return rows
        # Column by column: zip and map run in C, a loop per value would not.
        columns = list(zip(*rows, strict=True))
        for index, fn in converters:
            values = columns[index]
            if None in values:
                columns[index] = [None if v is None else fn(v) for v in values]
            else:
                columns[index] = list(map(fn, values))
        return list(zip(*columns, strict=True))

    def _executemany(self, name: str, rows: list) -> None:
        # The generated columns only, like COPY: a column left out takes the
        # database's default. (SQLAlchemy's compiled INSERT would add every
        # column with a Python-side default and expect a value for it.)
        preparer = self.connection.dialect.identifier_preparer
        columns = ", ".join(preparer.quote(column) for column in self.columns[name])
        marks = ", ".join("?" for _ in self.columns[name])
        # nosec: the names are the schema's own, quoted; the values are bound.
        sql = f"INSERT INTO {preparer.quote(name)} ({columns}) VALUES ({marks})"  # nosec B608
        cursor = self.connection.connection.driver_connection.cursor()
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()

    def _copy(self, name: str, rows: list) -> None:
        preparer = self.connection.dialect.identifier_preparer
        columns = ", ".join(preparer.quote(column) for column in self.columns[name])
        sql = f"COPY {preparer.quote(name)} ({columns}) FROM STDIN"
        cursor = self.connection.connection.driver_connection.cursor()
        try:
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()

    def fix_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids written here."""
        if self.backend != "postgresql":
            return
        for name, table in self._tables.items():
            if "id" not in table.c or not table.c.id.primary_key:
                continue
            last = self.connection.scalar(sa.select(sa.func.max(table.c.id)))
            if last is not None:
                self.connection.execute(
                    sa.text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                    {"table": name, "last": last})
