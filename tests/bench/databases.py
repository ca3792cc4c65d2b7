"""The benchmark's own small database for its tests: a SQLite file, or a schema of its own in the suite's
PostgreSQL database, never the suite's tables."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from bench.build import Scale

SCALE = Scale(engagements=40, seed=7)


@contextlib.contextmanager
def bench_database(shared_url: str, directory) -> Iterator[str]:
    """A database for the benchmark beside the suite's: a SQLite file, or a schema named for the benchmark
    in the suite's PostgreSQL database (the builder wipes only a schema with "bench" in its name)."""
    if shared_url.startswith("sqlite"):
        yield f"sqlite:///{directory / 'bench.sqlite3'}"
        return
    schema = f"bench_{secrets.token_hex(6)}"
    try:
        yield make_url(shared_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        owner = create_engine(shared_url, poolclass=NullPool)
        with owner.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        owner.dispose()
