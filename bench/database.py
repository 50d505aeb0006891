"""The benchmark's database: created, seeded once, reused while it still fits.

A table ``bench_seed`` (made by this module, not by the app's migrations)
records what the database was seeded with: the number of cases, the seed,
the schema's migration head and a hash of the generator's source. When all
four match, the database is reused; when only the migration head differs,
it is migrated (``flask db upgrade``, then ``ANALYZE``); otherwise it is
thrown away and seeded afresh. A database with tables but no such record
is not a benchmark database and is refused, never dropped.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from coordination import PROJECT_ROOT
from coordination.database import normalise_database_url

MARKER = "bench_seed"
GENERATOR = PROJECT_ROOT / "coordination" / "maintenance" / "synthetic"


class BenchDatabaseError(RuntimeError):
    """The database cannot be used for the benchmark; the message says why."""


@dataclass(frozen=True)
class Wanted:
    cases: int
    seed: int

    @property
    def head(self) -> str:
        """The migration head of this checkout."""
        return ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()

    @property
    def generator(self) -> str:
        """A hash of the generator's source: a changed generator reseeds."""
        digest = hashlib.sha256()
        for path in sorted(GENERATOR.glob("*.py")):
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]


def default_url(cases: int) -> str:
    return f"sqlite:///{PROJECT_ROOT / 'instance' / f'bench-{cases}.sqlite3'}"


def _recorded(engine: sa.Engine) -> tuple | None | bool:
    """The marker's row; None when the database is empty; False when it has
    tables but no marker."""
    tables = sa.inspect(engine).get_table_names()
    if not tables:
        return None
    if MARKER not in tables:
        return False
    with engine.connect() as connection:
        return tuple(connection.execute(sa.text(
            f"SELECT cases, seed, head, generator FROM {MARKER}")).one())


def _create_or_reset(url: str, reset: bool) -> None:
    """Make the database exist and be empty."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        if reset:
            path.unlink(missing_ok=True)
        return
    server = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = parsed.database
    try:
        with server.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            quoted = server.dialect.identifier_preparer.quote(name)
            if exists and reset:
                connection.exec_driver_sql(f"DROP DATABASE {quoted} WITH (FORCE)")
            if not exists or reset:
                connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
    finally:
        server.dispose()


def _flask(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi"}
    # Our own CLI through this interpreter; arguments are a list, no shell.
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=PROJECT_ROOT,
                          env=env, check=False)
    if done.returncode != 0:
        raise BenchDatabaseError(f"flask {' '.join(args)} failed")


def prepare(url: str, wanted: Wanted, log=print) -> float | None:
    """Make ``url`` hold the synthetic data ``wanted``; the seconds seeding
    took, or None when the database was reused."""
    url = normalise_database_url(url)
    _create_or_reset(url, reset=False)
    engine = sa.create_engine(url)
    try:
        recorded = _recorded(engine)
    finally:
        engine.dispose()
    expected = (wanted.cases, wanted.seed, wanted.head, wanted.generator)
    if recorded == expected:
        log(f"Reusing the benchmark database ({wanted.cases:,} cases, seed {wanted.seed}).")
        return None
    if recorded and recorded[:2] == expected[:2] and recorded[3] == expected[3]:
        # Same data, newer schema: migrate it as production would, rather than
        # generating the same rows again.
        log(f"Migrating the benchmark database ({wanted.cases:,} cases, seed {wanted.seed}) "
            f"from {recorded[2]} to {wanted.head}.")
        _flask(url, "db", "upgrade")
        # A new statistics layer starts empty: computed from the cases once.
        _flask(url, "statistics", "rebuild", "--if-empty")
        _flask(url, "visibility", "rebuild", "--if-empty")
        _analyze_and_mark(url, expected)
        return None
    if recorded is False:
        raise BenchDatabaseError(
            "BENCH_DATABASE_URL names a database with tables that the benchmark did not make; "
            "point it at a new database (the benchmark drops and re-creates its own)")
    if recorded is not None:
        log("The benchmark database was seeded differently; seeding it afresh.")
        _create_or_reset(url, reset=True)
    started = time.perf_counter()
    _flask(url, "db", "upgrade")
    _flask(url, "seed-synthetic", "--cases", str(wanted.cases), "--seed", str(wanted.seed))
    seconds = time.perf_counter() - started
    _mark(url, expected)
    return seconds


def _mark(url: str, expected: tuple) -> None:
    """Record what the database holds (see the module's docstring)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {MARKER}"))
            connection.execute(sa.text(
                f"CREATE TABLE {MARKER} (cases INTEGER, seed INTEGER, head VARCHAR(64), "
                "generator VARCHAR(32))"))
            connection.execute(sa.text(
                f"INSERT INTO {MARKER} VALUES (:cases, :seed, :head, :generator)"),
                dict(zip(("cases", "seed", "head", "generator"), expected, strict=True)))
    finally:
        engine.dispose()


def _analyze_and_mark(url: str, expected: tuple) -> None:
    """Planner statistics for indexes a migration added, then the new record."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()
    _mark(url, expected)
