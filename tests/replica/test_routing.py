"""The read replica's routing, on either database (docs/replica.md).

A stand-in replica does here what the real one does in
``test_streaming_replica.py``: a second engine on the suite's database,
which sees only what is committed, so a change made inside the test's
transaction is missing from it just as a change the replica has not yet
replayed is.
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import g

from coordination import create_app
from coordination.accounts.models import User
from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from coordination.replica import routing
from coordination.replica.routing import EXTENSION, WRITTEN_KEY, Route, choose
from coordination.replica.session import replica_for
from coordination.replica.status import ReadReplica, ReplicaStatus, parse_lsn
from tests.conftest import _config_dict
from tests.helpers import login
from tests.replica.scenario import (
    COLLEAGUE,
    WRITER,
    Statements,
    listed,
    monitoring_list,
    put_under_monitoring,
    reload,
    shared_case,
)

CAUGHT_UP = ReplicaStatus(replayed=1000, lag_seconds=0.0)


# --- the decision --------------------------------------------------------------------


@pytest.mark.parametrize(("method", "status", "written", "route"), [
    ("GET", CAUGHT_UP, None, Route.REPLICA),
    ("HEAD", CAUGHT_UP, None, Route.REPLICA),
    ("GET", CAUGHT_UP, 1000, Route.REPLICA),  # replayed up to the user's change
    ("GET", CAUGHT_UP, 1001, Route.OWN_CHANGE_PENDING),
    ("GET", None, None, Route.UNAVAILABLE),
    ("GET", ReplicaStatus(1000, 10.5), None, Route.LAGGING),
    ("GET", ReplicaStatus(1000, 10.0), None, Route.REPLICA),
    ("POST", CAUGHT_UP, None, Route.NOT_A_READ),
    ("PUT", CAUGHT_UP, None, Route.NOT_A_READ),
])
def test_the_replica_reads_only_for_a_get_it_can_serve(method, status, written, route):
    assert choose(method, status, written, max_lag=10.0) is route


def test_wal_positions_compare_as_numbers():
    assert parse_lsn("0/3000148") == 0x3000148
    assert parse_lsn("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert parse_lsn("1/0") > parse_lsn("0/FFFFFFFF")


def test_only_read_only_pages_are_marked(app):
    marked = routing.marked_endpoints(app)
    assert {"cases.list_cases", "referrals.inbox", "followups.agency_list",
            "reports.page", "reports.download", "audit.export", "api.statistics",
            "core.index"} <= marked
    # The case page audits each view; steps write.
    assert not marked & {"cases.show", "cases.change_status", "notifications.index"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in marked:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_without_a_replica_setting_nothing_changes(app):
    assert app.config["DATABASE_REPLICA_URL"] is None
    assert EXTENSION not in app.extensions


def test_a_replica_needs_postgresql(tmp_path):
    with pytest.raises(RuntimeError, match="DATABASE_REPLICA_URL needs PostgreSQL"):
        create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
                    "DATABASE_REPLICA_URL": "postgresql://postgres@127.0.0.1:5433/x"})


# --- the session -----------------------------------------------------------------------


@contextmanager
def _own_request(app):
    """A request with its own ``g`` (the suite's app context keeps one for the
    whole run, which a request context would otherwise share)."""
    with app.app_context(), app.test_request_context("/cases"):
        yield


def test_only_plain_selects_of_an_armed_request_go_to_the_replica(app):
    replica = object()
    users = sa.table("users", sa.column("id"))
    with _own_request(app):
        session = db.session()
        assert replica_for(session, sa.select(users)) is None  # not armed
        g.replica_engine = replica
        assert replica_for(session, sa.select(users)) is replica
        assert replica_for(session, sa.union(sa.select(users), sa.select(users))) is replica
        assert replica_for(session, sa.select(users).with_for_update()) is None
        assert replica_for(session, sa.update(users).values(id=1)) is None
        assert replica_for(session, sa.text("SELECT 1")) is None
        assert replica_for(session, None) is None  # Session.connection(): the primary


def test_a_request_that_read_from_the_replica_may_add_rows_but_not_change_them(app):
    with _own_request(app):
        g.replica_engine, g.read_from_replica = object(), True
        db.session.add(AuditEvent(action=AuditAction.LOGIN_SUCCEEDED))
        db.session.flush()
        assert g.replica_engine is None  # it wrote: its reads now go to the primary
        writer = db.session.scalar(sa.select(User).where(User.username == WRITER))
        writer.full_name = writer.full_name + " changed"
        with pytest.raises(routing.ReplicaWrite):
            db.session.flush()
        db.session.rollback()


# --- through the pages, with a stand-in replica -----------------------------------------------


class StandInReplica:
    """Answers like :class:`coordination.replica.status.ReadReplica`."""

    def __init__(self, engine):
        self.engine = engine
        self.current: ReplicaStatus | None = CAUGHT_UP
        #: The primary's WAL position after a write (the sign-ins': replayed).
        self.position = CAUGHT_UP.replayed
        self.states: list[str] = []

    def status(self):
        return self.current

    def note(self, state, _message, *_args):
        self.states.append(state)


@pytest.fixture
def stand_in(app, monkeypatch):
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    replica = StandInReplica(engine)
    monkeypatch.setitem(app.extensions, EXTENSION, replica)
    monkeypatch.setattr(routing, "primary_position", lambda: replica.position)
    yield replica
    engine.dispose()


@pytest.fixture
def watch(app, stand_in):
    return Statements(db.engine), Statements(stand_in.engine)


def test_a_list_reads_from_the_replica(login_as, stand_in, watch):
    primary, replica = watch
    client = login_as(COLLEAGUE)
    with primary.watching(), replica.watching():
        assert client.get("/cases").status_code == 200
    assert replica.case_list_queries()
    assert not primary.case_list_queries()
    assert not replica.changes()


def test_a_write_goes_to_the_primary_and_its_author_reads_it_at_once(
        app, client, login_as, stand_in, watch):
    primary, replica = watch
    case = shared_case(db.session)
    colleague = app.test_client()
    assert login(colleague, COLLEAGUE).status_code == 302
    login_as(WRITER)
    stand_in.position = 2000
    with primary.watching(), replica.watching():
        assert put_under_monitoring(client, case).status_code == 302
    assert primary.changes() and not replica.sent
    assert reload(case).status.value == "monitoring"
    with client.session_transaction() as cookie:
        assert cookie[WRITTEN_KEY] == 2000
    stand_in.current = ReplicaStatus(replayed=1500, lag_seconds=0.0)  # not yet replayed
    with primary.watching(), replica.watching():
        assert listed(client.get(monitoring_list(case)), case)  # read-your-writes
    assert primary.case_list_queries() and not replica.page_queries()
    # The colleague's pages come from the replica, which lacks the change.
    with primary.watching(), replica.watching():
        assert not listed(colleague.get(monitoring_list(case)), case)
    assert replica.case_list_queries() and not primary.case_list_queries()
    # Once the replica has replayed past the change, the writer reads from it again.
    stand_in.current = ReplicaStatus(replayed=2000, lag_seconds=0.0)
    with replica.watching():
        client.get(monitoring_list(case))
    assert replica.case_list_queries()
    with client.session_transaction() as cookie:
        assert WRITTEN_KEY not in cookie


@pytest.mark.parametrize(("status", "state"), [
    (None, None), (ReplicaStatus(replayed=10**6, lag_seconds=60.0), "lagging")])
def test_a_replica_down_or_lagging_leaves_the_reads_to_the_primary(
        login_as, stand_in, watch, status, state):
    primary, replica = watch
    client = login_as(COLLEAGUE)
    stand_in.current = status
    with primary.watching(), replica.watching():
        assert client.get("/cases").status_code == 200
    assert primary.case_list_queries() and not replica.page_queries()
    if state:
        assert stand_in.states[-1] == state


# --- asking the replica -------------------------------------------------------------------


def test_the_replica_is_asked_at_most_every_status_seconds_and_left_alone_when_down(
        monkeypatch):
    replica = ReadReplica(engine=None, retry_seconds=3600, status_seconds=3600)
    answers = [CAUGHT_UP, sa.exc.OperationalError("connect", {}, OSError())]

    def ask():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(replica, "_ask", ask)
    assert replica.status() == replica.status() == CAUGHT_UP  # asked once
    replica.status_seconds = 0
    assert replica.status() is None  # down: logged, and not asked again for a while
    assert replica.status() is None
    assert not answers
