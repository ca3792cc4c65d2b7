"""The report card's activity and reach, added up by day as they change, so a report card for any period sums
at most one row per day (and community) instead of every activity in it.

After every flush that wrote anything of an engagement (`events.engagements_flushed`, the same signal the public
lists' keys are kept by), that engagement's share of each day is worked out again from its activity, if
residents can see it (`publication.visibility.public_condition`), and the difference from its old share is
added to the days' totals, in the same transaction. So an activity added, moved, edited or deleted, or an
engagement held back, withdrawn or made public again, is in the very next report card. Code that writes rows
without the session (the benchmark's builder, a migration) calls `refresh_all` once it is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, Table, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engage import events
from engage.activity.models import Activity, Reach
from engage.engagements.models import Engagement
from engage.publication.visibility import public_condition
from engage.reporting.models import ActivityDay, ActivityDayShare, ReachDay, ReachDayShare

# Big enough to be few statements, small enough for any database's limit on bound parameters.
_BATCH = 500


def _activity_source() -> Select:
    return (select(Activity.engagement_id, Activity.occurred_on, func.count(), func.sum(Activity.participants),
                   func.sum(Activity.volunteer_minutes))
            .join(Engagement, Engagement.id == Activity.engagement_id).where(public_condition())
            .group_by(Activity.engagement_id, Activity.occurred_on))


def _reach_source() -> Select:
    return (select(Activity.engagement_id, Activity.occurred_on, Reach.community_id, func.sum(Reach.count))
            .join(Activity, Activity.id == Reach.activity_id)
            .join(Engagement, Engagement.id == Activity.engagement_id).where(public_condition())
            .group_by(Activity.engagement_id, Activity.occurred_on, Reach.community_id))


@dataclass(frozen=True)
class _Figure:
    """A figure kept by day: its totals and shares tables, the columns that name a row of the totals (the day,
    and any category), the numbers, and the query that works each public engagement's share out afresh, as
    (engagement_id, *keys, *values)."""

    totals: Table
    shares: Table
    keys: tuple[str, ...]
    values: tuple[str, ...]
    source: Callable[[], Select]


_FIGURES = (
    _Figure(ActivityDay.__table__, ActivityDayShare.__table__, ("day",),
            ("activities", "participants", "volunteer_minutes"), _activity_source),
    _Figure(ReachDay.__table__, ReachDayShare.__table__, ("day", "community_id"), ("count",), _reach_source),
)


def _add_to_totals(connection: Connection, figure: _Figure, deltas: dict[tuple[Any, ...], list[int]]) -> None:
    """Add each difference to its day's totals, making the row if the day has none yet. In key order, so two
    transactions adding to the same days take their locks in the same order."""
    rows = [dict(zip(figure.keys, key, strict=True)) | dict(zip(figure.values, delta, strict=True))
            for key, delta in sorted(deltas.items()) if any(delta)]
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(figure.totals)
    connection.execute(statement.on_conflict_do_update(
        index_elements=list(figure.keys),
        set_={name: figure.totals.c[name] + statement.excluded[name] for name in figure.values}), rows)


def _refresh_figure(connection: Connection, figure: _Figure, ids: list[int]) -> None:
    shares = figure.shares
    width = len(figure.keys)
    old = {tuple(row[:1 + width]): list(row[1 + width:]) for row in connection.execute(
        select(shares.c.engagement_id, *(shares.c[k] for k in figure.keys), *(shares.c[v] for v in figure.values))
        .where(shares.c.engagement_id.in_(ids))).tuples()}
    new = {tuple(row[:1 + width]): [int(n or 0) for n in row[1 + width:]] for row in connection.execute(
        figure.source().where(Engagement.id.in_(ids))).tuples()}
    if old == new:
        return
    deltas: dict[tuple[Any, ...], list[int]] = {}
    for sign, rows in ((1, new), (-1, old)):
        for (_engagement_id, *key), numbers in rows.items():
            total = deltas.setdefault(tuple(key), [0] * len(figure.values))
            for i, n in enumerate(numbers):
                total[i] += sign * n
    connection.execute(delete(shares).where(shares.c.engagement_id.in_(ids)))
    if new:
        columns = ("engagement_id", *figure.keys, *figure.values)
        connection.execute(insert(shares), [dict(zip(columns, (*key, *numbers), strict=True))
                                            for key, numbers in new.items()])
    _add_to_totals(connection, figure, deltas)


def refresh(connection: Connection, engagement_ids: Iterable[int] | None) -> None:
    """Work these engagements' shares out again and move the totals by the difference (None: all of them)."""
    if engagement_ids is None:
        refresh_all(connection)
        return
    ids = sorted(engagement_ids)
    for start in range(0, len(ids), _BATCH):
        batch = ids[start:start + _BATCH]
        if connection.dialect.name == "postgresql":
            # One transaction at a time works out an engagement's share: without the lock, two writing to the
            # same engagement could each take off an old share the other had already replaced.
            connection.execute(select(Engagement.id).where(Engagement.id.in_(batch))
                               .order_by(Engagement.id).with_for_update())
        for figure in _FIGURES:
            _refresh_figure(connection, figure, batch)


def refresh_all(connection: Connection) -> None:
    """Work every share and total out afresh from the activity itself (after rows written without the
    session)."""
    for figure in _FIGURES:
        connection.execute(delete(figure.totals))
        connection.execute(delete(figure.shares))
        columns = ["engagement_id", *figure.keys, *figure.values]
        connection.execute(insert(figure.shares).from_select(columns, figure.source()))
        shares = figure.shares
        connection.execute(insert(figure.totals).from_select(
            [*figure.keys, *figure.values],
            select(*(shares.c[k] for k in figure.keys), *(func.sum(shares.c[v]) for v in figure.values))
            .group_by(*(shares.c[k] for k in figure.keys))))


def _on_flush(session: Session, engagement_ids: frozenset[int] | None) -> None:
    refresh(session.connection(), engagement_ids)


def subscribe() -> None:
    events.engagements_flushed.connect(_on_flush, weak=False)

