"""Plain error pages: a clear message, never a stack trace, and a rolled-back session."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from engage.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("There is a problem with your request", "Go back and try again."),
    403: ("You do not have permission to view this page",
          "If you think you should have access, contact your administrator."),
    404: ("Page not found", "If you typed the web address, check it is correct. "
          "If you pasted the web address, check you copied the entire address."),
    405: ("There is a problem with your request", "This page cannot be used in that way."),
    413: ("What you sent is too large", "Go back and try again with less."),
    429: ("Too many requests", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you sent has been saved."),
    503: ("Sorry, the service is unavailable", "Try again in a few minutes. Nothing you sent has been saved."),
}


def render_error(status: int, *, heading: str | None = None, body: str | None = None):
    default_heading, default_body = MESSAGES.get(status, MESSAGES[500])
    return (
        render_template("errors/error.html", status=status, heading=heading or default_heading,
                        body=body or default_body),
        status,
    )


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

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        _rollback()
        status = error.code or 500
        response, _ = render_error(status if status in MESSAGES else 400)
        headers = {}
        if status == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        return response, status, headers

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
