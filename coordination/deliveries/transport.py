"""RQ on the shared Redis carries the outbox's rows to the worker.

The outbox table stays the one truth (status, attempts, next attempt,
dead letters); a job carries only a delivery's number. So:

- a request's deliveries are enqueued **after** its commit (an
  ``after_commit`` listener), one job each; a rollback enqueues nothing,
  and a delivery rolled back with a savepoint is left out;
- a failed attempt schedules its retry at ``next_attempt_at``
  (``enqueue_at``; the worker runs RQ's scheduler);
- what Redis never got (it was down at the commit, a job was lost) is found
  by the sweep: at the worker's start, and then every
  ``DELIVERY_SWEEP_SECONDS``, the rows that are due are enqueued again.

Job ids name the queue, the delivery and its attempt count, and are enqueued
as unique, so the sweep does not double what is already waiting. A job that
runs twice anyway does nothing the second time (the row is locked, no longer
waiting or not due). Without ``REDIS_URL``, or with Redis away, nothing here
fails a request: the rows wait in the table.
"""
from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context

from coordination.deliveries.models import Delivery, DeliveryStatus
from coordination.extensions import db
from coordination.models_base import utcnow

log = logging.getLogger(__name__)

#: ``db.session.info`` key: (delivery, attempts) written in this transaction,
#: enqueued when it commits.
ANNOUNCED = "deliveries_announced"
#: A job is one send, bounded by its channel's timeout (10 s by default).
JOB_TIMEOUT = 120
#: A job that raised (the database away, a bug) is kept this long for
#: inspection; the sweep enqueues its row again meanwhile.
FAILURE_TTL = 7 * 24 * 3600


def announce(delivery: Delivery) -> None:
    """Enqueue ``delivery`` once the current transaction commits."""
    db.session.info.setdefault(ANNOUNCED, []).append((delivery, delivery.attempts or 0))


def redis_connection():
    """The shared Redis (``REDIS_URL``), or None when it is not configured.
    One client per URL and process (its pool is reused by every request)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("deliveries_redis", {})
    if url not in clients:
        import redis

        clients[url] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    return clients[url]


def redis_answers() -> bool:
    connection = redis_connection()
    if connection is None:
        return False
    try:
        return bool(connection.ping())
    except Exception:  # any failure to connect means "no"
        return False


def queue(connection=None):
    """The RQ queue of deliveries (``DELIVERY_QUEUE``), or None without Redis."""
    connection = connection or redis_connection()
    if connection is None:
        return None
    from rq import Queue

    return Queue(current_app.config["DELIVERY_QUEUE"], connection=connection)


def job_id(queue_name: str, delivery_id: int, attempts: int) -> str:
    """One id per delivery and attempt: a second enqueue of the same is refused."""
    return f"{queue_name}-delivery-{delivery_id}-{attempts}"


def _utc(moment: datetime) -> datetime:
    """RQ reads a naive time as local time and keeps whole seconds: the
    outbox's naive UTC, rounded up so that the job never runs before it is due."""
    aware = moment.replace(tzinfo=UTC)
    return datetime.fromtimestamp(math.ceil(aware.timestamp()), UTC)


def _put(target, delivery_id: int, attempts: int, at: datetime | None = None) -> bool:
    """Enqueue (or schedule at ``at``) the job of one delivery's attempt;
    False when the very same job is already waiting."""
    from rq.exceptions import DuplicateJobError
    from rq.job import Job

    from coordination.deliveries import jobs

    options = dict(job_id=job_id(target.name, delivery_id, attempts), unique=True,
                   job_timeout=JOB_TIMEOUT, result_ttl=0, failure_ttl=FAILURE_TTL,
                   description=f"delivery {delivery_id}, attempt {attempts + 1}")
    for _try in range(2):
        try:
            if at is None:
                target.enqueue(jobs.deliver, delivery_id, **options)
            else:
                target.enqueue_at(_utc(at), jobs.deliver, delivery_id, **options)
            return True
        except DuplicateJobError:
            if _waiting(target, options["job_id"]):
                return False
            # Ended without sending (it raised, was stopped) or lost from
            # its list: replaced, once.
            Job.fetch(options["job_id"], connection=target.connection).delete()
    return False


def _waiting(target, job: str) -> bool:
    """Whether the job is really on its way: in the queue, in the schedule,
    or running (its hash alone may outlive a lost list)."""
    from rq.job import Job, JobStatus
    from rq.registry import ScheduledJobRegistry

    status = Job.fetch(job, connection=target.connection).get_status(refresh=False)
    connection = target.connection
    if status == JobStatus.QUEUED:
        return connection.lpos(target.key, job) is not None
    if status == JobStatus.SCHEDULED:
        return connection.zscore(ScheduledJobRegistry(queue=target).key, job) is not None
    return status == JobStatus.STARTED


def enqueue_committed(announced: list) -> int:
    """After a commit: one job per delivery that is in the database now.
    Best effort: Redis away means the sweep sends them later."""
    ids = []
    for delivery, attempts in announced:
        state = sa.inspect(delivery)
        if state.persistent and state.identity:  # not rolled back with a savepoint
            ids.append((state.identity[0], attempts))
    if not ids:
        return 0
    try:
        target = queue()
        if target is None:
            return 0
        return sum(_put(target, delivery_id, attempts) for delivery_id, attempts in ids)
    except Exception:  # the rows are safe in the database either way
        log.warning("could not enqueue %s deliveries; the worker's sweep will", len(ids))
        return 0


def schedule_retry(delivery_id: int, attempts: int, at: datetime) -> None:
    """After a failed attempt was committed: its next try at ``at``."""
    try:
        target = queue()
        if target is not None:
            _put(target, delivery_id, attempts, at)
    except Exception:
        log.warning("could not schedule the retry of delivery %s; the sweep will", delivery_id)


def sweep(now: datetime | None = None, overdue_by: timedelta = timedelta(0),
          limit: int = 1000) -> int:
    """Enqueue the waiting rows due for at least ``overdue_by``: those Redis
    never got or lost. Returns how many jobs were added. The worker's own
    session: its read is ended (rolled back) before the calls to Redis."""
    target = queue()
    if target is None:
        return 0
    moment = (now or utcnow()) - overdue_by
    rows = db.session.execute(
        sa.select(Delivery.id, Delivery.attempts)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= moment)
        .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)).all()
    db.session.rollback()  # a read: end its transaction before the network calls
    return sum(_put(target, delivery_id, attempts) for delivery_id, attempts in rows)


def schedule_sweep(now: datetime | None = None) -> None:
    """The next sweep at the next multiple of ``DELIVERY_SWEEP_SECONDS``; the
    id names that moment, so several workers schedule one sweep, not one each."""
    from coordination.deliveries import jobs

    target = queue()
    if target is None:
        return
    period = current_app.config["DELIVERY_SWEEP_SECONDS"]
    moment = (now or utcnow()).replace(tzinfo=UTC).timestamp()
    at = (math.floor(moment / period) + 1) * period
    from rq.exceptions import DuplicateJobError

    try:
        target.enqueue_at(datetime.fromtimestamp(at, UTC), jobs.sweep_outbox,
                          job_id=f"{target.name}-sweep-{int(at)}", unique=True,
                          job_timeout=JOB_TIMEOUT, result_ttl=0, failure_ttl=FAILURE_TTL,
                          description="sweep of the outbox")
    except DuplicateJobError:
        pass


_listening = False


def init_app(app) -> None:
    """Enqueue after each commit that wrote deliveries (registered once per
    process on the session class every app shares)."""
    global _listening
    if _listening:
        return
    from flask_sqlalchemy.session import Session
    from sqlalchemy import event

    @event.listens_for(Session, "after_commit")
    def _after_commit(session):
        announced = session.info.pop(ANNOUNCED, None)
        if announced and has_app_context():
            enqueue_committed(announced)

    @event.listens_for(Session, "after_rollback")
    def _after_rollback(session):
        if not session.in_nested_transaction():
            session.info.pop(ANNOUNCED, None)

    _listening = True
