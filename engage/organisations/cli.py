"""`flask --app wsgi orgs …`"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from engage.extensions import db
from engage.organisations import services
from engage.organisations.models import OrganisationKind

orgs_cli = AppGroup("orgs", help="Manage organisations.")


@orgs_cli.command("create")
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice([k.value for k in OrganisationKind]), required=True)
@click.option("--description", default="")
@click.option("--website", default="")
def create(name: str, kind: str, description: str, website: str) -> None:
    """Add an organisation."""
    try:
        organisation = services.create_organisation(name=name, kind=OrganisationKind(kind),
                                                    description=description, website=website)
    except services.OrganisationError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {organisation.name} with slug {organisation.slug}.")
