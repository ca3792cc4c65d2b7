"""Counting the SQL a piece of code sends, as the database driver receives it, so lazy loads and per-item
queries are all seen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from engage.extensions import db


@contextmanager
def queries_run() -> Iterator[list[str]]:
    """The statements run inside the block, in order."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
