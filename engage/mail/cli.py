"""`flask --app wsgi mail …`"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from engage.mail.services import deliver_due_messages, describe, smtp_configured

mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("deliver")
def deliver() -> None:
    """Send the messages that are due, through SMTP."""
    if not smtp_configured():
        raise click.ClickException("SMTP_HOST is not set: messages stay in the outbox for administrators to read.")
    click.echo(describe(deliver_due_messages()))
