"""Synthetic national data: ``flask seed-synthetic --cases N [--seed S]``.

Fills an empty, migrated database (territories are loaded if missing) with
the agencies and accounts of every district and N cases over ten years,
drawn from the distributions in :mod:`.distributions` and documented in
docs/PERFORMANCE.md. Rows are generated in Python and written in bulk
(:mod:`.writer`), never as ORM objects, so that a million cases load in
minutes. Deterministic for a given seed, number of cases and day.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from coordination.accounts.passwords import hash_password
from coordination.agencies.models import Agency
from coordination.audit.models import AuditAction
from coordination.demo import DEMO_PASSWORD
from coordination.extensions import db
from coordination.maintenance.synthetic.cases import TABLES, CaseGenerator, FastRandom
from coordination.maintenance.synthetic.network import (
    AGENCY_COLUMNS,
    USER_COLUMNS,
    build_network,
)
from coordination.maintenance.synthetic.writer import BulkWriter
from coordination.models_base import utcnow
from coordination.risk.services import questions
from coordination.settings.services import get_setting
from coordination.statistics import layer as statistics_layer
from coordination.territories.services import load_territories
from coordination.visibility import index as visibility_index

#: Cases generated between two writes, and writes between two commits.
BATCH_CASES = 2000
BATCHES_PER_COMMIT = 50
SETTINGS = ("referral_deadline_hours_urgent", "referral_deadline_hours_high",
            "referral_deadline_hours_normal", "temporary_order_days",
            "extended_temporary_order_days", "risk_medium_threshold", "risk_high_threshold")


class SeedError(RuntimeError):
    """The database cannot take synthetic data; the message says why."""


@dataclass
class SeedSummary:
    cases: int
    seed: int
    rows: dict[str, int]
    seconds: float
    #: CPU seconds of this process (SQLite's work included, PostgreSQL's not):
    #: on a busy machine a steadier figure than the wall clock.
    cpu_seconds: float
    #: Seconds of the planner statistics after loading (ANALYZE / VACUUM).
    analyze_seconds: float
    usernames: list[str] = field(repr=False, default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0


def check_database() -> None:
    """Raise :class:`SeedError` unless the schema is there and holds no agency."""
    # On the session's connection: a second one would wait for its write lock.
    tables = set(sa.inspect(db.session.connection()).get_table_names())
    if not {"cases", "agencies", "alembic_version"} <= tables:
        raise SeedError("the database has no schema; run `flask db upgrade` first")
    if db.session.scalar(sa.select(sa.func.count(Agency.id))):
        raise SeedError("the database already has agencies; synthetic data goes into an "
                        "empty database (a new file or a new PostgreSQL database)")


def seed_synthetic(cases: int, seed: int, now: datetime | None = None,
                   progress: Callable[[int], None] | None = None) -> SeedSummary:
    """Fill the empty database with ``cases`` synthetic cases; commits as it goes.

    ``progress`` is called with the number of cases written since its last
    call. Raises :class:`SeedError` when the database is not ready or empty.
    """
    if cases < 1:
        raise SeedError("the number of cases must be at least 1")
    try:
        check_database()
    except SeedError:
        db.session.rollback()  # the check's transaction must not keep SQLite's write lock
        raise
    started, cpu_started = time.perf_counter(), time.process_time()
    now = now or utcnow()
    load_territories()
    settings = {key: get_setting(key) for key in SETTINGS}
    risk_questions = questions()
    password_hash = hash_password(DEMO_PASSWORD)  # one hash: every account, same password
    db.session.commit()
    # Synthetic data, reproducible from the seed; nothing secret is drawn.
    rng = FastRandom(seed)  # nosec B311
    tables = {"agencies": AGENCY_COLUMNS, "users": USER_COLUMNS, **TABLES,
              "audit_events": ("id", "at", "user_id", "agency_id", "ip_address", "action",
                               "object_type", "object_id")}
    with db.engine.connect() as connection, _tuned_for_loading(connection) as transaction:
        with transaction():
            writer = BulkWriter(connection, db.metadata, tables)
            network = build_network(writer, rng, password_hash, now)
            writer.flush()
        _generate(transaction, writer, CaseGenerator(writer, rng, network, now, settings,
                                                     risk_questions), cases, progress)
        with transaction():
            writer.add("audit_events", (writer.next_id("audit_events"), now, None, None, None,
                                        AuditAction.DEMO_DATA_LOADED.value, None, None))
            writer.flush()
            writer.fix_sequences()
    # The rows went in behind the ORM: the derived rows are computed after.
    statistics_layer.rebuild(commit=db.session.commit)
    visibility_index.rebuild(commit=db.session.commit)
    db.session.commit()
    loaded, cpu = time.perf_counter(), time.process_time() - cpu_started
    analyze()
    done = time.perf_counter()
    return SeedSummary(cases, seed, dict(writer.written), loaded - started, cpu,
                       done - loaded, network.usernames)


def _generate(transaction, writer: BulkWriter, generator: CaseGenerator, cases: int,
              progress) -> None:
    moments = generator.creation_times(cases)
    districts = generator.district_plan(cases)
    for first in range(0, cases, BATCH_CASES * BATCHES_PER_COMMIT):
        last = min(cases, first + BATCH_CASES * BATCHES_PER_COMMIT)
        with transaction():
            for batch in range(first, last, BATCH_CASES):
                end = min(last, batch + BATCH_CASES)
                for index in range(batch, end):
                    generator.case(index, moments[index], districts[index])
                writer.flush()
                if progress:
                    progress(end - batch)


@contextmanager
def _tuned_for_loading(connection: sa.Connection):
    """Yield a factory of loading transactions on ``connection``.

    The generator assigns every id itself, so the foreign keys hold by
    construction (the tests check every one of them on a seeded database);
    checking them row by row would triple the load time. SQLite: foreign
    keys off, no fsync per commit, a large page cache (a crash mid-load
    leaves a database to throw away anyway), the defaults again afterwards.
    PostgreSQL, when the role may: ``SET LOCAL session_replication_role =
    replica`` in each transaction, which skips the foreign-key triggers of
    that transaction only.
    """
    if connection.dialect.name == "sqlite":
        # On the driver's connection, outside SQLAlchemy's transaction (sqlite3
        # is in autocommit mode here, see coordination.database.configure_sqlite).
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA cache_size=-262144")
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            yield connection.begin
        finally:
            if not raw.in_transaction:  # after an error the rollback comes later
                raw.execute("PRAGMA synchronous=FULL")
                raw.execute("PRAGMA cache_size=-2000")
                raw.execute("PRAGMA foreign_keys=ON")
        return
    skip_triggers = False
    if connection.dialect.name == "postgresql":
        with connection.begin():
            skip_triggers = bool(connection.scalar(sa.text(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")))

    @contextmanager
    def transaction():
        with connection.begin():
            if skip_triggers:
                connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            yield

    yield transaction


def analyze() -> None:
    """Planner statistics for the new rows, as a maintained database has them."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # VACUUM cannot run in a transaction; it also sets the visibility
            # map that index-only scans rely on.
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE")
        else:
            with connection.begin():
                connection.exec_driver_sql("ANALYZE")

