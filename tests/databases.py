"""Throwaway test databases: a SQLite file, or a fresh PostgreSQL database.

``TEST_DATABASE_URL`` names a PostgreSQL server (any database on it that we
may connect to); each suite run creates its own databases there and drops
them afterwards, so nothing depends on what an earlier run left.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from coordination.database import normalise_database_url


def server_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_database_url(url) if url else None


def backend_name() -> str:
    return "postgresql" if server_url() else "sqlite"


@contextmanager
def scratch_database(tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database; drop it afterwards."""
    server = server_url()
    if server is None:
        path = tmp_dir / f"test-{uuid.uuid4().hex[:8]}.sqlite3"
        yield f"sqlite:///{path}"
        path.unlink(missing_ok=True)
        return
    name = f"coordination_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
