"""Consistent backups and their restore, on SQLite and PostgreSQL.

SQLite: the ``sqlite3`` online backup API copies the database page by page
under a read transaction, so a backup taken while the app runs is consistent.
PostgreSQL: ``pg_dump -Fc`` (one snapshot) and ``pg_restore``; the tools must
be on the PATH and of the server's major version or newer.

A restore goes only into an empty database (no tables at all): restoring over
data would mix two states of the system and could lose the newer one.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # only pg_dump/pg_restore, argument lists, no shell  # nosec B404
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """The backup or restore could not be done; the message says why."""


def _pg_command(tool: str, url: URL) -> tuple[list[str], dict[str, str]]:
    """``tool`` with the connection in libpq form; the password goes in the
    environment, never on a command line other users could read."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(_("%(tool)s is not installed (PostgreSQL client tools are needed)",
                            tool=tool))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    target = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    return [path, "--dbname", target], env


def _run(command: list[str], env: dict[str, str]) -> None:
    # The tool is found with shutil.which; arguments are a list, no shell.
    done = subprocess.run(command, env=env, capture_output=True,  # nosec B603
                          text=True, check=False)
    if done.returncode != 0:
        raise BackupError(_("%(tool)s failed: %(error)s", tool=Path(command[0]).name,
                            error=done.stderr.strip()[-500:]))


def backup(engine: sa.Engine, path: Path) -> None:
    """Write a consistent copy of the database at ``engine`` to ``path``."""
    path = Path(path)
    if path.exists():
        raise BackupError(_("%(path)s exists; choose a new file", path=path))
    url = engine.url
    if url.get_backend_name() == "sqlite":
        target = sqlite3.connect(path)
        try:
            with engine.connect() as connection:
                connection.connection.driver_connection.backup(target)
        finally:
            target.close()
        return
    if url.get_backend_name() == "postgresql":
        command, env = _pg_command("pg_dump", url)
        _run([*command, "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(path)], env)
        return
    raise BackupError(_("no backup method for %(backend)s", backend=url.get_backend_name()))


def is_empty(engine: sa.Engine) -> bool:
    return not sa.inspect(engine).get_table_names()


def restore(engine: sa.Engine, path: Path) -> None:
    """Bring the backup at ``path`` back into the empty database at ``engine``.

    Raises :class:`BackupError` when the database has any table, or the file
    is missing or not a backup of this backend.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("%(path)s is not a file", path=path))
    if not is_empty(engine):
        raise BackupError(_("the database is not empty; restore only into a new, empty database"))
    url = engine.url
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.execute("PRAGMA schema_version")  # fails early on a file that is no database
            with engine.connect() as connection:
                source.backup(connection.connection.driver_connection)
        except sqlite3.DatabaseError as error:
            raise BackupError(_("%(path)s is not a SQLite backup (%(error)s)", path=path,
                                error=error)) from None
        finally:
            source.close()
        engine.dispose()  # connections opened before must see the new schema
        return
    if url.get_backend_name() == "postgresql":
        command, env = _pg_command("pg_restore", url)
        _run([*command, "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", str(path)], env)
        return
    raise BackupError(_("no restore method for %(backend)s", backend=url.get_backend_name()))


def table_rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every table's rows in a stable order (to compare a restore with its source)."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    rows = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(row) for row in
                                connection.execute(sa.select(table).order_by(*order))]
    return rows


def engine_for(uri: str) -> sa.Engine:
    return sa.create_engine(make_url(uri))
