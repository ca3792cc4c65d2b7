"""The public JSON API (BRIEF §6.2): the same records, filters and order as the public pages.

Read-only and without an account. Unknown query parameters are refused with 400, so nobody comes to rely
on sorting or filtering the service does not offer; errors are JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from engage.commitments import public as served_commitments
from engage.extensions import csrf, db
from engage.publishing import caching, openapi, queries
from engage.publishing.models import PublishedVersion
from engage.publishing.record import licence, public_record

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


PREFIX = "/api/"


def error_response(status: int, message: str) -> tuple[Response, int]:
    """An error as the API answers every error: JSON, with the status and a plain-English message."""
    return jsonify({"error": {"status": status, "message": message}}), status


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> tuple[Response, int]:
    return error_response(error.status, error.message)


@bp.errorhandler(queries.FilterError)
def _filter_error(error: queries.FilterError) -> tuple[Response, int]:
    return _api_error(ApiError(400, str(error)))


# Routing errors never reach a blueprint's error handlers, so every other address and method under the API
# is routed here, to be answered in JSON too. The API changes nothing, so there is no form to protect.
csrf.exempt(bp)


@bp.route("/<path:_anything>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/", defaults={"_anything": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def _elsewhere(_anything: str) -> tuple[Response, int] | Response:
    try:
        endpoint, _ = current_app.url_map.bind("").match(request.path, method="GET")
    except HTTPException:
        endpoint = None
    if endpoint in (None, "api._elsewhere"):
        raise ApiError(404, "Not found")
    response, status = _api_error(ApiError(405, "Only GET is offered"))
    response.headers["Allow"] = "GET, HEAD"
    return response, status


@bp.after_request
def _open_to_other_sites(response: Response) -> Response:
    # Open data: any web page may read it (there is nothing private to protect, and no cookies are used).
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _no_parameters() -> None:
    if request.args:
        raise queries.FilterError(f"Unknown filter: {', '.join(sorted(request.args.keys()))}")


def list_document(filters: queries.Filters, page: queries.Page, endpoint: str = "api.list_engagements"
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
    _no_parameters()
    found = queries.public_engagement(slug)
    record = public_record(found) if found is not None else None
    if record is None:
        raise ApiError(404, "There is no public engagement with that slug")
    # Whether each commitment is overdue is worked out now: a stored version cannot know today's date.
    shown, modified = served_commitments.as_served(record)
    return caching.conditional(jsonify(shown), last_modified=modified, max_age=caching.RECORD_MAX_AGE)


@bp.get("/engagements/<slug>/versions/<int:number>")
def engagement_version(slug: str, number: int) -> Response:
    _no_parameters()
    found = queries.public_engagement(slug)
    version = None
    if found is not None:
        version = db.session.scalars(select(PublishedVersion).where(
            PublishedVersion.engagement_id == found.id, PublishedVersion.number == number)).first()
    if version is None:
        raise ApiError(404, "There is no published version with that number")
    return caching.conditional(jsonify(version.record), last_modified=version.published_at,
                               max_age=caching.VERSION_MAX_AGE)


@bp.get("/openapi.json")
def openapi_document() -> Response:
    _no_parameters()
    return caching.conditional(jsonify(openapi.document()), last_modified=None, max_age=caching.LIST_MAX_AGE)
