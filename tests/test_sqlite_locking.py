"""SQLite transactions take the write lock when they begin (several workers)."""
from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from coordination.database import SQLITE_BUSY_TIMEOUT_MS, configure_sqlite


@pytest.fixture
def engine(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'locks.sqlite3'}")
    configure_sqlite(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield engine
    engine.dispose()


def test_a_transaction_holds_the_write_lock_from_its_start(engine, tmp_path):
    """A request that reads and then writes never has to upgrade its lock, so
    another worker's write cannot make it fail with "database is locked"."""
    with engine.connect() as connection, connection.begin():
        connection.execute(sa.text("SELECT count(*) FROM t"))
        other = sqlite3.connect(tmp_path / "locks.sqlite3", timeout=0,
                                isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_a_busy_database_is_waited_for(engine):
    with engine.connect() as connection:
        timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert timeout == SQLITE_BUSY_TIMEOUT_MS
