"""`flask --app wsgi publish …`"""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from engage.export.static_site import ExportError, export_site
from engage.publication.public_texts import scan_public
from engage.search.index import reindex_command
from engage.site.cards import cards_command
from engage.site.record_pages import record_pages_command

publish_cli = AppGroup("publish", help="The public record and open data.")
publish_cli.add_command(reindex_command)
publish_cli.add_command(record_pages_command)
publish_cli.add_command(cards_command)


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


@publish_cli.command("scan-public")
@click.option("--show-values", is_flag=True, help="Also print what was found (the personal data itself).")
def scan_public_command(show_values: bool) -> None:
    """List personal data, not accepted, in what is public now: the in-progress record of each public
    engagement and the latest published version of each completed one.

    Each finding is named by its kind and the field it is in, for the engagement's lead to remove or accept
    in the workspace; what was found is printed only with --show-values, so that the output (which may end up
    in logs) does not copy the personal data. Exits with status 1 when anything is found."""
    results = scan_public()
    base = current_app.config["BASE_URL"].rstrip("/")
    for result in results:
        engagement = result.engagement
        click.echo(f"{engagement.slug} ({result.source}), led by {engagement.lead_organisation.name}: "
                   f"{len(result.findings)} to remove or accept at {base}/workspace/{engagement.slug}/")
        for finding in result.findings:
            value = f": \u201c{finding.value}\u201d" if show_values else ""
            click.echo(f"  {finding.label} in {finding.where}{value}")
    total = sum(len(result.findings) for result in results)
    click.echo(f"{total} finding{'s' if total != 1 else ''} in {len(results)} public "
               f"engagement{'s' if len(results) != 1 else ''}.")
    if results:
        raise click.exceptions.Exit(1)
