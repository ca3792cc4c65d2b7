"""What the public record shows of commitments at the moment it is served.

A published version is stored once and never changes, so it cannot know today's date: whether a commitment
is overdue (not closed, and due before today in the UK) is worked out when the latest record is served, on
the page and in the JSON, as `overdue`. Numbered versions are served exactly as they were published.

That makes the served body change at midnight with no new version, so `Last-Modified` must move too, or a
client asking `If-Modified-Since` would be told nothing changed: `last_modified()` gives the later of the
site's last change and the start of the UK day on which a commitment last became overdue. The `ETag` is a
digest of the body, so it follows by itself.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from engage.caching.changes import last_changed
from engage.clock import LONDON
from engage.commitments.models import CommitmentStatus


def _overdue_since(commitment: dict[str, Any], today: date) -> date | None:
    """The first day the commitment counted as overdue, if it is overdue today."""
    if CommitmentStatus(commitment["status"]).is_closed:
        return None
    due = date.fromisoformat(commitment["due_date"])
    return due + timedelta(days=1) if due < today else None


def overdue_on(record: dict[str, Any], today: date) -> list[bool]:
    """Whether each of the record's commitments is overdue today, in the record's order."""
    return [_overdue_since(commitment, today) is not None for commitment in record.get("commitments") or []]


def with_overdue(record: dict[str, Any], today: date) -> dict[str, Any]:
    """A copy of the record in which each commitment says whether it is overdue today. A record without
    commitments (in progress, or published before there were any) is returned as it is."""
    if not record.get("commitments"):
        return record
    shown = copy.deepcopy(record)  # the stored version must not change, even in memory
    for commitment, overdue in zip(shown["commitments"], overdue_on(record, today), strict=True):
        commitment["overdue"] = overdue
    return shown


def became_overdue_at(record: dict[str, Any], today: date) -> datetime | None:
    """When (UTC) the latest of the record's overdue commitments turned overdue: UK midnight of that day."""
    days = [day for c in record.get("commitments") or [] if (day := _overdue_since(c, today)) is not None]
    if not days:
        return None
    return datetime.combine(max(days), time(0), tzinfo=LONDON).astimezone(UTC)


def last_modified(record: dict[str, Any], today: date) -> datetime | None:
    """`Last-Modified` for the latest record as served with `with_overdue`."""
    moments = [moment for moment in (last_changed(), became_overdue_at(record, today)) if moment is not None]
    return max(moments) if moments else None

