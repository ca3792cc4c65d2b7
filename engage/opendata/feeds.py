"""Open data files (BRIEF §6.2): the CSV of public engagements, the Atom feed of publications, the
sitemap, and the page that explains them all (a data card).

Everything here is built from the public records, as the pages and the API are: no personal data, and
nothing that is held back or still at the first step.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, current_app, render_template, request, url_for
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import defer

from engage.caching import http as caching
from engage.engagements.models import Collaborator, Engagement
from engage.extensions import db
from engage.opendata.openapi import RECORD_FIELDS, list_parameters
from engage.organisations.models import Organisation
from engage.publication.licence import LICENCE_COLUMNS, licence, licence_cells, licence_link
from engage.publication.models import PublishedCard, PublishedVersion
from engage.publication.record import IN_PROGRESS_FIELDS
from engage.publication.visibility import is_public_clause
from engage.reporting.downloads import CSV_COLUMNS as REPORT_CARD_COLUMNS
from engage.search.index import SearchDocument
from engage.site import queries
from engage.site.cards import card_of
from engage.text.spreadsheet import neutralise

bp = Blueprint("open_data", __name__)


@bp.errorhandler(queries.FilterError)
def _refused(error: queries.FilterError) -> tuple[Response, int]:
    # A file, not a page: the reason in plain text, as the report card's CSV gives it.
    return Response(str(error), mimetype="text/plain"), 400

FEED_LENGTH = 50
NOTHING_PUBLISHED_YET = datetime(2026, 1, 1, tzinfo=UTC)


def absolute(path: str) -> str:
    """The canonical address of a path on the public site (sitemaps and feeds need absolute addresses)."""
    return current_app.config["BASE_URL"] + path


def engagement_path(slug: str, version: int | None = None) -> str:
    return f"/engagements/{slug}" + (f"/versions/{version}" if version else "")


# CSV -----------------------------------------------------------------------------------------------------

# The last columns of every open-data CSV (this one and the report card's): the licence on each row.
# (column, what it holds): the CSV's header row, in order, and its data card on /open-data.
CSV_COLUMNS: list[tuple[str, str]] = [
    ("slug", "The engagement's identifier, used in its addresses."),
    ("url", "The engagement's page."),
    ("json_url", "The engagement's record in JSON."),
    ("title", "Its title."),
    ("summary", "A plain-English summary."),
    ("status", "in_progress while the work is under way, completed once the record is published."),
    ("step", "The step it is at: collaborators, frame, test, story or completed."),
    ("level", "The level of engagement: inform, consult, engage, co-design or co-produce."),
    ("version", "The published version's number (empty while in progress)."),
    ("published_at", "When that version was published (ISO 8601, UTC)."),
    ("lead_organisation", "The organisation leading the engagement."),
    ("collaborators", "Collaborating organisations, separated by semicolons."),
    ("area", "The township or neighbourhood."),
    ("themes", "Themes, separated by semicolons."),
    ("start_date", "When the work starts (ISO 8601 date)."),
    ("end_date", "When the work ends (ISO 8601 date)."),
    ("activities", "Activities logged (completed engagements)."),
    ("participants", "People who took part, counted (never named)."),
    ("volunteer_hours", "Hours given by volunteers."),
    ("in_kind_value_pence", "The value of volunteers' time, in pence."),
    ("insights", "How many insights were published."),
    ("tests", "How many tests were planned."),
    ("outputs", "How many outputs (reports, videos, toolkits and so on) were published."),
    ("budget_planned_pence", "The budget planned, in pence."),
    ("budget_spent_pence", "The money spent, in pence."),
    *LICENCE_COLUMNS,
]


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    summary = record.get("activity_summary") or {}
    budget = record.get("budget") or {}
    dates = record.get("dates") or {}
    row = {
        "slug": record["slug"],
        "url": absolute(engagement_path(record["slug"])),
        "json_url": absolute(f"/api/v1/engagements/{record['slug']}"),
        "title": record["title"],
        "summary": record["summary"],
        "status": record["status"],
        "step": record["step"],
        "level": record["level"],
        "version": record["version"],
        "published_at": record["published_at"],
        "lead_organisation": (record.get("lead_organisation") or {}).get("name"),
        "collaborators": "; ".join(c["name"] for c in record.get("collaborators") or []),
        "area": record["area"],
        "themes": "; ".join(record.get("themes") or []),
        "start_date": dates.get("start"),
        "end_date": dates.get("end"),
        "activities": summary.get("activities"),
        "participants": summary.get("participants"),
        "volunteer_hours": summary.get("volunteer_hours"),
        "in_kind_value_pence": summary.get("in_kind_value_pence"),
        "insights": len(record["insights"]) if "insights" in record else None,
        "tests": len(record["tests"]) if "tests" in record else None,
        "outputs": len(record["outputs"]) if "outputs" in record else None,
        "budget_planned_pence": budget.get("planned_pence"),
        "budget_spent_pence": budget.get("spent_pence"),
        **licence_cells(),
    }
    return {name: neutralise("" if value is None else value) for name, value in row.items()}


def engagements_csv() -> str:
    """One row per public engagement, newest first, under a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[name for name, _ in CSV_COLUMNS], lineterminator="\r\n")
    writer.writeheader()
    for record in queries.all_public_records():
        writer.writerow(csv_row(record))
    return out.getvalue()


@bp.get("/engagements.csv")
def engagements_csv_file() -> Response:
    queries.refuse_unknown(request.args)
    response = Response(engagements_csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="engagements.csv"'
    response.headers["Link"] = licence_link()
    return caching.conditional(response)


# Atom feed -----------------------------------------------------------------------------------------------

def latest_publications(limit: int = FEED_LENGTH) -> list[tuple[PublishedVersion, str, dict[str, Any]]]:
    """The latest published versions of public engagements, newest first, with each engagement's slug and
    the version's card (site/cards.py: all an entry shows of its record)."""
    # The newest versions read first, each engagement checked by its key: as a join, SQLite without statistics
    # would rather read every listed engagement and sort all their versions.
    slug = select(Engagement.slug).where(Engagement.id == PublishedVersion.engagement_id).scalar_subquery()
    rows = db.session.execute(
        select(PublishedVersion, slug, PublishedCard.card)
        .outerjoin(PublishedCard, PublishedCard.version_id == PublishedVersion.id)
        .where(exists().where(Engagement.id == PublishedVersion.engagement_id, is_public_clause()))
        .order_by(PublishedVersion.published_at.desc(), PublishedVersion.id.desc()).limit(limit)
        .options(defer(PublishedVersion.record))
    ).tuples().all()
    # Versions stored without their card are read whole, all in one query: slower, never different.
    missing = [version.id for version, _slug, card in rows if card is None]
    records = dict(db.session.execute(
        select(PublishedVersion.id, PublishedVersion.record).where(PublishedVersion.id.in_(missing))
    ).tuples().all()) if missing else {}
    return [(version, slug, card if card is not None else card_of(records[version.id]))
            for version, slug, card in rows]


def atom_feed() -> bytes:
    config = current_app.config
    terms = licence()
    feed = FeedGenerator()
    feed.id(absolute("/feed.atom"))
    feed.title(f"{config['SERVICE_NAME']}: published records")
    feed.subtitle(f"Each publication and correction of an engagement's public record in {config['BOROUGH_NAME']}.")
    feed.author({"name": config["SERVICE_NAME"]})
    feed.link(href=absolute("/feed.atom"), rel="self", type="application/atom+xml")
    feed.link(href=absolute("/engagements"), rel="alternate", type="text/html")
    feed.link(href=terms["url"], rel="license")
    feed.rights(f"{terms['name']}: {terms['url']}")
    feed.language("en-GB")
    feed.generator(config["SERVICE_NAME"], uri=absolute("/"))
    publications = latest_publications()
    # The newest entry's date, so an unchanged feed is byte for byte the same (and its ETag too).
    feed.updated(publications[0][0].published_at if publications else NOTHING_PUBLISHED_YET)
    # feedgen lists entries in the reverse of the order they are added: add the oldest first.
    for version, slug, record in reversed(publications):
        entry = feed.add_entry()
        path = engagement_path(slug, version.number)
        entry.id(absolute(path))
        what = "published" if version.number == 1 else f"version {version.number}"
        entry.title(f"{record['title']} ({what})")
        # One link only: the library writes an entry's links without their rel and type, and Atom allows
        # one alternate link for each type.
        entry.link(href=absolute(path))
        entry.published(version.published_at)
        entry.updated(version.published_at)
        entry.summary(f"{version.change_note} {record['summary']}".strip())
        lead = (record.get("lead_organisation") or {}).get("name")
        if lead:
            entry.author({"name": lead})
        for theme in record.get("themes") or []:
            entry.category(term=theme)
    return feed.atom_str(pretty=True)


@bp.get("/feed.atom")
def feed() -> Response:
    queries.refuse_unknown(request.args)
    response = Response(atom_feed(), mimetype="application/atom+xml")
    response.headers["Link"] = licence_link()
    return caching.conditional(response)


# Sitemap -------------------------------------------------------------------------------------------------

# The site's own pages, by endpoint; any not offered by this installation are left out.
STATIC_ENDPOINTS = ["pages.home", "public.engagements", "public.insights", "reporting.report_card_page",
                    "open_data.open_data", "api.openapi_document", "open_data.engagements_csv_file",
                    "open_data.feed"]


def sitemap_entries() -> list[tuple[str, datetime | None]]:
    """(path, when it last changed) for every public page."""
    engagements = db.session.execute(
        select(Engagement.slug, SearchDocument.changed_at)
        .join(SearchDocument, (SearchDocument.engagement_id == Engagement.id) & (SearchDocument.kind == "engagement"))
        .where(is_public_clause()).order_by(Engagement.slug)
    ).tuples().all()
    versions = db.session.execute(
        select(Engagement.slug, PublishedVersion.number, PublishedVersion.published_at)
        .join(Engagement, Engagement.id == PublishedVersion.engagement_id)
        .where(is_public_clause()).order_by(Engagement.slug, PublishedVersion.number)
    ).tuples().all()
    public_ids = select(Engagement.id).where(is_public_clause())
    organisations = db.session.execute(
        select(Organisation.slug, Organisation.updated_at).where(or_(
            Organisation.id.in_(select(Engagement.lead_organisation_id).where(is_public_clause())),
            Organisation.id.in_(select(Collaborator.organisation_id).where(Collaborator.engagement_id.in_(public_ids))),
        )).order_by(Organisation.slug)
    ).tuples().all()
    static = [url_for(endpoint) for endpoint in STATIC_ENDPOINTS if endpoint in current_app.view_functions]
    return ([(path, None) for path in static]
            + [(engagement_path(slug), changed) for slug, changed in engagements]
            + [(engagement_path(slug, number), at) for slug, number, at in versions]
            + [(f"/organisations/{slug}", updated) for slug, updated in organisations])


def sitemap_xml() -> bytes:
    namespace = "http://www.sitemaps.org/schemas/sitemap/0.9"
    urlset = ElementTree.Element("urlset", xmlns=namespace)
    for path, changed in sitemap_entries():
        url = ElementTree.SubElement(urlset, "url")
        ElementTree.SubElement(url, "loc").text = absolute(path)
        if changed is not None:
            ElementTree.SubElement(url, "lastmod").text = changed.replace(microsecond=0).isoformat()
    return ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True)


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    queries.refuse_unknown(request.args)
    return caching.conditional(Response(sitemap_xml(), mimetype="application/xml"))


# The data card -------------------------------------------------------------------------------------------

@bp.get("/open-data")
def open_data() -> Response:
    return caching.conditional(render_template(
        "public/open_data.html", csv_columns=CSV_COLUMNS, record_fields=RECORD_FIELDS, licence=licence(),
        in_progress_fields=set(IN_PROGRESS_FIELDS), report_card_columns=REPORT_CARD_COLUMNS,
        per_page=queries.DEFAULT_PER_PAGE,
        max_per_page=queries.MAX_PER_PAGE, filters=[(p["name"], p["description"]) for p in list_parameters()]))
