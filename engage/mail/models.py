from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engage.database import UTCDateTime, utcnow
from engage.enums import enum_column_type
from engage.extensions import db


class MessageStatus(enum.Enum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "Waiting", "sent": "Sent", "failed": "Failed"}[self.value]


class OutboxMessage(db.Model):
    """An e-mail written in the same transaction as the change that caused it, then delivered."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    # Marks messages whose body holds a secret (sign-in links and codes): never shown to administrators
    # once real delivery is configured.
    sensitive: Mapped[bool] = mapped_column(default=False)
    status: Mapped[MessageStatus] = mapped_column(
        enum_column_type(MessageStatus, "message_status"), default=MessageStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Names the occasion a message is for, so that whatever queues it twice queues it once.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # A sender claims a message before sending it; another may take it over only once the claim lapses.
    claim_token: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Extra headers for the message, such as List-Unsubscribe (RFC 2369) and List-Unsubscribe-Post (RFC 8058).
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # The recipient is a resident who follows records: the address is used only to send, never shown to anyone.
    private_recipient: Mapped[bool] = mapped_column(default=False)
