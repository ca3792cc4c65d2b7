"""Telling one person about one occasion, once, in the way they chose."""

from __future__ import annotations

from sqlalchemy import select

from engage.accounts.models import User
from engage.audit.services import record
from engage.database import insert_once
from engage.engagements.models import Engagement
from engage.extensions import db
from engage.mail.footers import with_footer
from engage.mail.services import queue_message
from engage.notifications.kinds import KINDS, describe
from engage.notifications.models import Frequency, Notification, NotificationPreference

# The outbox message is queued under "notification:" + key, in a column as long as the notification's own.
MAX_KEY_LENGTH = 200 - len("notification:")


def frequency_for(user: User, kind: str) -> Frequency:
    """The person's choice for this kind; with no choice made, straight away."""
    chosen = db.session.scalar(
        select(NotificationPreference.frequency).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind
        )
    )
    return chosen or Frequency.IMMEDIATE


def why_footer(kind: str) -> str:
    description = describe(kind)
    return f"We e-mail you when {description[0].lower()}{description[1:]}."


def notify(user: User, *, kind: str, key: str, subject: str, body: str,
           engagement: Engagement | None = None) -> Notification | None:
    """Record that ``user`` should hear about the occasion named by ``key``, and act on their preference.

    Returns None, doing nothing, if that occasion was already notified (by this job, a re-run, or a
    concurrent caller) or the person's account is not active. Does not commit: the caller commits
    with its own change, so either both land or neither does.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"notification keys are at most {MAX_KEY_LENGTH} characters")
    if not user.is_active:
        return None
    # The common case for a job that runs every hour: told already. A read is cheaper than an INSERT that
    # conflicts (which, on PostgreSQL, also uses up a value of the id sequence each time).
    if db.session.scalar(select(Notification.id).where(Notification.idempotency_key == key)) is not None:
        return None
    frequency = frequency_for(user, kind)
    notification = insert_once(Notification, Notification.idempotency_key, {
        "user_id": user.id, "kind": kind, "idempotency_key": key, "subject": subject, "body_text": body,
        "engagement_id": engagement.id if engagement is not None else None, "frequency": frequency,
    })
    if notification is None:
        return None
    if frequency is Frequency.IMMEDIATE:
        message = queue_message(user.email, subject, with_footer(body, why_footer(kind)),
                                idempotency_key=f"notification:{key}")
        db.session.flush()
        notification.outbox_message_id = message.id
    return notification


# People's choices -----------------------------------------------------------------------------------------

def preferences_of(user: User) -> dict[str, Frequency]:
    """The person's choice for every kind, straight away where they have not chosen."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.frequency)
        .where(NotificationPreference.user_id == user.id)
    ).tuples().all())
    return {kind: chosen.get(kind, Frequency.IMMEDIATE) for kind in KINDS}


def set_preferences(user: User, choices: dict[str, Frequency]) -> None:
    """Record the person's choices (theirs only: the caller passes the signed-in person) and audit what changed."""
    unknown = set(choices) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown notification kinds {sorted(unknown)}")
    rows = {row.kind: row for row in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    changed = {}
    for kind, frequency in choices.items():
        row = rows.get(kind)
        before = row.frequency if row is not None else Frequency.IMMEDIATE
        if row is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, frequency=frequency))
        else:
            row.frequency = frequency
        if before is not frequency:
            changed[kind] = {"from": before.value, "to": frequency.value}
    if changed:
        record("notifications.preferences_changed", actor=user, subject=user, changes=changed)
