"""The weekly summary: one e-mail a week for each person, holding the notifications they chose to get that way.

Each person's summary is queued, and their notifications marked as summarised and linked to it, in one
transaction, committed on its own. The outbox message's key names the person and the week, so a second run
in the same week (or a run racing this one) cannot queue a second summary; notifications that arrive after
this week's summary was queued wait for next week's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from engage.accounts.models import User
from engage.clock import LONDON
from engage.database import utcnow
from engage.engagements.models import Engagement
from engage.extensions import db
from engage.mail.footers import external_url, with_footer
from engage.mail.models import OutboxMessage
from engage.mail.services import queue_message
from engage.notifications.models import Frequency, Notification
from engage.templating import format_date

WHY = "You get this summary because you chose to get some e-mails in a weekly summary."


def digest_key(user_id: int, moment: datetime) -> str:
    year, week, _ = moment.astimezone(LONDON).isocalendar()
    return f"digest:{user_id}:{year}-W{week:02d}"


def _waiting() -> Select:
    return (select(Notification)
            .where(Notification.frequency == Frequency.WEEKLY, Notification.digested_at.is_(None)))


def send_weekly_digests() -> str:
    user_ids = db.session.scalars(
        _waiting().with_only_columns(Notification.user_id).distinct()
        .join(User, User.id == Notification.user_id).where(User.is_active).order_by(Notification.user_id)
    ).all()
    sent = waiting = 0
    for user_id in user_ids:
        if _send_one(user_id):
            sent += 1
        else:
            waiting += 1
        db.session.commit()
    return f"{sent} weekly summaries sent" + (f", {waiting} already had this week's" if waiting else "")


def _send_one(user_id: int) -> bool:
    """Queue this person's summary and mark what it holds; False if this week's summary was already queued."""
    now = utcnow()
    key = digest_key(user_id, now)
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)) is not None:
        return False
    user = db.session.get_one(User, user_id)
    notifications = db.session.scalars(
        _waiting().where(Notification.user_id == user_id)
        .options(joinedload(Notification.engagement))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    ).all()
    subject = f"Your weekly summary from {current_app.config['SERVICE_NAME']}"
    body = with_footer(_summary(user, notifications), WHY)
    message = queue_message(user.email, subject, body, idempotency_key=key)
    if message.body_text != body:
        # Another run queued this week's summary between the check above and now, holding what it saw:
        # leave these for next week rather than mark them as sent in a summary that may not hold them.
        db.session.rollback()
        return False
    db.session.flush()
    for notification in notifications:
        notification.digested_at = now
        notification.outbox_message_id = message.id
    return True


def _summary(user: User, notifications: list[Notification]) -> str:
    count = len(notifications)
    lines = [f"Hello {user.name},", "",
             f"Here {'is the 1 thing' if count == 1 else f'are the {count} things'} you asked to hear about in a "
             "weekly summary, newest first.", ""]
    for engagement, items in _by_engagement(notifications):
        if engagement is None:
            lines.append("Other")
        else:
            lines += [engagement.title, external_url("workspace.task_list", slug=engagement.slug)]
        lines.append("")
        for item in items:
            lines.append(f"{format_date(item.created_at.astimezone(LONDON).date())}: {item.subject}")
            lines += [f"    {line}" if line else "" for line in item.body_text.strip().splitlines()]
            lines.append("")
    return "\n".join(lines)


def _by_engagement(notifications: Iterable[Notification]) -> list[tuple[Engagement | None, list[Notification]]]:
    """Grouped by engagement, the engagement with the newest notification first (the input is newest first)."""
    groups: dict[int | None, tuple[Engagement | None, list[Notification]]] = {}
    for notification in notifications:
        groups.setdefault(notification.engagement_id, (notification.engagement, []))[1].append(notification)
    return list(groups.values())
