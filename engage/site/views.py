"""The public site (BRIEF §6.2): the pages a resident reads without an account.

Every page shows the public record as `record.public_record` gives it (the stored snapshot of a completed
engagement, or the live in-progress view), so what a page shows is what the open data says. Lists come
from `queries`, shared with the JSON API, so the page and the API filter and count alike.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, abort, render_template, request, send_file, url_for
from flask.blueprints import BlueprintSetupState
from sqlalchemy import func, or_, select
from werkzeug.datastructures import MultiDict

from engage.caching import http as caching
from engage.caching import page_cache
from engage.clock import LONDON, today
from engage.commitments import public as served_commitments
from engage.engagements import files
from engage.engagements.models import Collaborator, Engagement, Lens, Level, Step, StoryOutput
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.publication import record as records
from engage.publication.models import PublishedVersion
from engage.publication.visibility import is_public_clause
from engage.site import queries, record_pages
from engage.site.labels import LENS_LABELS, LEVEL_LABELS, OUTPUT_KIND_LABELS, ROLE_LABELS, STATUS_LABELS, STEP_LABELS
from engage.site.titles import insights_title
from engage.templating import format_date
from engage.vocabularies.services import active_areas, active_themes

bp = Blueprint("public", __name__)

# How many records the home page shows in each of its lists.


def _parse(value: str | None) -> datetime | date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return None


def iso_date(value: str | None) -> str:
    """'2026-03-01T10:00:00+00:00' or '2026-03-01' → '1 March 2026' (in London)."""
    parsed = _parse(value)
    if isinstance(parsed, datetime):
        return format_date(parsed.astimezone(LONDON).date())
    return format_date(parsed)


def web_link(url: str | None) -> str | None:
    """The address if it is safe to link to from a public page (a web address, or a path on this site);
    None for anything else, such as a `javascript:` address, which is then shown as text only."""
    url = (url or "").strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


@bp.app_template_filter("public_date")
def _public_date(value: str | None) -> str:
    return iso_date(value)


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    # Globals rather than a context processor, so the macros the public pages import can use them too.
    state.app.jinja_env.globals.update(
        step_labels=STEP_LABELS, level_labels=LEVEL_LABELS, lens_labels=LENS_LABELS,
        output_kind_labels=OUTPUT_KIND_LABELS, status_labels=STATUS_LABELS, role_labels=ROLE_LABELS,
        step_number=_step_number, web_link=web_link)
    # An organisation's page lists only its own engagements: a change to others leaves it kept.
    page_cache.key_on_scope(state.app, "public.organisation", queries.organisation_stamps)


def _step_number(value: str) -> int:
    return Step(value).number


# Loading ---------------------------------------------------------------------------------------------

def _public_engagement(slug: str) -> Engagement:
    """The engagement if residents may see it; otherwise it does not exist, as far as they can tell."""
    engagement = queries.public_engagement(slug)
    if engagement is None:
        abort(404)
    return engagement


# Pages -----------------------------------------------------------------------------------------------

@bp.route("/engagements/<slug>")
def engagement(slug: str):
    found = _public_engagement(slug)
    version = records.latest_public_version(found)
    public = version.record if version is not None else records.public_record(found)
    if public is None:
        abort(404)
    # Whether each commitment is overdue is worked out now: a stored version cannot know today's date. A
    # published version's body is built once for each answer and kept (record_pages); an in-progress record's
    # is built for each reader.
    day = today()
    body = (record_pages.latest_body(version, day) if version is not None
            else record_pages.render_body(public, public, earlier=False))
    return caching.conditional(render_template("public/engagement.html", record=public, earlier=False, body=body),
                               last_modified=served_commitments.last_modified(public, day),
                               max_age=caching.RECORD_MAX_AGE)


@bp.route("/engagements/<slug>/versions/<int:number>")
# Not cached as immutable: the page also lists the versions published after it and links to the latest.
@caching.public_cache(max_age=caching.RECORD_MAX_AGE)
def version(slug: str, number: int):
    found = _public_engagement(slug)
    if found.current_step is not Step.COMPLETED:
        abort(404)
    chosen = db.session.scalars(select(PublishedVersion).where(PublishedVersion.engagement_id == found.id,
                                                               PublishedVersion.number == number)).first()
    if chosen is None:
        abort(404)
    latest_number = db.session.scalar(select(func.max(PublishedVersion.number))
                                      .where(PublishedVersion.engagement_id == found.id))

    def latest() -> dict[str, Any]:
        newest = records.latest_version(found.id)
        return newest.record if newest is not None else chosen.record

    body = record_pages.version_body(chosen, latest_number, latest)
    return render_template("public/engagement.html", record=chosen.record, earlier=chosen.number < latest_number,
                           body=body)


def _published_output_ids(engagement_id: int, slug: str) -> set[int]:
    """The uploaded outputs some published version of the record links to: only those are public."""
    prefix = f"/engagements/{slug}/outputs/"
    ids: set[int] = set()
    for snapshot in db.session.scalars(select(PublishedVersion.record)
                                       .where(PublishedVersion.engagement_id == engagement_id)):
        for output in snapshot.get("outputs") or []:
            url = output.get("url") or ""
            if url.startswith(prefix) and url.removeprefix(prefix).isdigit():
                ids.add(int(url.removeprefix(prefix)))
    return ids


@bp.route("/engagements/<slug>/outputs/<int:output_id>")
def output_file(slug: str, output_id: int):
    found = _public_engagement(slug)
    if found.current_step is not Step.COMPLETED or output_id not in _published_output_ids(found.id, found.slug):
        abort(404)
    output = db.session.get(StoryOutput, output_id)
    if output is None or output.engagement_id != found.id or not output.stored_name:
        abort(404)
    path = files.path_of(output.stored_name)
    if not path.is_file():
        abort(404)
    # Always a download, never shown in the browser: a file cannot run as a page of this site.
    response = send_file(path, mimetype=output.content_type or "application/octet-stream", as_attachment=True,
                         download_name=output.original_filename or path.name,
                         max_age=caching.LIST_MAX_AGE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/organisations/<slug>")
@caching.public_cache()
def organisation(slug: str):
    found = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if found is None:
        abort(404)
    try:
        filters = queries.Filters.from_args(MultiDict({"page": request.args.get("page", "1")}))
    except queries.FilterError:
        abort(400)
    filters.organisation = found.slug
    listed = queries.list_public_cards(filters)
    return render_template("public/organisation.html", organisation=found, page=listed,
                           pagination=pagination(listed.page, listed.pages, "public.organisation", slug=slug))


def _page_url(endpoint: str, number: int, **values: Any) -> str:
    """The same list with the same filters, on another page."""
    args = MultiDict(request.args)
    args.setlist("page", [str(number)])
    if number == 1:
        args.poplist("page")
    query = [(key, value) for key, value in args.items(multi=True) if value != ""]
    return url_for(endpoint, **values) + ("?" + urlencode(query) if query else "")


def pagination(current: int, pages: int, endpoint: str, **values: Any) -> dict[str, Any] | None:
    """Parameters for the GOV.UK pagination component: the first, last and neighbouring pages, with
    ellipses between."""
    if pages <= 1:
        return None
    shown = sorted({1, pages, current - 1, current, current + 1} & set(range(1, pages + 1)))
    items: list[dict[str, Any]] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": _page_url(endpoint, number, **values), "current": number == current})
        previous = number
    params: dict[str, Any] = {"items": items, "landmarkLabel": "Pages of results"}
    if current > 1:
        params["previous"] = {"href": _page_url(endpoint, current - 1, **values)}
    if current < pages:
        params["next"] = {"href": _page_url(endpoint, current + 1, **values)}
    return params


@bp.route("/engagements")
@caching.public_cache()
def engagements():
    try:
        filters = queries.Filters.from_args(request.args)
    except queries.FilterError as error:
        return render_template("public/engagements.html", page=None, filters=queries.Filters(),
                               options=_filter_options(), pagination=None,
                               page_errors=[{"text": str(error), "href": "#filters"}]), 400
    found = queries.list_public_cards(filters)
    return render_template("public/engagements.html", page=found, filters=filters, options=_filter_options(),
                           pagination=pagination(found.page, found.pages, "public.engagements"))


@bp.route("/insights")
@caching.public_cache()
def insights():
    try:
        filters = queries.InsightFilters.from_args(request.args)
    except queries.FilterError as error:
        return render_template("public/insights.html", page=None, filters=queries.InsightFilters(),
                               options=_filter_options(), pagination=None,
                               page_errors=[{"text": str(error), "href": "#filters"}]), 400
    found = queries.search_insights(q=filters.q, theme=filters.theme, lens=filters.lens, area=filters.area,
                                    blocker=filters.blocker, page=filters.page, per_page=filters.per_page)
    options = _filter_options()
    return render_template("public/insights.html", page=found, filters=filters, options=options,
                           title=insights_title(filters, options, found),
                           pagination=pagination(found.page, found.pages, "public.insights"))


def _years() -> list[int]:
    """The years the year filter offers: from the earliest start or publication to this year."""
    earliest = [value for value in (
        db.session.scalar(select(func.min(Engagement.start_date))),
        db.session.scalar(select(func.min(PublishedVersion.published_at))),
    ) if value is not None]
    this_year = today().year
    first = min([this_year, *(value.year for value in earliest)])
    return list(range(this_year, first - 1, -1))


def _takes_part_in_public_engagement():
    public = select(Engagement.id).where(is_public_clause())
    return or_(Organisation.id.in_(public.with_only_columns(Engagement.lead_organisation_id)),
               Organisation.id.in_(select(Collaborator.organisation_id)
                                   .where(Collaborator.engagement_id.in_(public))))


def _filter_options() -> dict[str, list[tuple[str, str]]]:
    """The choices each filter offers, as (value, label); the same for every list page until the public
    site changes, so kept between requests."""
    return page_cache.remembered("filter_options", _work_out_filter_options)


def _work_out_filter_options() -> dict[str, list[tuple[str, str]]]:
    return {
        "status": [("in_progress", "In progress"), ("completed", "Completed")],
        "step": [(step, STEP_LABELS[step]) for step in queries.PUBLIC_STEPS],
        "level": [(level.value, level.label) for level in Level],
        "theme": [(theme.slug, theme.name) for theme in active_themes()],
        "area": [(area.slug, area.label) for area in active_areas()],
        "organisation": [(slug, name) for slug, name in db.session.execute(
            select(Organisation.slug, Organisation.name).where(_takes_part_in_public_engagement())
            .order_by(Organisation.name))],
        "year": [(str(year), str(year)) for year in _years()],
        "lens": [(lens.value, lens.label) for lens in Lens],
        "blocker": [("yes", "System blockers only"), ("no", "Not system blockers")],
    }
