"""Real parts for the deliveries: an SMTP server (aiosmtpd), HTTP
receivers (http.server in a thread), both on 127.0.0.1 with free ports, and
the real Redis with RQ's worker run in the test's process."""
from __future__ import annotations

import json
import os
import signal
import socket
import threading
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from coordination.deliveries import jobs, transport
from coordination.deliveries.models import Delivery, DeliveryStatus
from coordination.extensions import db
from coordination.models_base import utcnow
from tests.workflow.conftest import new_case  # noqa: F401 (the workflow's case fixture)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Mailbox:
    """The aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server; ``.messages`` lists (recipients, message)."""
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    mailbox.port = controller.port
    try:
        yield mailbox
    finally:
        controller.stop()


@dataclass
class Receiver:
    """An HTTP endpoint that fails ``failures`` times (503) before it
    accepts; -1 fails for ever. ``requests`` holds (headers, body) of each."""

    failures: int = 0
    requests: list = field(default_factory=list)
    url: str = ""

    def accepted(self) -> list[dict]:
        return [json.loads(body) for _headers, body, status in self.requests if status == 200]


@pytest.fixture
def receiver():
    """``receiver(failures=0)``: a started receiver; all are stopped after the test."""
    servers = []

    def start(failures: int = 0) -> Receiver:
        state = Receiver(failures=failures)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                failing = state.failures < 0 or len(state.requests) < state.failures
                status = 503 if failing else 200
                state.requests.append((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # keep the test output quiet
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        state.url = f"http://127.0.0.1:{server.server_address[1]}/send"
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def channels(app, monkeypatch, smtp_server, receiver):
    """Every channel switched on: e-mail to the local SMTP server, SMS to a
    local gateway, a webhook for the Sokuluk police to a local partner.
    Returns the gateway and the partner receivers."""
    gateway, partner = receiver(), receiver()
    settings = {
        "DELIVERY_EMAIL_ENABLED": True, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server.port,
        "SMTP_FROM": "coordination@example.kg",
        "DELIVERY_SMS_ENABLED": True, "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_TOKEN": "gateway-token",
        "SMS_GATEWAY_BODY": '{"recipient": "{to}", "message": {"text": "{text}"}}',
        "DELIVERY_SURVIVOR_SMS_ENABLED": True,
        "DELIVERY_WEBHOOKS": {"police-system": {"agency": "SOKULUK-POLICE", "url": partner.url,
                                                "secret": "partner-secret"}},
        "DELIVERY_MAX_ATTEMPTS": 3, "DELIVERY_BACKOFF_BASE_SECONDS": 30,
        "DELIVERY_BACKOFF_MAX_SECONDS": 3600, "SMTP_TIMEOUT": 5, "SMS_GATEWAY_TIMEOUT": 5,
        "WEBHOOK_TIMEOUT": 5,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    return gateway, partner


#: A Redis database of the deliveries' tests; each test has a queue of its own.
REDIS_URL = os.environ.get("TEST_DELIVERIES_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def rq_queue(app, monkeypatch):
    """The real Redis as the deliveries' transport, with a queue (and job
    ids) of this test's own, so that parallel runs do not meet; skipped
    when Redis does not answer (``.ci/run`` starts one, and there it fails)."""
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "DELIVERY_QUEUE", f"deliveries-test-{uuid.uuid4().hex}")
    if not transport.redis_answers():
        message = f"Redis is not reachable at {REDIS_URL} (start redis-server to run this test)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    queue = transport.queue()
    try:
        yield queue
    finally:
        for key in queue.connection.scan_iter(match=f"*{queue.name}*"):
            queue.connection.delete(key)
        queue.connection.srem("rq:queues", queue.key)  # RQ's set of every queue


def run_worker(queue) -> bool:
    """RQ's SimpleWorker in this process, in burst mode with its scheduler:
    it moves the scheduled jobs that are due to the queue, runs every job
    waiting, and returns whether it ran any. The test's database session is
    the one the jobs use. The signal handlers RQ installs are put back."""
    from rq import SimpleWorker

    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        return SimpleWorker([queue], connection=queue.connection).work(
            burst=True, with_scheduler=True, logging_level="WARNING")
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def run_jobs_inline() -> int:
    """Each waiting, due delivery's job (:func:`jobs.deliver`) called here,
    without a queue: for the tests of what is sent, not how it travels.
    Returns how many were tried."""
    db.session.expire_all()
    waiting = list(db.session.scalars(sa.select(Delivery.id).where(
        Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= utcnow())
        .order_by(Delivery.id)))
    db.session.commit()
    return sum(jobs.deliver(delivery_id) is not None for delivery_id in waiting)
