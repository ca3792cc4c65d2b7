"""Residents who follow an engagement, an area or a theme by e-mail, without an account.

An address is kept only to send these e-mails: it is never shown, exported or logged, and unsubscribing
deletes its row. Tokens are stored only as keyed hashes (engage.security.secrets).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.database import UTCDateTime, utcnow
from engage.engagements.models import Engagement
from engage.enums import enum_column_type
from engage.extensions import db
from engage.vocabularies.models import Area, Theme


class FollowKind(enum.Enum):
    ENGAGEMENT = "engagement"
    AREA = "area"
    THEME = "theme"


class Follow(db.Model):
    """One address following one thing. Unconfirmed until its owner opens the e-mailed link; nothing but that
    link is ever sent to an unconfirmed address, and unconfirmed rows are deleted once the link expires."""

    __tablename__ = "follows"
    __table_args__ = (
        # The same address following the same thing twice is one row: signing up again changes nothing.
        UniqueConstraint("email", "target", name="one_follow_per_address_and_target"),
        CheckConstraint(
            "(kind = 'engagement' AND engagement_id IS NOT NULL AND area_id IS NULL AND theme_id IS NULL) OR "
            "(kind = 'area' AND area_id IS NOT NULL AND engagement_id IS NULL AND theme_id IS NULL) OR "
            "(kind = 'theme' AND theme_id IS NOT NULL AND engagement_id IS NULL AND area_id IS NULL)",
            name="follows_one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A random name for this follow in outbox keys, never reused (row ids can be, on SQLite).
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    kind: Mapped[FollowKind] = mapped_column(enum_column_type(FollowKind, "follow_kind"))
    # "engagement:12", "area:3" or "theme:5": what the unique constraint compares.
    target: Mapped[str] = mapped_column(String(40))
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The latest confirmation link's keyed hash, kept after confirming so a second use can say "already done".
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirm_expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The keyed hash of the unsubscribe token (itself derived from `reference` with SECRET_KEY, so every e-mail
    # can carry it without the token being stored).
    unsubscribe_hash: Mapped[str] = mapped_column(String(64), unique=True)

    engagement: Mapped[Engagement | None] = relationship()
    area: Mapped[Area | None] = relationship()
    theme: Mapped[Theme | None] = relationship()

    @property
    def subject(self) -> Engagement | Area | Theme:
        found = {FollowKind.ENGAGEMENT: self.engagement, FollowKind.AREA: self.area,
                 FollowKind.THEME: self.theme}[self.kind]
        assert found is not None
        return found

    @property
    def description(self) -> str:
        return describe(self.kind, self.subject)


def describe(kind: FollowKind, subject: Engagement | Area | Theme) -> str:
    """What is followed, in words that end "e-mails about …"."""
    if kind is FollowKind.ENGAGEMENT:
        return f"'{subject.title}'"
    if kind is FollowKind.AREA:
        return f"engagements in {subject.name}"
    return f"engagements about {subject.name}"


class FollowSent(db.Model):
    """A published version a follower has been e-mailed about (alone or in a digest): each is sent once."""

    __tablename__ = "follow_sent_versions"

    follow_id: Mapped[int] = mapped_column(ForeignKey("follows.id", ondelete="CASCADE"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("published_versions.id", ondelete="CASCADE"),
                                            primary_key=True, index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FollowRequest(db.Model):
    """A sign-up, counted to limit how often one client or one address may ask. Keys are keyed hashes, and
    rows are deleted once they no longer count."""

    __tablename__ = "follow_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
