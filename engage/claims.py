"""Claims with a lease, for work that is sent once however many senders run: outbox e-mails, webhook deliveries.

A row waiting to be sent has a status, a `next_attempt_at`, and a `claim_token` with a `claimed_until`. A sender
claims a row before sending it, by an UPDATE that only succeeds while the row is still waiting, due, and not
claimed by anyone else (or its claim has lapsed), committed before anything is sent: two senders never both win
one row, and a row claimed by a sender that died is claimed again once `claimed_until` has passed.

A sender saves its outcome only while its claim still holds (`release`, in the transaction that saves it): one
that was too slow, whose claim lapsed and was taken over, leaves the row to the sender that took it.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, update

from engage.extensions import db


def claimable(model: Any, waiting: enum.Enum, now: datetime) -> ColumnElement[bool]:
    """The rows of `model` still `waiting`, due by `now`, and free of any live claim."""
    return and_(model.status == waiting, model.next_attempt_at <= now,
                or_(model.claimed_until.is_(None), model.claimed_until < now))


def claim(model: Any, row_id: int, *, waiting: enum.Enum, now: datetime, seconds: float) -> str | None:
    """Claim one row for `seconds`, committed at once. The token, or None if the row is no longer claimable."""
    token = secrets.token_hex(16)
    claimed = db.session.execute(
        update(model)
        .where(model.id == row_id, claimable(model, waiting, now))
        .values(claim_token=token, claimed_until=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()
    return token if claimed else None


def release(model: Any, row_id: int, token: str) -> bool:
    """End this sender's claim on the row, in the transaction that saves its outcome (call it before setting
    the row's claim columns). False if the claim lapsed and another sender has claimed the row since: roll
    back, and let that sender's outcome stand."""
    return db.session.execute(
        update(model)
        .where(model.id == row_id, model.claim_token == token)
        .values(claim_token=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
