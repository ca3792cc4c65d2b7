"""The lease in the database that lets one scheduler, of however many processes start one, run the jobs.

A holder takes the lease when it is free or lapsed, and keeps it by renewing it (a third of
SCHEDULER_LEASE_SECONDS at a time); another process takes it over once it has not been renewed for
SCHEDULER_LEASE_SECONDS. Each step is one statement in its own transaction, on its own connection, so it
is atomic on SQLite and PostgreSQL alike and never commits or rolls back anyone's unfinished work.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Connection, and_, case, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from engage.database import utcnow
from engage.extensions import db
from engage.scheduler.models import JobRun, JobRunStatus, SchedulerLease

LEASE_NAME = "jobs"
_table = SchedulerLease.__table__


def new_holder_id() -> str:
    """Names this process: its host and process id say where to look; the random part tells apart two
    processes that reuse a process id (after a restart, or in separate containers)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


def lease_seconds() -> int:
    return max(int(current_app.config["SCHEDULER_LEASE_SECONDS"]), 3)


def acquire(holder: str, *, name: str = LEASE_NAME, seconds: int | None = None) -> bool:
    """Take the lease, or renew it if `holder` already has it. True when `holder` holds it afterwards.

    Taking over a lapsed lease marks the runs its last holder left running as abandoned, in the same
    transaction: a holder whose lease lapsed died (or was paused past it), so nothing will finish them."""
    now = utcnow()
    expires_at = now + timedelta(seconds=seconds or lease_seconds())
    # Renewal and take-over in one statement: the database decides, row locked, who wins.
    claim = (
        update(_table)
        .where(_table.c.name == name, or_(_table.c.holder == holder, _table.c.expires_at < now))
        .values(holder=holder, renewed_at=now, expires_at=expires_at,
                acquired_at=case((_table.c.holder == holder, _table.c.acquired_at), else_=now))
    )
    with db.engine.begin() as connection:
        # Who held it before: the holder taken over from. On PostgreSQL the row stays locked from this read to the
        # claim. SQLite reads it outside the claim's transaction, but the answer still holds: anyone taking the lease
        # over after `now` was read holds it beyond `now`, so this claim finds it live and takes nothing.
        previous = connection.execute(select(_table.c.holder).where(_table.c.name == name).with_for_update()
                                      ).scalar()
        if connection.execute(claim).rowcount == 1:
            if previous is not None and previous != holder:
                _abandon_runs(connection, previous, taken_over_by=holder, now=now)
            return True
    # No row taken: either none exists yet, or someone else holds a live lease. The primary key lets
    # only one of several first-comers insert the row; the others (and a live holder's row) refuse.
    try:
        with db.engine.begin() as connection:
            connection.execute(insert(_table).values(name=name, holder=holder, acquired_at=now, renewed_at=now,
                                                     expires_at=expires_at))
    except IntegrityError:
        return False
    return True


def _abandon_runs(connection: Connection, previous: str, *, taken_over_by: str, now: datetime) -> None:
    runs = JobRun.__table__
    connection.execute(
        update(runs).where(runs.c.holder == previous, runs.c.status == JobRunStatus.RUNNING)
        .values(status=JobRunStatus.ABANDONED, finished_at=now,
                summary=f"The scheduler running it ({previous}) stopped before it finished, and {taken_over_by} "
                        f"took over."[:500])
    )


def holds(holder: str, *, name: str = LEASE_NAME) -> bool:
    """Whether `holder` has a lease that has not yet lapsed."""
    with db.engine.connect() as connection:
        return connection.execute(
            select(_table.c.name).where(and_(_table.c.name == name, _table.c.holder == holder,
                                             _table.c.expires_at >= utcnow()))
        ).first() is not None


def release(holder: str, *, name: str = LEASE_NAME) -> bool:
    """Give the lease up (on a clean shutdown), so another process need not wait for it to lapse."""
    with db.engine.begin() as connection:
        return connection.execute(delete(_table).where(_table.c.name == name, _table.c.holder == holder)
                                  ).rowcount == 1


class LeaseState:
    """Who holds the lease, for `scheduler list` and the administrators' page."""

    def __init__(self, row: SchedulerLease | None, now: datetime) -> None:
        self.holder = row.holder if row else None
        self.acquired_at = row.acquired_at if row else None
        self.renewed_at = row.renewed_at if row else None
        self.expires_at = row.expires_at if row else None
        self.live = bool(row and row.expires_at >= now)

    def describe(self) -> str:
        if self.holder is None:
            return "Nobody holds the lease: no scheduler is running the jobs."
        if self.live:
            return f"Held by {self.holder} since {self.acquired_at:%Y-%m-%d %H:%M:%S} UTC."
        return (f"Lapsed: {self.holder} last renewed it at {self.renewed_at:%Y-%m-%d %H:%M:%S} UTC; the next "
                f"scheduler to start takes it over.")


def current(*, name: str = LEASE_NAME) -> LeaseState:
    return LeaseState(db.session.get(SchedulerLease, name, populate_existing=True), utcnow())
