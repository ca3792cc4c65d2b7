"""Requests refused before any view sees them: NUL characters anywhere people can type, and form bodies larger
than any form of the service needs.

NUL cannot be stored in PostgreSQL text at all (the driver refuses the statement), so a slug, a filter or a
form field holding one would otherwise end as an error page on one database and not the other. No page, form
or address of the service needs one, so it is refused for every route in one place: in the path, the query
string, form fields (names and values) and the names of uploaded files.

A form without a file is read whole into memory before a view can check its lengths, so its body is limited
to `MAX_FORM_MEMORY_SIZE`; only file uploads (multipart bodies) may be as large as `MAX_CONTENT_LENGTH`, and
each of their text fields is held to `MAX_FORM_MEMORY_SIZE` by Flask itself.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest

NUL = "\x00"


class NulCharacter(BadRequest):
    description = "The address or a form field holds a NUL character."


def _holds_nul(values) -> bool:
    return any(NUL in key or any(NUL in value for value in group) for key, group in values.lists())


def limit_form_bodies() -> None:
    if request.mimetype != "multipart/form-data":
        limit = current_app.config["MAX_FORM_MEMORY_SIZE"]
        if limit is not None:
            request.max_content_length = min(limit, request.max_content_length or limit)


def refuse_nul() -> None:
    if NUL in request.path or _holds_nul(request.args):
        raise NulCharacter()
    # The body is read only for a view that will read it: an address that matches no route, or not for this
    # method, is answered 404 or 405 without it, where reading it would parse (and spool) an upload for nothing.
    if request.url_rule is not None and request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if _holds_nul(request.form):
            raise NulCharacter()
        if any(NUL in (upload.filename or "") for upload in request.files.values()):
            raise NulCharacter()


def init_app(app: Flask) -> None:
    # First of all the before-request functions: before the CSRF check reads the form, and before the
    # signed-in person or anything else is looked up.
    for check in (refuse_nul, limit_form_bodies):
        app.before_request_funcs.setdefault(None, []).insert(0, check)
