"""`flask --app wsgi users …`"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from engage.accounts import services
from engage.accounts.models import Role, User
from engage.extensions import db
from engage.organisations.models import Organisation

users_cli = AppGroup("users", help="Manage people's accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "org_slug", default=None, help="The organisation's slug (not needed for administrators).")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--invite", is_flag=True, help="E-mail an invitation instead of reading a password.")
def create(email: str, name: str, org_slug: str | None, role: str, invite: bool) -> None:
    """Create an account. The password is read from standard input unless --invite is given."""
    organisation = None
    if org_slug:
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
        if organisation is None:
            raise click.ClickException(f"No organisation has the slug {org_slug!r}.")
    try:
        if invite:
            inviter = db.session.scalar(select(User).where(User.role == Role.ADMIN, User.is_active).limit(1))
            if inviter is None:
                raise click.ClickException("An invitation needs an active administrator to send it; "
                                           "create the first administrator with a password.")
            user = services.invite_user(email=email, name=name, role=Role(role), organisation=organisation,
                                        actor=inviter)
        else:
            password = _read_password()
            user = services.create_user(email=email, name=name, role=Role(role), organisation=organisation,
                                        password=password)
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    suffix = " and queued an invitation." if invite else "."
    click.echo(f"Created {user.role.label.lower()} account {user.id}{suffix}")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.ClickException("Give the password on standard input, or use --invite.")
    return password
