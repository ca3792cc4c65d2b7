"""The public site's change clock: stamps that change whenever anything residents can see may have changed,
and when it did. The page cache keys on the stamps; `Last-Modified` and the static export's refresh read the
time (`last_changed`), so all three agree on when the site last changed.

Every transaction that writes to a table residents' pages are built from (engagements and everything added
to them, activity, agreements, commitments, published versions, organisations, themes and areas) gives the
site a new random stamp as it commits. Tables that no public page reads (people, sessions, the audit log,
mail, notifications, followers, the scheduler, webhooks, and derived rows such as the search documents) are
left out, so signing in or sending mail does not empty the cache. A table not named here counts as public: a
new table can make the cache miss too often, never serve a stale page.

Finer than that, each change is traced to the engagements it belongs to (a row's `engagement_id`, or its
parent's: an insight's activity, a milestone's agreement), and those engagements get a stamp of their own
(`engagement_changes`), so the pages about one engagement outlive a change to another. A change that cannot
be traced to engagements (an organisation renamed, a theme added, a bulk statement) moves the shared stamp,
which every page about an engagement also keys on. After each flush the engagements it touched are announced
(`events.engagements_flushed`), so the keys stored on them for the lists are worked out again at once.

The stamps are random rather than counters, so they can never come back to a value a cache has already seen
(a counter could, after a restore or an emptied table).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, String, Table, column, event, inspect, select, table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from engage import events
from engage.database import CHANGES_NOTHING, UTCDateTime, insert_once, is_app_session, utcnow
from engage.extensions import db

# Read by no public page.
PRIVATE_TABLES = frozenset({
    "accepted_findings", "account_tokens", "audit_events", "engagement_changes", "follow_requests",
    "follow_sent_versions", "follows", "job_runs", "login_failures", "notification_preferences", "notifications",
    "outbox_messages", "recovery_codes", "scheduler_leases", "search_document_themes", "search_documents",
    "site_changes", "stored_record_pages", "user_sessions", "users", "webhook_attempts", "webhook_deliveries",
    "webhook_subscriptions",
})
ENGAGEMENTS = "engagements"
_CHANGED = "public_tables_changed"
_SHARED = "shared_rows_changed"
_TOUCHED = "engagements_changed"
_ROW_ID = 1


class SiteChange(db.Model):
    """One row: the stamp of the public site's current state, and when it last changed; and the stamp of
    what pages about any engagement may show (organisations, vocabularies) that no one engagement owns."""

    __tablename__ = "site_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))
    shared_stamp: Mapped[str] = mapped_column(String(32), default="", server_default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EngagementChange(db.Model):
    """The stamp of everything residents can see about one engagement. No row: unchanged since this table
    was made."""

    __tablename__ = "engagement_changes"

    engagement_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))


_READ_STAMP = select(SiteChange.stamp).where(SiteChange.id == _ROW_ID)


def current_stamp() -> str:
    """The stamp as last committed: one primary-key read on a connection of its own, outside the ORM
    session (which would cost several times the read itself on every cached page)."""
    with db.engine.connect() as connection:
        return connection.scalar(_READ_STAMP) or ""


_ENGAGEMENTS = table(ENGAGEMENTS, column("id"), column("slug"))


def engagement_stamp(slug: str) -> tuple[str, str]:
    """The stamps of what a page about the engagement with this slug shows, as last committed, in one read:
    the shared stamp, and the shared stamp with the engagement's own."""
    engagement_id = select(_ENGAGEMENTS.c.id).where(_ENGAGEMENTS.c.slug == slug).scalar_subquery()
    own = select(EngagementChange.stamp).where(EngagementChange.engagement_id == engagement_id).scalar_subquery()
    with db.engine.connect() as connection:
        row = connection.execute(select(SiteChange.shared_stamp, own).where(SiteChange.id == _ROW_ID)).first()
    shared, stamp = (row[0], row[1]) if row is not None else ("", None)
    return shared, f"{shared}:{stamp or ''}"


def engagements_stamp(engagement_ids: Select) -> tuple[str, str]:
    """The stamps of what a page showing some engagements shows, as last committed: the shared stamp, and the
    shared stamp with a digest of the engagements `engagement_ids` selects and each one's own stamp (so one
    joining, leaving or changing gives a new one)."""
    own = (select(_ENGAGEMENTS.c.id, EngagementChange.stamp)
           .select_from(_ENGAGEMENTS.outerjoin(EngagementChange, EngagementChange.engagement_id == _ENGAGEMENTS.c.id))
           .where(_ENGAGEMENTS.c.id.in_(engagement_ids)).order_by(_ENGAGEMENTS.c.id))
    with db.engine.connect() as connection:
        shared = connection.scalar(select(SiteChange.shared_stamp).where(SiteChange.id == _ROW_ID)) or ""
        digest = hashlib.blake2b(digest_size=16)
        for engagement_id, stamp in connection.execute(own):
            digest.update(f"{engagement_id}:{stamp or ''};".encode())
    return shared, f"{shared}:{digest.hexdigest()}"


def last_changed() -> datetime | None:
    """When anything residents can see last changed (as last committed)."""
    return db.session.scalar(select(SiteChange.changed_at).where(SiteChange.id == _ROW_ID))


def _new_stamp() -> str:
    return secrets.token_hex(16)


def mark_changed(*, shared: bool = True, engagement_ids: set[int] | frozenset[int] = frozenset()) -> None:
    """Give the site a new stamp in the current transaction (done for you when public tables are written):
    the shared stamp too if `shared`, and each engagement in `engagement_ids` its own."""
    stamp = _new_stamp()
    values: dict[str, Any] = {"stamp": stamp, "changed_at": utcnow()}
    if shared:
        values["shared_stamp"] = stamp
    result = db.session.execute(update(SiteChange).where(SiteChange.id == _ROW_ID).values(**values))
    if result.rowcount == 0:
        # Only after the row was deleted (the migration makes it): put it back.
        insert_once(SiteChange, SiteChange.id, {"id": _ROW_ID, "shared_stamp": stamp, **values})
    if engagement_ids:
        insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = insert(EngagementChange).values([{"engagement_id": i, "stamp": stamp}
                                                     for i in sorted(engagement_ids)])
        db.session.execute(statement.on_conflict_do_update(index_elements=[EngagementChange.engagement_id],
                                                           set_={"stamp": statement.excluded.stamp}))


def _is_public(table_name: str | None) -> bool:
    return table_name is not None and table_name not in PRIVATE_TABLES


def _owners(table: Table) -> list[tuple[str, Table]]:
    """The columns of `table` that name a row of a table with an engagement (an insight's activity): its
    owners, when it has no `engagement_id` of its own."""
    return [(fk.parent.key, fk.column.table) for fk in table.foreign_keys
            if isinstance(fk.column.table, Table) and "engagement_id" in fk.column.table.c]


class _Tracer:
    """Traces the rows one flush wrote to the engagements they belong to."""

    def __init__(self) -> None:
        self.engagements: set[int] = set()
        self.shared = False
        self._owned_by: dict[Table, set[Any]] = defaultdict(set)

    def add(self, obj: Any) -> None:
        table = inspect(obj).mapper.local_table
        if not isinstance(table, Table):
            self.shared = True
        elif table.name == ENGAGEMENTS:
            self._add_id(obj.id)
        elif "engagement_id" in table.c:
            self._add_id(getattr(obj, "engagement_id", None))
        else:
            mapper = inspect(obj).mapper
            owners = _owners(table)
            found = False
            for column_key, owner in owners:
                value = getattr(obj, mapper.get_property_by_column(table.c[column_key]).key, None)
                if value is not None:
                    self._owned_by[owner].add(value)
                    found = True
            self.shared = self.shared or not found

    def _add_id(self, value: int | None) -> None:
        if value is None:
            self.shared = True
        else:
            self.engagements.add(value)

    def resolve(self, session: Session) -> None:
        """Find the engagements of the owners named (one query for each owning table)."""
        connection = session.connection()
        for owner, ids in self._owned_by.items():
            found = dict(connection.execute(select(owner.c.id, owner.c.engagement_id)
                                            .where(owner.c.id.in_(sorted(ids)))).tuples().all())
            self.engagements.update(value for value in found.values() if value is not None)
            # An owner already gone (deleted by the database's cascade) cannot be traced.
            self.shared = self.shared or len(found) < len(ids) or None in found.values()


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _context) -> None:
    tracer = _Tracer()
    written = False
    for obj in (*session.new, *session.deleted, *session.dirty):
        table = getattr(obj, "__tablename__", None)
        if _is_public(table) and (obj not in session.dirty or session.is_modified(obj)):
            written = True
            tracer.add(obj)
    if not written:
        return
    tracer.resolve(session)
    session.info[_CHANGED] = True
    session.info[_SHARED] = session.info.get(_SHARED, False) or tracer.shared
    session.info.setdefault(_TOUCHED, set()).update(tracer.engagements)
    if tracer.engagements:
        events.engagements_flushed.send(session, engagement_ids=frozenset(tracer.engagements))


@event.listens_for(Session, "do_orm_execute")
def _note_statements(state: ORMExecuteState) -> Any:
    # Bulk INSERT, UPDATE and DELETE statements go past the flush, and past tracing: they count as shared.
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    target = getattr(state.statement, "table", None)
    if not isinstance(target, Table) or not _is_public(target.name) or state.execution_options.get(CHANGES_NOTHING):
        return None
    state.session.info[_CHANGED] = True
    state.session.info[_SHARED] = True
    if target.name != ENGAGEMENTS and "engagement_id" not in target.c and not _owners(target):
        return None
    # Rows of unknown engagements changed: once the statement has run, every engagement's keys are worked out.
    result = state.invoke_statement()
    events.engagements_flushed.send(state.session, engagement_ids=None)
    return result


@event.listens_for(Session, "before_commit")
def _stamp_before_commit(session: Session) -> None:
    if not is_app_session(session):
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.pop(_CHANGED, False):
        mark_changed(shared=session.info.pop(_SHARED, False), engagement_ids=session.info.pop(_TOUCHED, set()))
        session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous_transaction) -> None:
    for name in (_CHANGED, _SHARED, _TOUCHED):
        session.info.pop(name, None)
