"""Activity that partners log, the insight they gathered, and the communities they reached (BRIEF §5).

Reach is counts only, never individuals; insights carry no personal names.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import User
from engage.database import UTCDateTime, utcnow
from engage.engagements.models import Lens
from engage.enums import enum_column_type
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.vocabularies.models import Area, Community, Theme


class ActivityKind(enum.Enum):
    WORKSHOP = "workshop"
    ARTS_PARTICIPATION = "arts_participation"
    SOCIAL_ACTIVITY = "social_activity"
    COMMUNITY_EVENT = "community_event"
    OUTREACH = "outreach"
    INTERVIEW = "interview"
    SURVEY = "survey"
    ONLINE = "online"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Activity(db.Model):
    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint("participants >= 0", name="participants_not_negative"),
        CheckConstraint("volunteer_minutes >= 0", name="volunteer_minutes_not_negative"),
        CheckConstraint("staff_minutes >= 0", name="staff_minutes_not_negative"),
        CheckConstraint("spend_pence >= 0", name="spend_not_negative"),
        # The report card adds up activity in a date range from this index alone, without reading the rows.
        Index("ix_activities_report_card", "occurred_on", "engagement_id", "participants", "volunteer_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[ActivityKind] = mapped_column(enum_column_type(ActivityKind, "activity_kind"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    volunteer_minutes: Mapped[int] = mapped_column(Integer, default=0)
    staff_minutes: Mapped[int] = mapped_column(Integer, default=0)
    spend_pence: Mapped[int] = mapped_column(Integer, default=0)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("agreement_milestones.id", ondelete="SET NULL"),
                                                     index=True)
    planned_test_id: Mapped[int | None] = mapped_column(ForeignKey("planned_tests.id", ondelete="SET NULL"),
                                                        index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Set by an administrator to let the person who logged it edit again after the usual window.
    unlocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    logged_by: Mapped[User] = relationship(lazy="joined")
    area: Mapped[Area | None] = relationship(lazy="joined")
    reach: Mapped[list[Reach]] = relationship(back_populates="activity", cascade="all, delete-orphan",
                                              order_by="Reach.id")
    insights: Mapped[list[Insight]] = relationship(back_populates="activity", cascade="all, delete-orphan",
                                                   order_by="Insight.id")
    milestone = relationship("Milestone", lazy="joined")
    planned_test = relationship("PlannedTest", lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def volunteer_hours(self) -> float:
        return self.volunteer_minutes / 60

    @property
    def staff_hours(self) -> float:
        return self.staff_minutes / 60


class Reach(db.Model):
    __tablename__ = "activity_reach"
    __table_args__ = (
        UniqueConstraint("activity_id", "community_id", name="one_count_per_community"),
        CheckConstraint("count >= 0", name="count_not_negative"),
        # The report card adds up reach by community from this index alone.
        Index("ix_activity_reach_report_card", "activity_id", "community_id", "count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    count: Mapped[int] = mapped_column(Integer)

    activity: Mapped[Activity] = relationship(back_populates="reach")
    community: Mapped[Community] = relationship(lazy="joined")


insight_themes = Table(
    "insight_themes",
    db.metadata,
    Column("insight_id", ForeignKey("insights.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id"), primary_key=True),
)


class Insight(db.Model):
    __tablename__ = "insights"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    lens: Mapped[Lens] = mapped_column(enum_column_type(Lens, "insight_lens"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    system_blocker: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="insights")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    themes: Mapped[list[Theme]] = relationship(secondary=insight_themes, order_by=Theme.position)
