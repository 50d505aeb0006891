"""Engine-level settings and SQL that differ between SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Float, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def default_sqlite_uri(instance_path: str) -> str:
    """The embedded database used when ``DATABASE_URL`` is not set."""
    return "sqlite:///" + str(Path(instance_path) / "coordination.sqlite3")


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` / ``postgresql://`` forms hosts hand out.

    We ship psycopg 3, so the URL must name it explicitly for SQLAlchemy.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


#: How long a transaction waits for another process's write lock (ms).
SQLITE_BUSY_TIMEOUT_MS = 30_000


def configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, and real transactions (SAVEPOINT included) that take
    the write lock when they begin.

    pysqlite's own transaction handling begins transactions lazily and breaks
    SAVEPOINT; SQLAlchemy's documented recipe hands control back to us. A
    plain (deferred) ``BEGIN`` reads first and asks for the write lock later;
    when another process holds it, SQLite refuses that upgrade at once
    ("database is locked") instead of waiting, since waiting could deadlock.
    Requests read, then write (audit entries, sign-ins, saves), so with
    several workers that failed under load; ``BEGIN IMMEDIATE`` makes each
    transaction wait its turn (up to the busy timeout) instead. SQLite runs
    one writer at a time either way; PostgreSQL is for real concurrency.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")



def configure_postgresql(engine: Engine) -> None:
    """No parallel plans on the web's connections.

    A page reads a few rows by index; where the planner misjudges a small
    table (a committee's decisions when it has held few meetings) it chose
    a parallel plan whose two workers took 6-7 ms to start for no rows
    (measured at 1,000,000 cases, docs/PERFORMANCE.md), more than the whole
    of the other statements of the home page. The national report reads
    pre-aggregated counts and does not need them either.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
        dbapi_connection.commit()

class hours_between(FunctionElement):  # noqa: N801  (used like an SQL function)
    """Hours from ``start`` to ``end``, two TIMESTAMP expressions, in SQL.

    PostgreSQL subtracts timestamps into an interval; SQLite stores them as
    ISO text and needs ``julianday``.
    """

    type = Float()
    name = "hours_between"
    inherit_cache = True


@compiles(hours_between)
def _hours_between(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_between_sqlite(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"
