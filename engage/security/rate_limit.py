"""A sliding-window limit on how often something may be done: failed sign-ins, sign-ups to follow.

Each time it is done, one row per key it counts against (an account and a network address, say) goes into a
table of its own with a `key_hash` and an `occurred_at` column. The limit is kept in the database rather than
in each process, so every web process sees the same counts and a restart forgets none. Keys are stored only
as keyed hashes: the table holds no address or e-mail anyone could read back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from engage.database import utcnow
from engage.extensions import db
from engage.security.secrets import keyed_hash


@dataclass(frozen=True)
class Allowance:
    key: str  # what is counted, e.g. "account:" + an e-mail address
    allowed: int  # how many times within the window


class SlidingWindow:
    def __init__(self, table: type[Any], window: Callable[[], timedelta]) -> None:
        """`table` is a model with `key_hash` and `occurred_at` columns; `window` gives the window's length
        when asked, so that one set from the configuration is read when the limit is checked."""
        self.table = table
        self.window = window

    def _since(self) -> datetime:
        return utcnow() - self.window()

    def exceeded(self, allowances: Iterable[Allowance]) -> bool:
        """Whether any key has already been counted as often as it is allowed within the window."""
        for allowance in allowances:
            count = db.session.scalar(select(func.count(self.table.id)).where(
                self.table.key_hash == keyed_hash(allowance.key), self.table.occurred_at >= self._since()))
            if count >= allowance.allowed:
                return True
        return False

    def retry_at(self, allowances: Iterable[Allowance]) -> datetime | None:
        """When every key will be under its allowance again, if any has used it up; else None."""
        since = self._since()
        waits = []
        for allowance in allowances:
            recent = db.session.scalars(select(self.table.occurred_at)
                                        .where(self.table.key_hash == keyed_hash(allowance.key),
                                               self.table.occurred_at >= since)
                                        .order_by(self.table.occurred_at.desc()).limit(allowance.allowed)).all()
            if len(recent) >= allowance.allowed:
                # The oldest of the last `allowed` leaves the window then, freeing one.
                waits.append(recent[-1] + self.window())
        return max(waits, default=None)

    def count(self, keys: Iterable[str], *, at: datetime | None = None) -> None:
        """Count one more time against each key (the caller commits)."""
        occurred_at = at or utcnow()
        db.session.add_all([self.table(key_hash=keyed_hash(key), occurred_at=occurred_at) for key in keys])

    def forget(self, key: str) -> None:
        """Start this key's count again from nothing."""
        db.session.execute(delete(self.table).where(self.table.key_hash == keyed_hash(key)))

    def forget_expired(self) -> int:
        """Delete the rows that no longer count, returning how many there were."""
        return db.session.execute(delete(self.table).where(self.table.occurred_at < self._since())
                                  .execution_options(synchronize_session=False)).rowcount
