"""The benchmark's WSGI entry point: the service exactly as `wsgi:app` builds it, plus, when
BENCH_COUNT_QUERIES is set, an `X-Bench-Queries` header on every response giving the SQL statements that
request ran, and an `X-Bench-Cache` header on every response a cached view answered, saying whether the page
cache had it ("hit") or the view built it ("miss"), as the page cache records it in the WSGI environ. Only this
entry point adds the headers; the service itself is unchanged.

Statements are counted as the driver receives them (`before_cursor_execute`), per thread, from the moment
the request reaches the application until its response starts, so every query a view, a hook or a lazy
load makes is seen.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event

from bench import CACHE_HEADER, QUERY_HEADER
from engage import create_app
from engage.caching.page_cache import OUTCOME_KEY
from engage.extensions import db


class QueryCounter:
    """Counts the statements each thread sends to the database."""

    def __init__(self) -> None:
        self._local = threading.local()

    def reset(self) -> None:
        self._local.count = 0

    @property
    def count(self) -> int:
        return getattr(self._local, "count", 0)

    def before_cursor_execute(self, *_args: Any) -> None:
        self._local.count = self.count + 1


def counting_queries(wsgi_app: Callable, counter: QueryCounter) -> Callable:
    """Wrap a WSGI application so that each response carries the statements its request ran, and the page
    cache's answer when a cached view answered it."""

    def application(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        counter.reset()

        def start_with_count(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            added = [(QUERY_HEADER, str(counter.count))]
            outcome = environ.get(OUTCOME_KEY)
            if outcome:
                added.append((CACHE_HEADER, str(outcome)))
            return start_response(status, [*headers, *added], exc_info)

        return wsgi_app(environ, start_with_count)

    return application


def make_app():
    """The served application (gunicorn's `bench.wsgi:make_app()`: built when the server starts, not on import, so
    the wrapper can be imported and tested without a production configuration)."""
    app = create_app()
    if os.environ.get("BENCH_COUNT_QUERIES"):
        counter = QueryCounter()
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", counter.before_cursor_execute)
        app.wsgi_app = counting_queries(app.wsgi_app, counter)
    return app

