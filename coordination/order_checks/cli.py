"""``flask orders verify``: recompute every order's chain of check records."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from coordination.order_checks.chain import verify

orders_cli = AppGroup("orders", help="Protection orders and their checks.")


@orders_cli.command("verify")
def verify_command():
    """Find check records changed, removed or reordered in the database.

    Names each break by the order's public token and the record's place in
    its chain (nothing personal); exits with status 1 when there is one.
    """
    breaks = verify()
    for found in breaks:
        click.echo(str(found), err=True)
    if breaks:
        click.echo(_("Check records altered: %(count)d", count=len(breaks)), err=True)
        raise SystemExit(1)
    click.echo(_("Every chain of check records is intact."))
