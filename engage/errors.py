"""Plain error pages: a clear message, never a stack trace, and a rolled-back session."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from engage.extensions import db
from engage.security.input_guard import NulCharacter
from engage.security.redirects import safe_next_path

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("There is a problem with your request", "Go back and try again."),
    403: ("You do not have permission to view this page",
          "If you think you should have access, contact your administrator."),
    404: ("Page not found", "If you typed the web address, check it is correct. "
          "If you pasted the web address, check you copied the entire address."),
    405: ("There is a problem with your request", "This page cannot be used in that way."),
    409: ("Someone else made a change a moment ago",
          "Nothing you sent has been saved, because someone else changed the same thing at the same moment. "
          "Go back to see what they changed, then try again if it is still needed."),
    413: ("What you sent is too large", "Go back and try again with less."),
    429: ("Too many requests", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you sent has been saved."),
    503: ("Sorry, the service is unavailable", "Try again in a few minutes. Nothing you sent has been saved."),
}


def render_error(status: int, *, heading: str | None = None, body: str | None = None, back: str | None = None):
    default_heading, default_body = MESSAGES.get(status, MESSAGES[500])
    return (
        render_template("errors/error.html", status=status, heading=heading or default_heading,
                        body=body or default_body, back=back),
        status,
    )


NUL_MESSAGE = ("The web address or something typed in the form holds a character the service cannot accept (a NUL "
               "character). Go back, remove it and try again.")


# Everything under this prefix is the JSON API, whose errors are JSON too (engage/opendata/api.py).
API_PREFIX = "/api/"
API_ROUTING_MESSAGES = {404: "Not found", 405: "Only GET is offered"}


def error_response(status: int, message: str) -> tuple[Response, int]:
    """An error as the API answers every error: JSON, with the status and a plain-English message."""
    return jsonify({"error": {"status": status, "message": message}}), status


def _for_the_api() -> bool:
    return request.path.startswith(API_PREFIX)


def _api_error(status: int, message: str | None = None):
    return error_response(status, message or API_ROUTING_MESSAGES.get(status) or MESSAGES.get(status, MESSAGES[400])[0])


def _way_back() -> str:
    """The page the person came from, if it is on this site; else this address, if it can be shown; else home."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        path = safe_next_path(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
        if path:
            return path
    if request.url_rule is not None and "GET" in (request.url_rule.methods or ()):
        return request.full_path.rstrip("?")
    return url_for("pages.home")


# What each database calls a row refused because one with the same unique values (or primary key) exists: the
# standard's SQLSTATE (PostgreSQL), and SQLite's extended result codes, which its Python driver names.
_UNIQUE_VIOLATION = "23505"
_SQLITE_DUPLICATES = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


def _is_duplicate(error: IntegrityError) -> bool:
    """Whether the database refused a row because one with the same unique values exists: what two requests
    racing to add the same thing end in. Any other integrity error is a fault, not a race. Read from the error's
    code rather than its wording, which is meant for people."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:  # PostgreSQL
        return sqlstate == _UNIQUE_VIOLATION
    return getattr(error.orig, "sqlite_errorname", None) in _SQLITE_DUPLICATES


def _rollback() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        log.warning("rollback failed after an error", exc_info=True)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        _rollback()
        return render_error(400, heading="Your form has expired or could not be checked",
                            body="Go back, reload the page and try again. This protects you from forged requests.")

    @app.errorhandler(NulCharacter)
    def nul_character(error: NulCharacter):
        _rollback()
        return _api_error(400, NUL_MESSAGE) if _for_the_api() else render_error(400, body=NUL_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        _rollback()
        status = error.code or 500
        if _for_the_api():
            response, _ = _api_error(status)
        else:
            response, _ = render_error(status if status in MESSAGES else 400)
        headers = {}
        if status == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        return response, status, headers

    # The losers of a race: an update of a row that someone else changed between reading and writing it (the
    # version columns SQLAlchemy checks), or an insert of a row someone else inserted a moment before. One
    # home for them all, so no view needs to catch them to avoid an error page.
    @app.errorhandler(StaleDataError)
    def changed_meanwhile(error: StaleDataError):
        _rollback()
        log.info("a change lost a race with another: %s", error)
        return render_error(409, back=_way_back())

    @app.errorhandler(IntegrityError)
    def duplicate(error: IntegrityError):
        if not _is_duplicate(error):
            return unexpected_error(error)
        _rollback()
        log.info("an insert lost a race with another: %s", type(error.orig).__name__)
        return render_error(409, back=_way_back())

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        _rollback()
        log.error("database unavailable: %s", type(error.orig).__name__ if error.orig else "unknown")
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        _rollback()
        log.exception("unhandled error")
        return render_error(500)
