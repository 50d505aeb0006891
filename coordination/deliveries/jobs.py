"""The RQ jobs of the deliveries (run by ``flask deliveries work``).

A job carries a delivery's number only; the row says what to send, to whom
and whether it is still to be sent. The worker is a process of its own like
the command-line tools, so a job commits its attempt itself.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager

from flask import current_app, has_app_context

from coordination.deliveries import transport, worker
from coordination.deliveries.models import Delivery, DeliveryStatus
from coordination.extensions import db

log = logging.getLogger(__name__)

_app = None


@contextmanager
def _app_context():
    """The worker's app (``flask deliveries work`` pushes it); a plain
    ``rq worker`` gets one app per process."""
    global _app
    if has_app_context():
        yield
        return
    if _app is None:
        from coordination import create_app

        _app = create_app()
    with _app.app_context():
        yield


def deliver(delivery_id: int) -> str | None:
    """Try one delivery (:func:`worker.process_one`) and commit the attempt;
    after a failure that leaves it waiting, schedule its retry at
    ``next_attempt_at``. Nothing happens for a row that is not waiting or
    not due (a repeated job, or one that another worker holds)."""
    with _app_context():
        try:
            status = worker.process_one(delivery_id)
            retry = None
            if status == DeliveryStatus.PENDING:
                delivery = db.session.get(Delivery, delivery_id)
                retry = (delivery.attempts, delivery.next_attempt_at)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        if retry is not None:
            transport.schedule_retry(delivery_id, *retry)
        return status.value if status is not None else None


def sweep_outbox() -> int:
    """The periodic sweep: enqueue the rows Redis missed (due for longer than
    a sweep period), then schedule the next sweep."""
    with _app_context():
        from datetime import timedelta

        period = current_app.config["DELIVERY_SWEEP_SECONDS"]
        added = transport.sweep(overdue_by=timedelta(seconds=period))
        if added:
            log.info("deliveries: %s missed deliveries enqueued again", added)
        transport.schedule_sweep()
        return added
