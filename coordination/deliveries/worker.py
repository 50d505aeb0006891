"""The worker: sends what the outbox holds, with retries and backoff.

A plain loop over the outbox table (docs/decisions.md says why not RQ): the
table is the queue, the retry state and the dead-letter list, so there is one
truth, in the database the administrator's page reads. Redis, when there,
only wakes the worker as soon as a request commits deliveries
(:func:`wake`); without it the worker looks every ``DELIVERY_POLL_SECONDS``.

Each delivery is tried in its own transaction, and the worker is a process
of its own like the CLI, so it commits (after each delivery). On PostgreSQL
the row is locked with SKIP LOCKED, so several workers share the outbox; on
SQLite run one. Delivery is at least once: a crash between sending and the
commit sends again, so webhooks carry the delivery's id for the partner to
recognise a repeat.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from coordination.accounts.models import User
from coordination.cases.models import Person
from coordination.deliveries import channels, services
from coordination.deliveries.models import Channel, Delivery, DeliveryStatus
from coordination.extensions import db
from coordination.models_base import utcnow

log = logging.getLogger(__name__)

#: The Redis list a commit pushes to, to wake a waiting worker.
WAKE_KEY = "coordination:deliveries:wake"


def backoff(attempts: int, config=None) -> timedelta:
    """The wait after the ``attempts``-th failure: BASE * 2**(attempts-1), capped."""
    config = config or current_app.config
    seconds = config["DELIVERY_BACKOFF_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["DELIVERY_BACKOFF_MAX_SECONDS"]))


def due_ids(now: datetime, limit: int = 100) -> list[int]:
    """The waiting deliveries whose time has come, oldest first."""
    return list(db.session.scalars(
        sa.select(Delivery.id).where(Delivery.status == DeliveryStatus.PENDING,
                                     Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)))


def process_one(delivery_id: int, now: datetime | None = None) -> DeliveryStatus | None:
    """Try one delivery if it is still waiting and due; flush its new state.

    Returns its status afterwards, or None when another worker has it or it
    is not due. The caller commits.
    """
    now = now or utcnow()
    delivery = db.session.scalar(
        sa.select(Delivery).where(Delivery.id == delivery_id,
                                  Delivery.status == DeliveryStatus.PENDING,
                                  Delivery.next_attempt_at <= now)
        .with_for_update(skip_locked=True))
    if delivery is None:
        return None
    address = _address(delivery)
    if address is None and delivery.channel != Channel.WEBHOOK:
        # No longer allowed: consent withdrawn, address removed, account
        # deactivated or channel switched off since it was written.
        delivery.status, delivery.changed_at = DeliveryStatus.DISCARDED, now
        delivery.last_error = "recipient or channel no longer available"
        db.session.flush()
        return delivery.status
    delivery.attempts += 1
    try:
        _send(delivery, address)
    except channels.SendFailed as failure:
        _failed(delivery, failure.reason, now)
    else:
        delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, now, None
    db.session.flush()
    return delivery.status


def _failed(delivery: Delivery, reason: str, now: datetime) -> None:
    delivery.last_error = reason
    if delivery.attempts >= current_app.config["DELIVERY_MAX_ATTEMPTS"]:
        delivery.status, delivery.changed_at = DeliveryStatus.DEAD, now
        log.warning("delivery %s (%s) dead after %s attempts: %s", delivery.id,
                    delivery.channel.value, delivery.attempts, reason)
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)


def _address(delivery: Delivery) -> str | None:
    """Where it goes now, if it still may go; the address is never stored."""
    if delivery.channel == Channel.WEBHOOK:
        return None
    if delivery.recipient_person_id is not None:
        person = db.session.get(Person, delivery.recipient_person_id)
        ok = person is not None and services.sms_on() and services.survivor_may_be_messaged(
            person)
        return person.safe_phone if ok else None
    user = db.session.get(User, delivery.recipient_user_id)
    if user is None or not user.is_active:
        return None
    if delivery.channel == Channel.EMAIL:
        return user.email if services.email_on() else None
    return user.phone if services.sms_on() else None


def _send(delivery: Delivery, address: str | None) -> None:
    config = current_app.config
    if delivery.channel == Channel.EMAIL:
        channels.send_email(config, address, delivery.subject or "", delivery.body)
    elif delivery.channel == Channel.SMS:
        channels.send_sms(config, address, delivery.body)
    else:
        target = config["DELIVERY_WEBHOOKS"].get(delivery.webhook_target)
        if target is None:
            raise channels.SendFailed("partner no longer configured")
        channels.send_webhook(target, delivery.body.encode(), delivery.id,
                              config["WEBHOOK_TIMEOUT"])


def process_due(now: datetime | None = None, limit: int = 100) -> int:
    """One pass over the outbox: each due delivery tried and committed on
    its own (a failure of one never undoes another). Returns how many were tried."""
    tried = 0
    due = due_ids(now or utcnow(), limit)
    db.session.commit()  # end the listing's (read-only) transaction before locking rows
    for delivery_id in due:
        if process_one(delivery_id, now) is not None:
            tried += 1
        db.session.commit()
    return tried


def redis_client():
    """The shared Redis, or None when ``REDIS_URL`` is not set."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def redis_answers() -> bool:
    client = redis_client()
    if client is None:
        return False
    try:
        return bool(client.ping())
    except Exception:  # any failure to connect means "no"
        return False


def wake() -> None:
    """Tell a waiting worker there is work (after a commit with deliveries).
    Best effort: if Redis is away, the worker's next look finds the rows."""
    client = redis_client()
    if client is None:
        return
    try:
        client.lpush(WAKE_KEY, "1")
        client.ltrim(WAKE_KEY, 0, 0)  # one pending signal is enough
    except Exception:  # the outbox row is safe in the database either way
        log.info("could not wake the delivery worker; it will look on its own")


def wait_for_work(seconds: float) -> bool:
    """Wait until woken through Redis or ``seconds`` pass; True if woken."""
    client = redis_client()
    if client is None:
        time.sleep(seconds)
        return False
    try:
        return client.blpop([WAKE_KEY], timeout=max(int(seconds), 1)) is not None
    except Exception:
        time.sleep(seconds)
        return False


def run(once: bool = False) -> None:
    """The worker's loop (``flask deliveries work``, ``make worker``)."""
    poll = current_app.config["DELIVERY_POLL_SECONDS"]
    while True:
        tried = process_due()
        if tried:
            log.info("deliveries tried: %s", tried)
        if once:
            return
        wait_for_work(poll)


_listening = False


def init_app(app) -> None:
    """Wake the worker after each commit that wrote deliveries (registered
    once per process on the session class every app shares)."""
    global _listening
    if _listening:
        return
    from flask import has_app_context
    from flask_sqlalchemy.session import Session
    from sqlalchemy import event

    @event.listens_for(Session, "after_commit")
    def _after_commit(session):
        if session.info.pop(services.ADDED, False) and has_app_context():
            wake()

    @event.listens_for(Session, "after_rollback")
    def _after_rollback(session):
        session.info.pop(services.ADDED, None)

    _listening = True
