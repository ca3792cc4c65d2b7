"""What happens after publication: the commitments a lead makes on a completed engagement ("What now?"),
the insights and ideas each one answers, and the dated progress updates that move them on."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.activity.models import Insight
from engage.database import UTCDateTime, utcnow
from engage.engagements.models import Engagement, Idea
from engage.enums import enum_column_type
from engage.extensions import db
from engage.organisations.models import Organisation


class CommitmentStatus(enum.Enum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_GOING_AHEAD = "not_going_ahead"

    @property
    def label(self) -> str:
        return {"planned": "Planned", "in_progress": "In progress", "done": "Done",
                "not_going_ahead": "Not going ahead"}[self.value]

    @property
    def is_closed(self) -> bool:
        return self in (CommitmentStatus.DONE, CommitmentStatus.NOT_GOING_AHEAD)


commitment_insights = Table(
    "commitment_insights",
    db.metadata,
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("insight_id", ForeignKey("insights.id", ondelete="CASCADE"), primary_key=True),
)

commitment_ideas = Table(
    "commitment_ideas",
    db.metadata,
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
)


class Commitment(db.Model):
    """One thing the lead says will happen next, who is responsible, by when, and how far it has got."""

    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint("progress_percent IS NULL OR (progress_percent >= 0 AND progress_percent <= 100)",
                        name="progress_is_a_percentage"),
        CheckConstraint("status <> 'not_going_ahead' OR reason <> ''", name="not_going_ahead_has_reason"),
        CheckConstraint("status <> 'done' OR done_on IS NOT NULL", name="done_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(300))
    responsible_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[CommitmentStatus] = mapped_column(enum_column_type(CommitmentStatus, "commitment_status"),
                                                     default=CommitmentStatus.PLANNED, index=True)
    # Why it is not going ahead: required for that status, kept (not shown) if the status changes again.
    reason: Mapped[str] = mapped_column(Text, default="")
    progress_percent: Mapped[int | None] = mapped_column(Integer)
    # The day it was marked done (UK date): what "done on time" and "days from publication to done" count.
    done_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Optimistic locking: a save made from a stale form is refused with both versions shown.
    version: Mapped[int] = mapped_column(Integer, default=1)

    engagement: Mapped[Engagement] = relationship()
    responsible_organisation: Mapped[Organisation] = relationship(lazy="joined")
    insights: Mapped[list[Insight]] = relationship(secondary=commitment_insights, order_by=Insight.id)
    ideas: Mapped[list[Idea]] = relationship(secondary=commitment_ideas, order_by=Idea.id)
    updates: Mapped[list[CommitmentUpdate]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan",
        order_by="(CommitmentUpdate.occurred_on, CommitmentUpdate.id)")

    __mapper_args__ = {"version_id_col": version}

    def is_overdue(self, today: date) -> bool:
        return not self.status.is_closed and self.due_date < today


class CommitmentUpdate(db.Model):
    """A dated, short progress note in Markdown; it may move the status or the percentage on, and says so."""

    __tablename__ = "commitment_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text, default="")
    # What this update changed, if anything (None: unchanged), so the public timeline shows when each promise moved.
    status_from: Mapped[CommitmentStatus | None] = mapped_column(
        enum_column_type(CommitmentStatus, "commitment_update_status_from"))
    status_to: Mapped[CommitmentStatus | None] = mapped_column(
        enum_column_type(CommitmentStatus, "commitment_update_status_to"))
    progress_percent: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="updates")
