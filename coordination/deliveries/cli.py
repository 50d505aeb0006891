"""``flask deliveries ...``: the worker and its checks."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from coordination.deliveries import worker
from coordination.deliveries.settings import any_channel_on

deliveries_cli = AppGroup("deliveries", help="E-mail, SMS and webhooks from the outbox.")


@deliveries_cli.command("work")
@click.option("--once", is_flag=True, help="One pass over the outbox, then exit.")
def work(once):
    """Send what the outbox holds, with retries (``make worker``)."""
    worker.run(once=once)


@deliveries_cli.command("ready")
def ready():
    """Exit 0 when a channel is switched on and Redis answers (``make run``
    starts the worker beside the app only then)."""
    if not any_channel_on(current_app.config):
        click.echo("deliveries: no channel switched on; the outbox waits")
        sys.exit(1)
    if not worker.redis_answers():
        click.echo("deliveries: Redis (REDIS_URL) does not answer; the outbox waits")
        sys.exit(1)
    click.echo("deliveries: ready")
