"""The public site's change clock: a stamp that changes whenever anything residents can see may have changed,
and when it did. The page cache keys on the stamp; `Last-Modified` and the static export's refresh read the
time (`last_changed`), so all three agree on when the site last changed.

Every transaction that writes to a table residents' pages are built from (engagements and everything added
to them, activity, agreements, commitments, published versions, organisations, themes and areas) gives the
one `site_changes` row a new random stamp as it commits. Tables that no public page reads (people, sessions,
the audit log, mail, notifications, followers, the scheduler, webhooks, and the search documents, which are
derived from the others) are left out, so signing in or sending mail does not empty the cache. A table not
named here counts as public: a new table can make the cache miss too often, never serve a stale page.

The stamp is random rather than a counter, so it can never come back to a value a cache has already seen
(a counter could, after a restore or an emptied table).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Integer, String, Table, event, select, update
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from engage.database import UTCDateTime, insert_once, is_app_session, utcnow
from engage.extensions import db

# Read by no public page.
PRIVATE_TABLES = frozenset({
    "accepted_findings", "account_tokens", "audit_events", "follow_requests", "follow_sent_versions", "follows",
    "job_runs", "login_failures", "notification_preferences", "notifications", "outbox_messages",
    "recovery_codes", "scheduler_leases", "search_document_themes", "search_documents", "site_changes",
    "user_sessions", "users", "webhook_attempts", "webhook_deliveries", "webhook_subscriptions",
})
_CHANGED = "public_tables_changed"
_ROW_ID = 1


class SiteChange(db.Model):
    """One row: the stamp of the public site's current state, and when it last changed."""

    __tablename__ = "site_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


_READ_STAMP = select(SiteChange.stamp).where(SiteChange.id == _ROW_ID)


def current_stamp() -> str:
    """The stamp as last committed: one primary-key read on a connection of its own, outside the ORM
    session (which would cost several times the read itself on every cached page)."""
    with db.engine.connect() as connection:
        return connection.scalar(_READ_STAMP) or ""


def last_changed() -> datetime | None:
    """When anything residents can see last changed (as last committed)."""
    return db.session.scalar(select(SiteChange.changed_at).where(SiteChange.id == _ROW_ID))


def _new_stamp() -> str:
    return secrets.token_hex(16)


def mark_changed() -> None:
    """Give the site a new stamp in the current transaction (done for you when public tables are written)."""
    values = {"stamp": _new_stamp(), "changed_at": utcnow()}
    result = db.session.execute(update(SiteChange).where(SiteChange.id == _ROW_ID).values(**values))
    if result.rowcount == 0:
        # Only after the row was deleted (the migration makes it): put it back.
        insert_once(SiteChange, SiteChange.id, {"id": _ROW_ID, **values})


def _is_public(table_name: str | None) -> bool:
    return table_name is not None and table_name not in PRIVATE_TABLES


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _context) -> None:
    if session.info.get(_CHANGED):
        return
    for obj in (*session.new, *session.deleted, *session.dirty):
        table = getattr(obj, "__tablename__", None)
        if _is_public(table) and (obj not in session.dirty or session.is_modified(obj)):
            session.info[_CHANGED] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _note_statements(state: ORMExecuteState) -> None:
    # Bulk INSERT, UPDATE and DELETE statements go past the flush.
    if not (state.is_insert or state.is_update or state.is_delete) or state.session.info.get(_CHANGED):
        return
    target = getattr(state.statement, "table", None)
    if isinstance(target, Table) and _is_public(target.name):
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _stamp_before_commit(session: Session) -> None:
    if not is_app_session(session):
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.pop(_CHANGED, False):
        mark_changed()
        session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous_transaction) -> None:
    session.info.pop(_CHANGED, None)
