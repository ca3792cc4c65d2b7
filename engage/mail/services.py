"""The outbox: messages are queued with the change that causes them and delivered afterwards."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import select

from engage.database import utcnow
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage


def queue_message(to_address: str, subject: str, body_text: str, *, sensitive: bool = False) -> OutboxMessage:
    message = OutboxMessage(to_address=to_address, subject=subject, body_text=body_text, sensitive=sensitive)
    db.session.add(message)
    if current_app.config.get("MAIL_ECHO") and not smtp_configured():
        # Development only: lets someone trying the service read sign-in codes in the terminal.
        current_app.logger.info("E-mail to %s: %s\n%s", to_address, subject, body_text)
    return message


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def _retry_delay(attempts: int) -> timedelta:
    # 1, 2, 4 … minutes, capped at six hours.
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _as_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body_text)
    return email


def deliver_due_messages(limit: int = 100) -> dict[str, int]:
    """Send queued messages whose time has come. Returns counts of what happened.

    Each message is committed on its own, so a failure part-way loses nothing and sends nothing twice.
    """
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    if not smtp_configured():
        return counts
    config = current_app.config
    due = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.QUEUED, OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    if not due:
        return counts
    try:
        smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT_SECONDS"])
    except (OSError, smtplib.SMTPException) as error:
        for message in due:
            _record_failure(message, f"could not connect: {error}", counts)
        db.session.commit()
        return counts
    with smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        for message in due:
            try:
                smtp.send_message(_as_email(message))
            except (OSError, smtplib.SMTPException) as error:
                _record_failure(message, str(error), counts)
            else:
                message.status = MessageStatus.SENT
                message.sent_at = utcnow()
                message.attempts += 1
                message.last_error = None
                counts["sent"] += 1
            db.session.commit()
    return counts


def _record_failure(message: OutboxMessage, error: str, counts: dict[str, int]) -> None:
    message.attempts += 1
    message.last_error = error[:500]
    if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = MessageStatus.FAILED
        counts["failed"] += 1
    else:
        message.next_attempt_at = utcnow() + _retry_delay(message.attempts)
        counts["retrying"] += 1
