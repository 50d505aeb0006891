"""The worker: sends what the outbox holds, with retries and backoff.

RQ on the shared Redis is the transport (docs/decisions.md): a job per
delivery, enqueued after the commit that wrote it (:mod:`.transport`), run
by :func:`coordination.deliveries.jobs.deliver`, which calls
:func:`process_one` here. The outbox table stays the one truth: status,
attempts, ``next_attempt_at`` (exponential backoff) and the dead-letter list
are its columns, which the administrator's page reads.

Each delivery is tried in its own transaction, and the worker is a process
of its own like the CLI, so a job commits its attempt. On PostgreSQL the row
is locked with SKIP LOCKED, so several workers share the queue; on SQLite
run one. Delivery is at least once: a crash between sending and the commit
sends again, so webhooks carry the delivery's id for the partner to
recognise a repeat.
"""
from __future__ import annotations

import logging
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

def backoff(attempts: int, config=None) -> timedelta:
    """The wait after the ``attempts``-th failure: BASE * 2**(attempts-1), capped."""
    config = config or current_app.config
    seconds = config["DELIVERY_BACKOFF_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["DELIVERY_BACKOFF_MAX_SECONDS"]))


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


def run(burst: bool = False) -> None:
    """The worker (``flask deliveries work``, ``make worker``): a sweep of
    the outbox, the periodic sweep scheduled, then an RQ worker with its
    scheduler on the deliveries' queue (until stopped; ``burst``: until the
    queue is empty). Raises RuntimeError when Redis does not answer."""
    from rq import SimpleWorker

    from coordination.deliveries import transport

    if not transport.redis_answers():
        raise RuntimeError("Redis (REDIS_URL) does not answer")
    found = transport.sweep()
    if found:
        log.info("deliveries: %s waiting deliveries enqueued at start", found)
    if not burst:
        transport.schedule_sweep()
    queue = transport.queue()
    SimpleWorker([queue], connection=queue.connection).work(
        burst=burst, with_scheduler=True, logging_level="INFO")
