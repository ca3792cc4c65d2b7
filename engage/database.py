"""Engine set-up that depends on the database in use."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import DateTime, TypeDecorator

from engage.extensions import db

Model = TypeVar("Model")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend.

    SQLite has no time zones, so values are stored naive in UTC and given their zone back on load.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use engage.database.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_app_session(session: Session) -> bool:
    """Whether `session` is the application's own (Flask-SQLAlchemy's) session in this app context: what the
    session hooks that keep derived rows current act on; any other session is left alone."""
    return has_app_context() and db.session.registry.has() and db.session() is session


def insert_once(model: type[Model], unique: InstrumentedAttribute | tuple[InstrumentedAttribute, ...],
                values: dict[str, Any]) -> Model | None:
    """Insert one row unless a row with the same value in the `unique` column (or the same values in a tuple of
    columns under one unique constraint) already exists (committed, or earlier in this transaction): the new
    row, loaded in the session, or None. Does not commit.

    One INSERT … ON CONFLICT DO NOTHING rather than a savepoint: the database settles a race between two
    callers (PostgreSQL makes the second wait for the first to commit, then skip), and SQLite's Python driver
    would make a savepoint opened before any other write the outer transaction, committing it on release.
    """
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return db.session.scalars(
        insert(model).values(**values).on_conflict_do_nothing(
            index_elements=list(unique) if isinstance(unique, tuple) else [unique]).returning(model)
    ).one_or_none()


# An execution option: this write changes no value (it only takes a lock), so nothing derived from the rows
# it names needs working out again.
CHANGES_NOTHING = "changes_nothing"


def lock_row(model: type[Any], row_id: int) -> None:
    """Hold the row of `model` with this id until the transaction ends, so that changes which read something
    and then write on the strength of it run one at a time for that row. Does not commit.

    PostgreSQL: SELECT … FOR UPDATE, which makes a second caller wait for the first to commit; what the second
    reads afterwards includes the first's change. SQLite locks the whole database for writing, but its Python
    driver starts a transaction only at the first write, so reads before it see whatever was last committed
    and a race could still slip between the read and the write: a write that changes nothing takes the write
    lock here and now, and every read after it sees the latest committed state. It sets each column it names to
    itself, the columns with an `onupdate` (an `updated_at`) too, which an UPDATE would otherwise set anew.
    """
    table = model.__table__
    key = table.c.id
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(key).where(key == row_id).with_for_update())
    else:
        unchanged = {column: column for column in table.columns if column.onupdate is not None}
        db.session.execute(update(table).where(key == row_id).values({key: key, **unchanged}),
                           execution_options={CHANGES_NOTHING: True})


def configure_sqlite(engine: Engine) -> None:
    """Foreign keys on and write-ahead logging for every SQLite connection."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
