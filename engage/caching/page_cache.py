"""A cache, in each web process, of whole public responses (pages, JSON, feeds, the report card), for
readers who are not signed in.

A response is kept under its URL, the date in the borough (pages that show what is overdue, or "the last
12 months", change at midnight) and the change stamp of what it shows (`caching.changes`). Any change residents
could see gives the site a new stamp as it commits, in whichever process made it, so the next request in every
process misses and builds the page afresh: a cached page is never older than the last commit. A page about one
engagement (its record, an earlier version, their JSON) keys on that engagement's stamp and the shared one
instead, so a change to another engagement leaves it kept; a page about one organisation keys, likewise, on
the stamps of the engagements it lists (`key_on_scope`); lists, searches, feeds and the report card show
many engagements and key on the site's stamp. A hit costs one or two reads of the stamps.

Only a response that is the same for everyone is kept: a 200 to a GET from a reader with no session
cookie, that neither set a cookie nor touched the session (a page with a form has a CSRF token). The
script nonce in a kept page is replaced with the new request's own on every hit, so each response still
has a nonce of its own. Conditional requests are answered from the kept validators.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, make_response, request, session
from werkzeug.datastructures import Headers
from werkzeug.http import is_resource_modified

from engage.caching.changes import current_stamp, engagement_stamp
from engage.caching.http import not_modified
from engage.clock import today
from engage.security.headers import csp_nonce

# The public views whose responses are kept. A name that no longer exists stops the app from starting.
CACHED_ENDPOINTS = (
    "pages.home",
    "public.engagements", "public.engagement", "public.version", "public.insights", "public.organisation",
    "api.list_engagements", "api.engagement", "api.engagement_version", "api.openapi_document",
    "open_data.engagements_csv_file", "open_data.feed", "open_data.sitemap", "open_data.open_data",
    "reporting.report_card_page", "reporting.report_card_csv", "reporting.report_card_json", "reporting.chart",
)
# The views among them about one engagement, named by the `slug` in their URL: they key on its stamp.
ENGAGEMENT_ENDPOINTS = frozenset({"public.engagement", "public.version", "api.engagement", "api.engagement_version"})
# (the shared stamp, the stamp of what the page shows) of a page about one thing, from the `slug` in its URL.
ScopeStamps = Callable[[str], tuple[str, str]]
_SCOPES = "page_cache_scopes"
# Set in the WSGI environ of each request a cached view answers: "hit" (served from the cache) or "miss" (built),
# so whatever serves the application (the benchmark, a log) can count hits without a header of its own.
OUTCOME_KEY = "engage.page_cache"
# Headers that belong to one response only, or that the security headers add to every response.
_NOT_KEPT = frozenset({"content-length", "set-cookie", "content-security-policy", "date"})

Key = tuple[str, date, str, str]
T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    body: bytes
    headers: Headers
    nonce: str | None
    own_policy: str | None

    @property
    def size(self) -> int:
        return len(self.body) + 64 * len(self.headers)


class ResponseStore:
    """Responses by key, least recently used first out, within a size limit; emptied when the generation of
    the stamps it keys on moves (the site's stamp for pages about many engagements, the shared stamp for pages
    about one), since nothing kept under an earlier one can be served again."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._bytes = 0
        self._stamp = ""
        self._lock = threading.Lock()

    def get(self, key: Key, generation: str) -> Entry | None:
        with self._lock:
            self._follow(generation)
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Key, entry: Entry, generation: str) -> None:
        if entry.size > self.max_bytes // 4:
            return  # one huge file would push everything else out
        with self._lock:
            self._follow(generation)
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= previous.size
            self._entries[key] = entry
            self._bytes += entry.size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _follow(self, stamp: str) -> None:
        # Everything kept under an earlier stamp can never be served again: let it go at once.
        if stamp != self._stamp:
            self._entries.clear()
            self._bytes = 0
            self._stamp = stamp


def store(about_one: bool = False) -> ResponseStore:
    """The responses about many engagements, or (`about_one`) those keyed on the stamps of one engagement or
    organisation."""
    return current_app.extensions["scoped_page_cache" if about_one else "page_cache"]


def key_on_scope(app: Flask, endpoint: str, stamps: ScopeStamps) -> None:
    """Key the responses of the cached view `endpoint` on `stamps(slug)` instead of the site's stamp: for a
    page about one thing, which a change elsewhere leaves as it is."""
    app.extensions.setdefault(_SCOPES, {})[endpoint] = stamps


def clear() -> None:
    """Forget every kept response and value in this process."""
    store().clear()
    store(about_one=True).clear()
    current_app.extensions["page_cache_values"].clear()


def _may_use_cache() -> bool:
    return (current_app.config["PAGE_CACHE_ENABLED"] and request.method in ("GET", "HEAD")
            and getattr(g, "user", None) is None
            and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies)


def _key(scope: ScopeStamps | None, slug: str | None) -> tuple[Key, str]:
    """The key of this request's response, and the generation of stamps it belongs to."""
    if scope is None or slug is None:
        stamp = generation = current_stamp()
    else:
        generation, stamp = scope(slug)
    # The query string as sent: two spellings of the same query are two entries, never a wrong answer.
    return (stamp, today(), request.path, request.query_string.decode("latin-1")), generation


def _may_keep(response: Response) -> bool:
    return (response.status_code == 200 and not response.is_streamed and "Set-Cookie" not in response.headers
            and not session.modified and not g.get("no_store", False))


def _entry(response: Response) -> Entry:
    headers = Headers([(name, value) for name, value in response.headers if name.lower() not in _NOT_KEPT])
    return Entry(body=response.get_data(), headers=headers, nonce=g.get("csp_nonce"),
                 own_policy=g.get("own_content_security_policy"))


def _replay(entry: Entry) -> Response:
    body = entry.body
    if entry.nonce:
        body = body.replace(entry.nonce.encode(), csp_nonce().encode())
    if entry.own_policy:
        g.own_content_security_policy = entry.own_policy
    response = Response(body, status=200, headers=Headers(entry.headers))
    if not is_resource_modified(request.environ, etag=response.get_etag()[0],
                                last_modified=response.last_modified):
        return not_modified(response)
    return response


def cached(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve the view's response from the cache when it may be, and keep it when it may be."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not _may_use_cache():
            return view(*args, **kwargs)
        scope = current_app.extensions[_SCOPES].get(request.endpoint)
        about_one = scope is not None
        key, generation = _key(scope, str(kwargs["slug"]) if about_one else None)
        entry = store(about_one).get(key, generation)
        if entry is not None:
            request.environ[OUTCOME_KEY] = "hit"
            return _replay(entry)
        request.environ[OUTCOME_KEY] = "miss"
        response = make_response(view(*args, **kwargs))
        if _may_keep(response):
            store(about_one).put(key, _entry(response), generation)
        return response

    return wrapped


def remembered(name: str, compute: Callable[[], T]) -> T:
    """A value worked out from public data (the choices the list filters offer, say), kept in this process
    until the site's stamp or the date changes, like a kept page; worked out afresh when the cache is off."""
    if not current_app.config["PAGE_CACHE_ENABLED"]:
        return compute()
    values: dict[str, tuple[tuple[str, date], Any]] = current_app.extensions["page_cache_values"]
    version = (current_stamp(), today())
    kept = values.get(name)
    if kept is not None and kept[0] == version:
        return kept[1]
    value = compute()
    values[name] = (version, value)
    return value


def init_app(app: Flask) -> None:
    """Wrap the public views named in CACHED_ENDPOINTS (call after the blueprints are registered)."""
    # Half the space each for pages about many engagements and pages about one: a burst of reading records
    # must not push the home page out, nor a crawl of lists the records.
    app.extensions["page_cache"] = ResponseStore(app.config["PAGE_CACHE_MAX_BYTES"] // 2)
    app.extensions["scoped_page_cache"] = ResponseStore(app.config["PAGE_CACHE_MAX_BYTES"] // 2)
    app.extensions["page_cache_values"] = {}
    scopes = app.extensions.setdefault(_SCOPES, {})
    for endpoint in ENGAGEMENT_ENDPOINTS:
        scopes.setdefault(endpoint, engagement_stamp)
    if not set(CACHED_ENDPOINTS) >= set(scopes):
        raise RuntimeError("every view keyed on a scope's stamps must be a cached view")
    for endpoint in CACHED_ENDPOINTS:
        app.view_functions[endpoint] = cached(app.view_functions[endpoint])
