"""Reads from a real streaming replica (PostgreSQL only; docs/replica.md).

``scripts/replica start`` makes a standby of the test server on port 5433
(``TEST_REPLICA_PORT``) with pg_basebackup, unless one is running already;
the module stops it afterwards if it started it. The app under test has its
own database on the primary, with the demo data, committed (a replica sees
only what is committed). Pausing the standby's WAL replay makes it lag on
purpose, so that what the pages show proves where they read: no test waits
for a moment in time.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from coordination import create_app
from coordination.extensions import db
from coordination.replica.routing import EXTENSION, WRITTEN_KEY
from coordination.replica.session import RoutingSession
from coordination.replica.status import parse_lsn
from tests import databases
from tests.conftest import DEMO_NOW, DEMO_SEED, IsolatedClient, _config_dict
from tests.helpers import login
from tests.replica.scenario import (
    COLLEAGUE,
    WRITER,
    Statements,
    listed,
    monitoring_list,
    put_under_monitoring,
    shared_case,
)

pytestmark = pytest.mark.skipif(
    databases.backend_name() != "postgresql",
    reason="a streaming replica is PostgreSQL's (set TEST_DATABASE_URL); SQLite stays one file")

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "replica"
REPLICA_PORT = int(os.environ.get("TEST_REPLICA_PORT", "5433"))
#: How long the standby may take to replay what the test waits for (a bound
#: on waiting, not an assertion about speed).
REPLAY_WAIT_SECONDS = 60


def _script(command: str, server) -> subprocess.CompletedProcess:
    env = {**os.environ, "REPLICA_PORT": str(REPLICA_PORT),
           "REPLICA_PRIMARY_HOST": server.host, "REPLICA_PRIMARY_PORT": str(server.port or 5432),
           "REPLICA_PRIMARY_USER": server.username or "postgres"}
    if server.password:
        env["PGPASSWORD"] = server.password
    return subprocess.run([str(SCRIPT), command], env=env, capture_output=True, text=True,
                          timeout=600, check=False)


@pytest.fixture(scope="module")
def replica_port():
    server = make_url(databases.server_url())
    if server.host not in ("127.0.0.1", "localhost"):
        pytest.skip("scripts/replica makes a standby of a PostgreSQL server on this machine; "
                    "TEST_DATABASE_URL names another host")
    was_running = _script("status", server).returncode == 0
    started = _script("start", server)
    assert started.returncode == 0, started.stdout + started.stderr
    yield REPLICA_PORT
    if not was_running:
        stopped = _script("stop", server)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr


@contextmanager
def _own_session():
    """The app's own routing session, outside the suite's rolled-back transaction."""
    suite_session = db.session
    db.session = db._make_scoped_session({"class_": RoutingSession})
    try:
        yield
    finally:
        db.session.remove()
        db.session = suite_session


def _app(url: str, replica_url: str, **settings):
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url,
                      "DATABASE_REPLICA_URL": replica_url, **settings})
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="module")
def database(tmp_path_factory, replica_port):
    """(primary URL, replica URL) of a database with the demo data."""
    with databases.scratch_database(tmp_path_factory.mktemp("replica")) as url:
        replica_url = make_url(url).set(port=replica_port).render_as_string(hide_password=False)
        loader = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url})
        with _own_session(), loader.app_context():
            upgrade()
            from coordination.demo import load_demo

            load_demo(DEMO_SEED, now=DEMO_NOW)
            db.session.commit()
            db.engine.dispose()
        yield url, replica_url


@pytest.fixture
def replicated(database):
    """An app reading from the replica (which may lag an hour before it is passed over)."""
    app = _app(*database, REPLICA_MAX_LAG_SECONDS=3600, REPLICA_STATUS_SECONDS=0)
    with _own_session(), app.app_context():
        yield app
        app.extensions[EXTENSION].engine.dispose()
        db.engine.dispose()


def _replica(app):
    return app.extensions[EXTENSION].engine


def _primary_position() -> int:
    with db.engine.connect() as connection:
        return parse_lsn(connection.scalar(sa.text("SELECT pg_current_wal_lsn()::text")))


def _wait_until(app, condition: str, position: int) -> None:
    """Until the standby's ``condition`` (an LSN function) reaches ``position``."""
    deadline = time.monotonic() + REPLAY_WAIT_SECONDS
    with _replica(app).connect() as connection:
        while True:
            reached = connection.scalar(sa.text(f"SELECT {condition}()::text"))
            connection.rollback()
            if reached and parse_lsn(reached) >= position:
                return
            assert time.monotonic() < deadline, f"the standby's {condition} stays behind"
            time.sleep(0.05)


def _wait_for_replay(app) -> None:
    _wait_until(app, "pg_last_wal_replay_lsn", _primary_position())


@contextmanager
def _replay_paused(app):
    with _replica(app).connect() as connection:
        connection.execute(sa.text("SELECT pg_wal_replay_pause()"))
        connection.commit()
        while connection.scalar(sa.text("SELECT pg_get_wal_replay_pause_state()")) != "paused":
            connection.rollback()
            time.sleep(0.05)
        connection.rollback()
        try:
            yield
        finally:
            connection.execute(sa.text("SELECT pg_wal_replay_resume()"))
            connection.commit()


def test_the_standby_is_a_replica_on_its_own_port(replicated, replica_port):
    with _replica(replicated).connect() as connection:
        assert connection.scalar(sa.text("SELECT pg_is_in_recovery()")) is True
        assert connection.scalar(sa.text("SELECT inet_server_port()")) == replica_port
    with db.engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT pg_is_in_recovery()")) is False


def test_lists_from_the_replica_writes_to_the_primary_and_the_author_sees_them_at_once(
        replicated):
    app = replicated
    primary, replica = Statements(db.engine), Statements(_replica(app))
    writer, colleague = app.test_client(), app.test_client()
    assert login(writer, WRITER).status_code == 302
    assert login(colleague, COLLEAGUE).status_code == 302
    case = shared_case(db.session)
    db.session.expunge_all()  # the case as loaded: the test's reads stay out of the record
    db.session.rollback()
    _wait_for_replay(app)  # the sign-ins, so that both users may read from the replica

    with primary.watching(), replica.watching():
        assert not listed(colleague.get(monitoring_list(case)), case)
    assert replica.case_list_queries(), "the list did not read from the replica"
    assert not primary.case_list_queries()

    with _replay_paused(app):
        with primary.watching(), replica.watching():
            assert put_under_monitoring(writer, case).status_code == 302
        assert primary.changes() and not replica.sent, "the write did not go to the primary"
        with writer.session_transaction() as cookie:
            written = cookie[WRITTEN_KEY]
        _wait_until(app, "pg_last_wal_receive_lsn", written)  # received, not replayed

        # Read-your-writes: the writer's next page comes from the primary.
        with primary.watching(), replica.watching():
            assert listed(writer.get(monitoring_list(case)), case)
        assert primary.case_list_queries() and not replica.page_queries()

        # The colleague reads from the replica, which has not replayed the change.
        with primary.watching(), replica.watching():
            assert not listed(colleague.get(monitoring_list(case)), case)
        assert replica.case_list_queries() and not primary.case_list_queries()

        # A replica further behind than allowed serves nobody.
        app.config["REPLICA_MAX_LAG_SECONDS"] = 0
        with primary.watching(), replica.watching():
            assert listed(colleague.get(monitoring_list(case)), case)
        assert primary.case_list_queries() and not replica.page_queries()
        app.config["REPLICA_MAX_LAG_SECONDS"] = 3600

    _wait_until(app, "pg_last_wal_replay_lsn", written)
    with primary.watching(), replica.watching():
        assert listed(writer.get(monitoring_list(case)), case)
    assert replica.case_list_queries(), "caught up, the replica serves the writer again"
    with writer.session_transaction() as cookie:
        assert WRITTEN_KEY not in cookie


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_replica_that_does_not_answer_leaves_the_reads_to_the_primary(database, caplog):
    url, replica_url = database
    nowhere = make_url(replica_url).set(port=_closed_port()).render_as_string(
        hide_password=False)
    app = _app(url, nowhere)
    with _own_session(), app.app_context():
        primary = Statements(db.engine)
        client = app.test_client()
        assert login(client, COLLEAGUE).status_code == 302
        with primary.watching(), caplog.at_level("WARNING", "coordination.replica"):
            assert client.get("/cases").status_code == 200
            assert client.get("/cases").status_code == 200
        assert primary.case_list_queries()
        warnings = [r.getMessage() for r in caplog.records if r.name.startswith(
            "coordination.replica")]
        assert len(warnings) == 1  # once, when it went away
        assert "reading from the primary" in warnings[0]
        assert "postgres" not in warnings[0] and str(make_url(nowhere).port) not in warnings[0]
        app.extensions[EXTENSION].engine.dispose()
        db.engine.dispose()
