"""Published versions of an engagement's public record, and the publication check's accepted findings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.database import UTCDateTime, utcnow
from engage.extensions import db


class PublishedVersion(db.Model):
    """An immutable, numbered snapshot of the public record. Stored, never recomputed, so a published page
    never changes under a reader."""

    __tablename__ = "published_versions"
    __table_args__ = (UniqueConstraint("engagement_id", "number", name="one_number_per_engagement"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    change_note: Mapped[str] = mapped_column(Text, default="")
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class StoredRecordPage(db.Model):
    """A published version as served, kept once it has been built: the HTML of its page's body, or its JSON,
    for one `variant` of what is not fixed by the version (whether each commitment is overdue today, which
    version is the latest) and one `fingerprint` of the templates and code that built it. Derived data, like
    the search documents: a row can always be built again, and one built by other templates is never read
    (`site/record_pages.py` says what goes in each key)."""

    __tablename__ = "stored_record_pages"
    __table_args__ = (UniqueConstraint("version_id", "kind", "variant", "fingerprint",
                                       name="one_stored_page_per_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("published_versions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    variant: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)  # zlib: a page's HTML is about a seventh of its size
    built_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PublishedCard(db.Model):
    """The few fields of a published version that the public lists and the feed show (`site/cards.py`), kept
    beside the version so a list reads a few hundred bytes for each item instead of the whole record. Derived
    data: written when the version is published, and always the same projection of its record."""

    __tablename__ = "published_cards"

    version_id: Mapped[int] = mapped_column(ForeignKey("published_versions.id", ondelete="CASCADE"),
                                            primary_key=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)


class AcceptedFinding(db.Model):
    """A publication-check finding the lead accepted, with their reason (e.g. an organisation's public
    address). It holds only while the same text is found in the same place."""

    __tablename__ = "accepted_findings"
    __table_args__ = (UniqueConstraint("engagement_id", "fingerprint", name="one_acceptance_per_finding"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    where: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PublishedVersionIsImmutable(Exception):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published_versions(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, PublishedVersion) and (obj in session.deleted or session.is_modified(obj)):
            raise PublishedVersionIsImmutable("a published version cannot be changed or deleted: publish a new one")
