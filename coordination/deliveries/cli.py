"""``flask deliveries ...``: the worker and its checks."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from coordination.deliveries import transport, worker
from coordination.deliveries.settings import any_channel_on

deliveries_cli = AppGroup("deliveries", help="E-mail, SMS and webhooks from the outbox.")


@deliveries_cli.command("work")
@click.option("--burst", is_flag=True,
              help="Send what is waiting and due, then exit (cron, a check).")
def work(burst):
    """The RQ worker that sends the outbox's deliveries, with retries
    (``make worker``). Needs Redis (``REDIS_URL``)."""
    try:
        worker.run(burst=burst)
    except RuntimeError as error:
        click.echo(f"deliveries: {error}; the outbox waits", err=True)
        sys.exit(1)


@deliveries_cli.command("ready")
def ready():
    """Exit 0 when a channel is switched on and Redis answers (``make run``
    starts the worker beside the app only then)."""
    if not any_channel_on(current_app.config):
        click.echo("deliveries: no channel switched on; the outbox waits")
        sys.exit(1)
    if not transport.redis_answers():
        click.echo("deliveries: Redis (REDIS_URL) does not answer; the outbox waits")
        sys.exit(1)
    click.echo("deliveries: ready")
