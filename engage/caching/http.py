"""HTTP caching for the public site and open data: validators (`ETag`, `Last-Modified`), answers of
304 Not Modified to conditional requests, and `Cache-Control`.

The `ETag` is a digest of the body itself, so it is right whatever changed (a record, an organisation, a
template); the page's per-request script nonce is left out of the digest, or no two HTML responses would
ever match. `Last-Modified` is when anything residents can see last changed (`changes.last_changed`),
or a published version's own date for that immutable version; it is left out in the second after a
change, which a whole-second date cannot tell apart. A request carrying `If-None-Match` is judged on it
alone, as HTTP requires.

Use `conditional(response)` on a finished response, or the `public_cache()` decorator on a view.
Responses to signed-in people are still marked `no-store` by the security headers.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from flask import Response, g, make_response, request
from werkzeug.http import is_resource_modified

from engage.caching.changes import last_changed
from engage.database import utcnow

# Lists, pages and files that change when a record does: a few minutes.
LIST_MAX_AGE = 300
# One engagement's latest record: the same; a correction should show soon.
RECORD_MAX_AGE = 300
# A numbered published version never changes.
VERSION_MAX_AGE = 86_400

View = TypeVar("View", bound=Callable[..., Any])


def _now() -> datetime:
    return utcnow()


def _digest(body: bytes) -> str:
    nonce = g.get("csp_nonce")
    if nonce:
        body = body.replace(nonce.encode(), b"")
    return hashlib.sha256(body).hexdigest()[:40]


def conditional(response: Any, *, last_modified: datetime | Literal["site"] | None = "site",
                max_age: int = LIST_MAX_AGE) -> Response:
    """Give a successful public response its validators and `Cache-Control`, and answer a conditional
    request that already has this body with 304 Not Modified. `last_modified` is by default ("site") the
    last change anywhere on the public site; give a version's publication time for an immutable version,
    or None for no `Last-Modified` (the ETag alone)."""
    response = make_response(response)
    if response.status_code != 200 or request.method not in ("GET", "HEAD"):
        return response
    if last_modified == "site":
        last_modified = last_changed()
    if last_modified is not None and _now() - last_modified < timedelta(seconds=1):
        # HTTP dates count whole seconds: a date in the second just gone could not tell this body from one
        # changed later in the same second, so it is not given (the ETag still is).
        last_modified = None
    etag = _digest(response.get_data())
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified.replace(microsecond=0)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if not is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        return not_modified(response)
    return response


def not_modified(response: Response) -> Response:
    # RFC 9110 §15.4.5: the validators and caching headers the 200 would have had, and no body.
    not_modified = Response(status=304)
    for name in ("ETag", "Last-Modified", "Cache-Control", "Vary", "Expires"):
        if name in response.headers:
            not_modified.headers[name] = response.headers[name]
    return not_modified


def public_cache(*, max_age: int = LIST_MAX_AGE,
                 last_modified: Callable[..., datetime | None] | None = None) -> Callable[[View], View]:
    """Decorate a public view: its response gets validators and `Cache-Control`, or becomes a 304.
    `last_modified`, if given, is called with the view's arguments."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Response:
            response = view(*args, **kwargs)
            if last_modified is None:
                return conditional(response, max_age=max_age)
            return conditional(response, max_age=max_age, last_modified=last_modified(*args, **kwargs))

        return wrapped  # type: ignore[return-value]

    return decorate
