"""Operator commands: ``flask --app wsgi <command>``.

``flask db upgrade`` (Flask-Migrate) applies the schema; these commands load
reference data, create agencies and users, and load the demo set.
"""
from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from coordination.accounts import administration, two_factor
from coordination.accounts.models import Role, User
from coordination.accounts.services import AccountError, create_user, find_user
from coordination.agencies.models import Agency, AgencyType
from coordination.deliveries.cli import deliveries_cli
from coordination.demo import DEMO_PASSWORD, database_is_empty, demo_usernames, load_demo
from coordination.extensions import db
from coordination.maintenance import backup, retention
from coordination.maintenance.synthetic import SeedError, seed_synthetic
from coordination.models_base import utcnow
from coordination.notifications.services import check_due
from coordination.order_checks.cli import orders_cli
from coordination.statistics.cli import statistics_cli
from coordination.territories.services import load_territories, territory_by_code
from coordination.visibility.cli import visibility_cli

territories_cli = AppGroup("territories", help="Territorial reference data.")
notifications_cli = AppGroup("notifications", help="In-app notifications.")


@notifications_cli.command("check")
def notifications_check():
    """Announce follow-ups falling due and orders expiring (run hourly by cron)."""
    agencies = db.session.scalars(sa.select(Agency).where(Agency.active.is_(True)))
    added = sum(check_due(agency) for agency in agencies)
    db.session.commit()
    click.echo(_("Notifications added: %(count)d", count=added))


@territories_cli.command("load")
def territories_load():
    """Add the classifier's regions and districts that are missing."""
    added = load_territories()
    db.session.commit()
    click.echo(_("Territories added: %(count)d", count=added))


@click.command("create-agency")
@click.option("--code", required=True, help="Short unique code, e.g. SOK-POLICE.")
@click.option("--name", required=True)
@click.option("--type", "agency_type", required=True,
              type=click.Choice([t.value for t in AgencyType]))
@click.option("--territory", "territory_code", required=True,
              help="Classifier code of the territory the agency serves.")
def create_agency(code, name, agency_type, territory_code):
    """Create an agency serving a territory."""
    territory = territory_by_code(territory_code)
    if territory is None:
        raise click.BadParameter(_("no territory with code %(code)s", code=territory_code),
                                 param_hint="--territory")
    if db.session.scalar(sa.select(Agency.id).where(Agency.code == code)) is not None:
        raise click.BadParameter(_("agency code %(code)s is taken", code=code),
                                 param_hint="--code")
    db.session.add(Agency(code=code, name=name, type=AgencyType(agency_type),
                          territory=territory))
    db.session.commit()
    click.echo(_("Agency %(code)s created.", code=code))


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--agency", "agency_code", required=True, help="The agency's code.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--language", type=click.Choice(["ky", "ru", "en"]))
@click.password_option(help="At least 10 characters; prompted for if not given.")
def create_user_command(username, full_name, agency_code, role, language, password):
    """Create a user in an agency."""
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == agency_code))
    if agency is None:
        raise click.BadParameter(_("no agency with code %(code)s", code=agency_code),
                                 param_hint="--agency")
    try:
        create_user(username, full_name, agency, Role(role), password, language)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(_("User %(username)s created.", username=username))


@click.command("reset-two-factor")
@click.argument("username")
def reset_two_factor_command(username):
    """Turn off a user's two-factor sign-in (a lost phone and lost recovery codes).

    For the administrator who cannot sign in any more; everyone else asks an
    administrator or their agency head, who reset it in the app.
    """
    user = find_user(username)
    if user is None:
        raise click.BadParameter(_("no user %(username)s", username=username),
                                 param_hint="USERNAME")
    try:
        two_factor.reset_by_operator(user)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(_("Two-factor sign-in of %(username)s is reset; they sign in with their "
                 "password and set it up again.", username=user.username))


@click.command("confirm-account")
@click.argument("username")
def confirm_account_command(username):
    """Release a held account that no agency head can confirm (the agency's
    only head, with no committee above), printing its one-time password here.

    The server's operator, not the web administrator who created or reset
    the account, hands the password over in person.
    """
    user = find_user(username)
    if user is None or not user.is_held:
        raise click.BadParameter(_("no held account %(username)s", username=username),
                                 param_hint="USERNAME")
    password = administration.confirm_by_operator(user)
    db.session.commit()
    click.echo(_("%(username)s is confirmed; one-time password: %(password)s",
                 username=user.username, password=password))


@click.command("load-demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and succeed) when the database already has data.")
@click.option("--seed", type=int, default=None, help="Random seed (default from config).")
def load_demo_command(if_empty, seed):
    """Load the demo districts, accounts and cases into an empty database."""
    if not database_is_empty():
        if if_empty:
            click.echo(_("The database already has data; demo data not loaded."))
            return
        raise click.ClickException(_("the database already has data"))
    summary = load_demo(seed if seed is not None else current_app.config["DEMO_SEED"])
    db.session.commit()
    click.echo(_("Demo data loaded. Agencies: %(agencies)d, users: %(users)d, cases: %(cases)d.",
                 agencies=summary.agencies, users=len(summary.users), cases=summary.cases))


@click.command("demo-accounts")
def demo_accounts():
    """Print the demo accounts that exist, with their password."""
    users = db.session.scalars(
        sa.select(User).where(User.username.in_(demo_usernames())).order_by(User.id)
    ).all()
    if not users:
        click.echo(_("No demo accounts in this database."))
        return
    click.echo(_("Demo accounts (password: %(password)s):", password=DEMO_PASSWORD))
    for user in users:
        click.echo(f"  {user.username:22} {user.role.value:7} {user.agency.name}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup_command(path):
    """Write a consistent copy of the database to PATH (a new file)."""
    try:
        backup.backup(db.engine, Path(path))
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("Backup written to %(path)s.", path=path))


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore_command(path):
    """Bring back the backup at PATH into an empty database (refused otherwise)."""
    db.session.remove()
    try:
        backup.restore(db.engine, Path(path))
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("Backup %(path)s restored.", path=path))


@click.command("retention")
@click.option("--years", type=click.IntRange(min=1), default=None,
              help="Years after closure (default RETENTION_YEARS).")
@click.option("--dry-run", is_flag=True, help="List the cases due; change nothing.")
def retention_command(years, dry_run):
    """Remove the personal data of cases closed more than N years ago (and of
    incoming reports closed without a case as long ago)."""
    years = years or current_app.config["RETENTION_YEARS"]
    result = retention.apply_retention(years, utcnow(), dry_run=dry_run)
    if dry_run:
        click.echo(_("Cases due for anonymization (closed more than %(years)d years ago): "
                     "%(count)d", years=years, count=len(result.case_ids)))
        click.echo(_("Incoming reports closed without a case and due: %(count)d",
                     count=len(result.report_ids)))
        return
    db.session.commit()
    click.echo(_("Cases anonymized: %(count)d", count=len(result.case_ids)))
    click.echo(_("Incoming reports closed without a case anonymized: %(count)d",
                 count=len(result.report_ids)))


@click.command("seed-synthetic")
@click.option("--cases", type=click.IntRange(min=1), required=True,
              help="How many cases to generate.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
def seed_synthetic_command(cases, seed):
    """Fill an empty, migrated database with synthetic national data."""
    # A developer tool: English, whatever the shell's language (docs/i18n.md).
    with click.progressbar(length=cases, label="Generating cases", show_eta=True,
                           show_percent=True) as bar:
        try:
            summary = seed_synthetic(cases, seed, progress=bar.update)
        except SeedError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Synthetic data loaded: {summary.cases:,} cases (seed {summary.seed}), "
               f"{summary.total_rows:,} rows in {summary.seconds:.1f} s "
               f"({summary.rows_per_second:,.0f} rows/s; {summary.cpu_seconds:.1f} s of this "
               f"process's CPU); planner statistics "
               f"{summary.analyze_seconds:.1f} s.")
    for table, count in summary.rows.items():
        click.echo(f"  {table:26} {count:>12,}")
    click.echo(f"{len(summary.usernames)} accounts, password {DEMO_PASSWORD}, e.g. "
               "ministry.analyst, admin, coordinator.sokuluk, police.sokuluk, "
               "police2.sokuluk (<role><n>.<district>).")


def init_app(app: Flask) -> None:
    app.cli.add_command(territories_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(orders_cli)
    app.cli.add_command(deliveries_cli)
    app.cli.add_command(statistics_cli)
    app.cli.add_command(visibility_cli)
    for command in (create_agency, create_user_command, load_demo_command, demo_accounts,
                    backup_command, restore_command, retention_command,
                    reset_two_factor_command, seed_synthetic_command,
                    confirm_account_command):
        app.cli.add_command(command)
