"""Notifications and people's preferences for them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import User
from engage.database import UTCDateTime, utcnow
from engage.enums import enum_column_type
from engage.extensions import db


class Frequency(enum.Enum):
    IMMEDIATE = "immediate"
    WEEKLY = "weekly"
    OFF = "off"

    @property
    def label(self) -> str:
        return {"immediate": "Straight away", "weekly": "In a weekly summary", "off": "Never"}[self.value]


class NotificationPreference(db.Model):
    """How one person wants one kind of notification; no row means straight away."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    frequency: Mapped[Frequency] = mapped_column(enum_column_type(Frequency, "notification_frequency"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Notification(db.Model):
    """Something one person should hear about, written once whatever happens to the job that found it.

    The idempotency key names the occasion (for example one milestone's overdue reminder for one
    signatory), so a job that runs twice, or is stopped and run again, cannot tell anyone twice.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_digest_due", "frequency", "digested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    # The person's choice when the notification was made: sent at once, kept for the weekly summary, or not sent.
    frequency: Mapped[Frequency] = mapped_column(enum_column_type(Frequency, "notification_delivery"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    engagement = relationship("Engagement")
