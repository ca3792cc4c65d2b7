"""The public JSON API (BRIEF §6.2): the same records, filters and order as the public pages.

Read-only and without an account. Unknown query parameters are refused with 400, so nobody comes to rely
on sorting or filtering the service does not offer; errors are JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from sqlalchemy import select

from engage.caching import http as caching
from engage.clock import today
from engage.commitments import public as served_commitments
from engage.errors import API_PREFIX, error_response
from engage.extensions import csrf, db
from engage.opendata import openapi
from engage.publication.licence import licence
from engage.publication.models import PublishedVersion
from engage.publication.record import latest_public_version, public_record
from engage.search.results import Page
from engage.site import queries, record_pages

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> tuple[Response, int]:
    return error_response(error.status, error.message)


@bp.errorhandler(queries.FilterError)
def _filter_error(error: queries.FilterError) -> tuple[Response, int]:
    return _api_error(ApiError(400, str(error)))


# Errors found before any view runs (an unknown address under /api/, a method the API does not offer) are
# answered by the application's error handlers in JSON too, in these words. No route of the API takes another
# method, so Werkzeug's Allow header says only GET, HEAD and OPTIONS, as the OpenAPI document does.
# The API changes nothing, so there is no form to protect.
csrf.exempt(bp)


@bp.after_app_request
def _open_to_other_sites(response: Response) -> Response:
    # Open data: any web page may read it (there is nothing private to protect, and no cookies are used). Every
    # answer under /api/, errors found before any view runs included.
    if request.path.startswith(API_PREFIX):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def list_document(filters: queries.Filters, page: Page, endpoint: str = "api.list_engagements"
                  ) -> dict[str, Any]:
    def link(number: int) -> str:
        return url_for(endpoint, _external=True, **filters.query_args(page=number))

    return {
        "items": page.items,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "links": {"next": link(page.page + 1) if page.has_next else None,
                  "prev": link(min(page.page - 1, page.pages)) if page.has_prev else None},
        "licence": licence(),
    }


@bp.get("/engagements")
def list_engagements() -> Response:
    filters = queries.Filters.from_args(request.args)
    page = queries.list_public_engagements(filters)
    return caching.conditional(jsonify(list_document(filters, page)), max_age=caching.LIST_MAX_AGE)


@bp.get("/engagements/<slug>")
def engagement(slug: str) -> Response:
    queries.refuse_unknown(request.args)
    found = queries.public_engagement(slug)
    version = latest_public_version(found) if found is not None else None
    record = version.record if version is not None else (public_record(found) if found is not None else None)
    if record is None:
        raise ApiError(404, "There is no public engagement with that slug")
    # Whether each commitment is overdue is worked out now: a stored version cannot know today's date. A
    # published version's JSON is written once for each answer and kept (site/record_pages.py); an in-progress
    # record's is written for each reader.
    day = today()
    body = (_json(record_pages.latest_json(version, day)) if version is not None
            else jsonify(served_commitments.with_overdue(record, day)))
    return caching.conditional(body, last_modified=served_commitments.last_modified(record, day),
                               max_age=caching.RECORD_MAX_AGE)


def _json(body: str) -> Response:
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


@bp.get("/engagements/<slug>/versions/<int:number>")
def engagement_version(slug: str, number: int) -> Response:
    queries.refuse_unknown(request.args)
    found = queries.public_engagement(slug)
    version = None
    if found is not None:
        version = db.session.scalars(select(PublishedVersion).where(
            PublishedVersion.engagement_id == found.id, PublishedVersion.number == number)).first()
    if version is None:
        raise ApiError(404, "There is no published version with that number")
    return caching.conditional(_json(record_pages.version_json(version)),
                               last_modified=version.published_at, max_age=caching.VERSION_MAX_AGE)


@bp.get("/openapi.json")
def openapi_document() -> Response:
    queries.refuse_unknown(request.args)
    return caching.conditional(jsonify(openapi.document()), last_modified=None, max_age=caching.LIST_MAX_AGE)
