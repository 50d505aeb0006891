"""``flask visibility rebuild`` and ``flask visibility check`` (English: an operator's tool)."""
from __future__ import annotations

import time

import click
import sqlalchemy as sa

from coordination.cases.models import Case
from coordination.extensions import db
from coordination.visibility import index
from coordination.visibility.models import CaseAccess


@click.group("visibility")
def visibility_cli():
    """The case-access rows the lists read."""


@visibility_cli.command("rebuild")
@click.option("--if-empty", is_flag=True,
              help="Only when there are cases and no access rows (make run).")
def rebuild_command(if_empty: bool):
    """Recompute who sees which case from the case records."""
    if if_empty and (db.session.scalar(sa.select(CaseAccess.case_id).limit(1)) is not None
                     or db.session.scalar(sa.select(Case.id).limit(1)) is None):
        return
    total = db.session.scalar(sa.select(sa.func.count(Case.id)))
    started = time.perf_counter()
    with click.progressbar(length=total, label="Case access") as bar:
        index.rebuild(progress=bar.update, commit=db.session.commit)
    db.session.commit()
    click.echo(f"Access rows for {total:,} cases in {time.perf_counter() - started:.1f} s.")


@visibility_cli.command("check")
def check_command():
    """Compare the rows with the policy's rule (exit 1 if they differ)."""
    differences = index.differences()
    if differences:
        raise click.ClickException(f"{differences} access rows differ from the rule; run "
                                   "`flask visibility rebuild`.")
    click.echo("The case-access rows equal the policy's rule.")
