"""Which requests read from the replica, and read-your-writes.

A view marked :func:`reads_from_replica` (lists, statistics, exports) reads
from the replica when all of these hold (:func:`choose`):

* the request is a GET or HEAD;
* the replica answers, is a standby, and lags at most ``REPLICA_MAX_LAG_SECONDS``;
* it has replayed the user's own last change: after a request that wrote,
  the pipeline notes the primary's WAL position in the user's session
  (:func:`note_write`), and until the replica has replayed past it the
  user's pages come from the primary.

Everything before the view (the user and their server-side session, the
section's check) and every write is the primary's. A marked view that
writes (an audit entry) reads from the primary from then on, and may add
rows but never change or delete one (:class:`ReplicaWrite`): a change made
from what a replica showed could undo a newer one.
"""
from __future__ import annotations

import enum
from functools import wraps

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request, session
from sqlalchemy.orm import Session

from coordination.database import configure_postgresql, normalise_database_url
from coordination.extensions import db
from coordination.replica.status import ReadReplica, ReplicaStatus, parse_lsn

#: ``app.extensions`` key of the :class:`ReadReplica`, present only when configured.
EXTENSION = "read_replica"
#: Flask session key: the primary's WAL position after the user's last write.
WRITTEN_KEY = "written_lsn"
READ_METHODS = frozenset({"GET", "HEAD"})


class Route(enum.Enum):
    REPLICA = "replica"
    NOT_A_READ = "not a GET"
    UNAVAILABLE = "replica unavailable"
    LAGGING = "replica lagging"
    OWN_CHANGE_PENDING = "the user's change not yet replayed"


class ReplicaWrite(RuntimeError):
    """A request that read from the replica changed or deleted a row (a bug)."""


def choose(method: str, status: ReplicaStatus | None, written: int | None,
           max_lag: float) -> Route:
    """Where a marked view's reads go; only :attr:`Route.REPLICA` is the replica."""
    if method not in READ_METHODS:
        return Route.NOT_A_READ
    if status is None:
        return Route.UNAVAILABLE
    if status.lag_seconds > max_lag:
        return Route.LAGGING
    if written is not None and status.replayed < written:
        return Route.OWN_CHANGE_PENDING
    return Route.REPLICA


def reads_from_replica(view):
    """Mark a read-only view (put it right above the ``def``, under the
    route's access decorators, which read from the primary)."""

    @wraps(view)
    def marked(*args, **kwargs):
        _route_reads()
        return view(*args, **kwargs)

    marked.reads_from_replica = True
    return marked


def marked_endpoints(app: Flask) -> set[str]:
    return {endpoint for endpoint, view in app.view_functions.items()
            if _is_marked(view)}


def _is_marked(view) -> bool:
    while view is not None:
        if getattr(view, "reads_from_replica", False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def _route_reads() -> None:
    replica: ReadReplica | None = current_app.extensions.get(EXTENSION)
    if replica is None:
        return
    db.session.flush()  # what the request changed so far goes to the primary first
    status = replica.status() if request.method in READ_METHODS else None
    route = choose(request.method, status, session.get(WRITTEN_KEY),
                   current_app.config["REPLICA_MAX_LAG_SECONDS"])
    g.read_route = route
    if route is Route.LAGGING:
        replica.note("lagging", "read replica %.1f s behind; reading from the primary",
                     status.lag_seconds)
    elif status is not None:
        replica.note("ok", "read replica serving reads")
    if route is Route.REPLICA:
        g.replica_engine = replica.engine
        g.read_from_replica = True
        session.pop(WRITTEN_KEY, None)  # replayed: the mark has done its work


def note_write() -> None:
    """After the request's commit: remember where the primary's log stands,
    so that the user's next pages wait for the replica to replay it."""
    if EXTENSION not in current_app.extensions or not g.get("pipeline_flushed"):
        return
    if "_user_id" not in session:  # no signed-in browser to carry it (API clients)
        return
    session[WRITTEN_KEY] = max(primary_position(), session.get(WRITTEN_KEY) or 0)


def primary_position() -> int:
    """The primary's WAL position now: past the commit just made."""
    with db.engine.connect() as connection:
        return parse_lsn(connection.execute(
            sa.text("SELECT pg_current_wal_lsn()::text")).scalar_one())


@sa.event.listens_for(Session, "before_flush")
def _refuse_changes_from_replica_reads(flush_session, _context, _instances) -> None:
    if not has_request_context() or not g.get("read_from_replica"):
        return
    if flush_session.deleted or any(flush_session.is_modified(obj)
                                    for obj in flush_session.dirty):
        raise ReplicaWrite(f"{request.endpoint} read from the replica and changed rows")


@sa.event.listens_for(Session, "after_flush")
def _read_own_writes(flush_session, _context) -> None:
    """Once the request has written, its reads go to the primary, which has it."""
    if has_request_context() and (flush_session.new or flush_session.dirty
                                  or flush_session.deleted):
        g.replica_engine = None


def init_app(app: Flask) -> None:
    """Open the replica's engine when ``DATABASE_REPLICA_URL`` is set."""
    url = app.config.get("DATABASE_REPLICA_URL")
    if not url:
        return
    url = normalise_database_url(url)
    if not (url.startswith("postgresql")
            and app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")):
        raise RuntimeError("DATABASE_REPLICA_URL needs PostgreSQL, as DATABASE_URL does "
                           "(a streaming replica of it)")
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["pool_pre_ping"] = True  # a restarted replica: a new connection, not an error
    options["connect_args"] = {"connect_timeout": app.config["REPLICA_CONNECT_TIMEOUT"],
                               **options.get("connect_args", {})}
    engine = sa.create_engine(url, **options)
    configure_postgresql(engine)
    app.extensions[EXTENSION] = ReadReplica(engine,
                                            app.config["REPLICA_RETRY_SECONDS"],
                                            app.config["REPLICA_STATUS_SECONDS"])
