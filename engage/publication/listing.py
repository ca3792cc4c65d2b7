"""The keys the public lists filter and sort on, stored on each engagement and kept right as changes are made.

Working them out in every list query (does a completed engagement have a version yet? when did it last change
in public?) meant visiting every engagement and its versions and step changes for each page of a list. They
are stored instead (`Engagement.listed`, `last_public_change_at`, `first_published_at`) and worked out again,
in the same transaction, after every flush that wrote anything belonging to an engagement
(`events.engagements_flushed`, sent by the change clock), whichever service made the change. Code that writes
rows without the session (the benchmark's bulk builder) calls `refresh_all` once it is done.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, case, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engage import events
from engage.engagements.models import Engagement, StepChange
from engage.publication.models import PublishedVersion
from engage.publication.visibility import public_condition

# Big enough to be few statements, small enough for any database's limit on bound parameters.
_BATCH = 500


def last_public_change() -> ColumnElement[datetime]:
    """When an engagement last changed in public: its latest publication, else its latest step move, else when
    it was made. Lists are newest first by this."""
    last_published = (select(func.max(PublishedVersion.published_at))
                      .where(PublishedVersion.engagement_id == Engagement.id).scalar_subquery())
    last_moved = (select(func.max(StepChange.occurred_at))
                  .where(StepChange.engagement_id == Engagement.id).scalar_subquery())
    return func.coalesce(last_published, last_moved, Engagement.created_at)


def first_published() -> ColumnElement[datetime]:
    """When the engagement's first version was published (the year filter reads it)."""
    return (select(PublishedVersion.published_at)
            .where(PublishedVersion.engagement_id == Engagement.id, PublishedVersion.number == 1)
            .scalar_subquery())


_KEYS = update(Engagement.__table__).values(
    listed=case((public_condition(), True), else_=False),
    last_public_change_at=last_public_change(),
    first_published_at=first_published(),
)


def refresh(connection: Connection, engagement_ids: Iterable[int] | None,
            session: Session | None = None) -> None:
    """Work the keys out again for these engagements (None: all of them), on `connection`; the engagements
    `session` holds are given the new values, as if loaded again."""
    if engagement_ids is None:
        connection.execute(_KEYS)
        if session is not None:
            for obj in session.identity_map.values():
                if isinstance(obj, Engagement):
                    session.expire(obj, ["listed", "last_public_change_at", "first_published_at"])
        return
    ids = sorted(engagement_ids)
    for start in range(0, len(ids), _BATCH):
        rows = connection.execute(
            _KEYS.where(Engagement.__table__.c.id.in_(ids[start:start + _BATCH]))
            .returning(Engagement.__table__.c.id, Engagement.__table__.c.listed,
                       Engagement.__table__.c.last_public_change_at, Engagement.__table__.c.first_published_at))
        for row in rows:
            held = session.identity_map.get(session.identity_key(Engagement, row.id)) if session else None
            if held is not None:
                set_committed_value(held, "listed", bool(row.listed))
                set_committed_value(held, "last_public_change_at", row.last_public_change_at)
                set_committed_value(held, "first_published_at", row.first_published_at)


def refresh_all(connection: Connection) -> None:
    """Work out every engagement's keys (after rows were written without the session)."""
    refresh(connection, None)


def _on_flush(session: Session, engagement_ids: frozenset[int] | None) -> None:
    refresh(session.connection(), engagement_ids, session)


def subscribe() -> None:
    events.engagements_flushed.connect(_on_flush, weak=False)
