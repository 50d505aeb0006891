"""``flask statistics rebuild`` and ``flask statistics check``.

A developer and operator tool: its messages are in English (docs/i18n.md).
"""
from __future__ import annotations

import time

import click
import sqlalchemy as sa

from coordination.cases.models import Case
from coordination.extensions import db
from coordination.statistics import layer
from coordination.statistics.models import StatisticalRecord


@click.group("statistics")
def statistics_cli():
    """The statistics layer the reports read."""


@statistics_cli.command("rebuild")
@click.option("--if-empty", is_flag=True,
              help="Only when the layer is empty and cases exist (make run).")
def rebuild_command(if_empty: bool):
    """Recompute every statistical record from the case records, keeping their keys."""
    if if_empty and (db.session.scalar(sa.select(StatisticalRecord.id).limit(1)) is not None
                     or db.session.scalar(sa.select(Case.id).limit(1)) is None):
        return
    total = db.session.scalar(sa.select(sa.func.count(Case.id)))
    started = time.perf_counter()
    with click.progressbar(length=total, label="Statistical records") as bar:
        written = layer.rebuild(progress=bar.update, commit=db.session.commit)
    db.session.commit()
    click.echo(f"{written:,} statistical records for {total:,} cases in "
               f"{time.perf_counter() - started:.1f} s.")


@statistics_cli.command("check")
def check_command():
    """Compare the layer with a recount from the case records (exit 1 if they differ)."""
    differences = layer.differences()
    if differences:
        raise click.ClickException(f"{differences} statistical records differ from a recount; "
                                   "run `flask statistics rebuild`.")
    click.echo("The statistics layer equals a recount from the case records.")
