"""`flask --app wsgi demo …`"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from engage.accounts.models import User
from engage.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed
from engage.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Only seed a database that has no accounts yet.")
def seed_command(if_empty: bool) -> None:
    """Add the demo organisations and accounts (safe to run again)."""
    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("The database already has accounts; demo data not added.")
    else:
        created = seed()
        click.echo(f"Demo data: {created['organisations']} organisations, {created['accounts']} accounts and "
                   f"{created['engagements']} engagements added.")
    demo_emails = [account.email for account in DEMO_ACCOUNTS]
    if db.session.scalar(select(func.count(User.id)).where(User.email.in_(demo_emails))):
        _print_log_ins()


def _print_log_ins() -> None:
    click.echo("")
    click.echo("Demo log-ins (password for all: " + DEMO_PASSWORD + ")")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.role.label:<20} {account.email}")
    click.echo("Sign-in codes are e-mailed: in development they are printed in this terminal,")
    click.echo("and administrators can read every e-mail at /admin/outbox.")
