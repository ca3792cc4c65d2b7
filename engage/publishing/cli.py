"""`flask --app wsgi publish …`"""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from engage.publishing.export import ExportError, export_site
from engage.publishing.search import reindex_command

publish_cli = AppGroup("publish", help="The public record and open data.")
publish_cli.add_command(reindex_command)


@publish_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--zip", "make_zip", is_flag=True, help="Also write the export as DIRECTORY.zip, for archiving.")
def export_command(directory: Path, make_zip: bool) -> None:
    """Write the whole public site to DIRECTORY as static files with relative links.

    DIRECTORY must be new, empty or an earlier export (which is replaced). Search, filters and signing in
    need the live service: their forms and links point at BASE_URL."""
    try:
        report = export_site(current_app._get_current_object(), directory)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Exported {len(report.files)} pages and files to {report.directory}.")
    if report.live_links:
        click.echo(f"{len(report.live_links)} links (signing in, search and filters) point to "
                   f"{current_app.config['BASE_URL']}.")
    for url, status in sorted(report.broken.items()):
        click.echo(f"Not exported: {url} answered {status}.", err=True)
    if make_zip:
        archive = shutil.make_archive(str(report.directory), "zip", root_dir=report.directory)
        click.echo(f"Archive: {archive}")
    if report.broken:
        raise click.exceptions.Exit(1)
