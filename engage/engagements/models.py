"""An engagement and everything its partners add to it as it moves through the Ideas Shop steps."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
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
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import User
from engage.database import UTCDateTime, utcnow
from engage.enums import enum_column_type
from engage.extensions import db
from engage.forms.money import format_pounds
from engage.organisations.models import Organisation
from engage.vocabularies.models import Area, Theme


class Step(enum.Enum):
    CHALLENGE = "challenge"
    COLLABORATORS = "collaborators"
    FRAME = "frame"
    TEST = "test"
    STORY = "story"
    COMPLETED = "completed"

    @property
    def number(self) -> int:
        return list(Step).index(self) + 1

    @property
    def label(self) -> str:
        return STEP_LABELS[self]

    @property
    def next(self) -> Step | None:
        steps = list(Step)
        index = steps.index(self)
        return steps[index + 1] if index + 1 < len(steps) else None

    @property
    def previous(self) -> Step | None:
        steps = list(Step)
        index = steps.index(self)
        return steps[index - 1] if index > 0 else None


STEP_LABELS = {
    Step.CHALLENGE: "Choose the challenge",
    Step.COLLABORATORS: "Gather collaborators and build relationships",
    Step.FRAME: "Time together",
    Step.TEST: "Test",
    Step.STORY: "Tell the story",
    Step.COMPLETED: "Completed and published",
}


class Level(enum.Enum):
    INFORM = "inform"
    CONSULT = "consult"
    ENGAGE = "engage"
    CO_DESIGN = "co-design"
    CO_PRODUCE = "co-produce"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        return list(Level).index(self)


class CollaboratorRole(enum.Enum):
    VCFSE_PARTNER = "vcfse_partner"
    COMMUNITY_GROUP = "community_group"
    HEALTHWATCH = "healthwatch"
    PUBLIC_SECTOR_PARTNER = "public_sector_partner"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "vcfse_partner": "VCFSE partner",
            "community_group": "Community group",
            "healthwatch": "Healthwatch",
            "public_sector_partner": "Public-sector partner",
            "other": "Other",
        }[self.value]


class Lens(enum.Enum):
    LIVED_EXPERIENCE = "lived_experience"
    CARERS = "carers"
    COMMUNITIES = "communities"
    ACTIVE_CITIZENS = "active_citizens"
    WORKFORCE = "workforce"
    SYSTEM_LEADERS = "system_leaders"

    @property
    def label(self) -> str:
        return {
            "lived_experience": "People with lived experience",
            "carers": "People who love and care for them",
            "communities": "Communities affected",
            "active_citizens": "Active citizens",
            "workforce": "The workforce",
            "system_leaders": "System leaders",
        }[self.value]


class LinkStatus(enum.Enum):
    UNCHECKED = "unchecked"
    WORKING = "working"
    BROKEN = "broken"

    @property
    def label(self) -> str:
        return {"unchecked": "Not checked yet", "working": "Working", "broken": "Not working"}[self.value]


class OutputKind(enum.Enum):
    REPORT = "report"
    VIDEO = "video"
    TOOLKIT = "toolkit"
    CASE_STUDY = "case_study"
    DATASET = "dataset"
    PHOTO = "photo"
    PRESENTATION = "presentation"
    POLICY_CHANGE = "policy_change"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


engagement_themes = Table(
    "engagement_themes",
    db.metadata,
    Column("engagement_id", ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id"), primary_key=True),
)


class Engagement(db.Model):
    __tablename__ = "engagements"
    __table_args__ = (
        CheckConstraint("budget_pence IS NULL OR budget_pence >= 0", name="budget_not_negative"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_in_order"),
        CheckConstraint("NOT held_back OR held_back_reason <> ''", name="held_back_has_reason"),
        # The public lists: what is listed, newest public change first, with the columns they filter on, so that
        # counting and paging a list reads this index alone.
        Index("ix_engagements_listing", "listed", "last_public_change_at", "id", "current_step", "level", "area_id",
              "lead_organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    lead_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    lead_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    challenge_statement: Mapped[str] = mapped_column(Text, default="")
    why_now: Mapped[str] = mapped_column(Text, default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    start_date: Mapped[date | None] = mapped_column(Date, index=True)
    end_date: Mapped[date | None] = mapped_column(Date)
    budget_pence: Mapped[int | None] = mapped_column(Integer)

    # The level and budget guide: the lead's answers, what they recommend, and the lead's choice.
    guide_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recommended_level: Mapped[Level | None] = mapped_column(enum_column_type(Level, "recommended_level"))
    level: Mapped[Level | None] = mapped_column(enum_column_type(Level, "engagement_level"))
    level_rationale: Mapped[str] = mapped_column(Text, default="")

    current_step: Mapped[Step] = mapped_column(enum_column_type(Step, "engagement_step"), default=Step.CHALLENGE,
                                               index=True)
    held_back: Mapped[bool] = mapped_column(Boolean, default=False)
    held_back_reason: Mapped[str] = mapped_column(Text, default="")

    story_we_asked: Mapped[str] = mapped_column(Text, default="")
    story_you_said: Mapped[str] = mapped_column(Text, default="")
    story_we_did: Mapped[str] = mapped_column(Text, default="")
    story_so_what: Mapped[str] = mapped_column(Text, default="")
    story_what_now: Mapped[str] = mapped_column(Text, default="")
    get_involved: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    # Worked out from the rows above and the engagement's versions and step changes, stored so the public
    # lists can filter and sort on an index. `publication.listing` keeps them right as each change is
    # flushed, whichever service made it: read them in SQL, never set them.
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_public_change_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    lead_organisation: Mapped[Organisation] = relationship(lazy="joined")
    lead_user: Mapped[User] = relationship(lazy="joined")
    area: Mapped[Area | None] = relationship(lazy="joined")
    themes: Mapped[list[Theme]] = relationship(secondary=engagement_themes, order_by=Theme.position)
    hooks: Mapped[list[Hook]] = relationship(back_populates="engagement", cascade="all, delete-orphan",
                                             order_by="Hook.id")
    collaborators: Mapped[list[Collaborator]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan", order_by="Collaborator.id")
    perspectives: Mapped[list[Perspective]] = relationship(cascade="all, delete-orphan", order_by="Perspective.id")
    ideas: Mapped[list[Idea]] = relationship(back_populates="engagement", cascade="all, delete-orphan",
                                             order_by="Idea.id")
    planned_tests: Mapped[list[PlannedTest]] = relationship(back_populates="engagement",
                                                            cascade="all, delete-orphan", order_by="PlannedTest.id")
    step_changes: Mapped[list[StepChange]] = relationship(cascade="all, delete-orphan", order_by="StepChange.id")
    updates: Mapped[list[ProgressUpdate]] = relationship(cascade="all, delete-orphan",
                                                         order_by="ProgressUpdate.id.desc()")
    outputs: Mapped[list[StoryOutput]] = relationship(cascade="all, delete-orphan", order_by="StoryOutput.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def budget_pounds(self) -> str:
        if self.budget_pence is None:
            return ""
        return format_pounds(self.budget_pence)

    def collaborating_organisation_ids(self) -> set[int]:
        # A collaborator added in this transaction may not have its foreign key set until the next flush.
        return {c.organisation_id or c.organisation.id for c in self.collaborators}


class Hook(db.Model):
    """A strategy, plan, service change or policy the engagement can change (the "arena")."""

    __tablename__ = "engagement_hooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(500), default="")

    engagement: Mapped[Engagement] = relationship(back_populates="hooks")


class Collaborator(db.Model):
    __tablename__ = "collaborators"
    __table_args__ = (UniqueConstraint("engagement_id", "organisation_id", name="one_role_per_organisation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[CollaboratorRole] = mapped_column(enum_column_type(CollaboratorRole, "collaborator_role"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    engagement: Mapped[Engagement] = relationship(back_populates="collaborators")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Perspective(db.Model):
    """One way of seeing the challenge, attributed to a collaborating organisation or to a lens."""

    __tablename__ = "perspectives"
    __table_args__ = (
        CheckConstraint("organisation_id IS NOT NULL OR lens IS NOT NULL", name="attributed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    lens: Mapped[Lens | None] = mapped_column(enum_column_type(Lens, "perspective_lens"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def attribution(self) -> str:
        parts = [p for p in (self.organisation.name if self.organisation else "", self.lens.label if self.lens else "")
                 if p]
        return ", ".join(parts)


class Idea(db.Model):
    __tablename__ = "ideas"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    imagined_impact: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    engagement: Mapped[Engagement] = relationship(back_populates="ideas")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")


class PlannedTest(db.Model):
    __tablename__ = "planned_tests"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    what: Mapped[str] = mapped_column(Text)
    how: Mapped[str] = mapped_column(Text)
    success_measure: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The result, recorded in the test step: what happened and what it showed, or dropped with a reason.
    result_what_happened: Mapped[str] = mapped_column(Text, default="")
    result_what_it_showed: Mapped[str] = mapped_column(Text, default="")
    dropped: Mapped[bool] = mapped_column(Boolean, default=False)
    dropped_reason: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    engagement: Mapped[Engagement] = relationship(back_populates="planned_tests")
    idea: Mapped[Idea | None] = relationship(lazy="joined")

    @property
    def is_resolved(self) -> bool:
        return self.dropped or bool(self.result_what_happened.strip())


class StepChange(db.Model):
    """A move on, or a step back, with who made it, when and why."""

    __tablename__ = "step_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    from_step: Mapped[Step | None] = mapped_column(enum_column_type(Step, "step_change_from"))
    to_step: Mapped[Step] = mapped_column(enum_column_type(Step, "step_change_to"))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")

    @property
    def is_step_back(self) -> bool:
        return self.from_step is not None and self.to_step.number < self.from_step.number


class ProgressUpdate(db.Model):
    """A short "work out loud" note."""

    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")


class StoryOutput(db.Model):
    """Something the engagement produced: a link, or a file kept outside the web root."""

    __tablename__ = "story_outputs"
    __table_args__ = (
        CheckConstraint("url <> '' OR stored_name IS NOT NULL", name="link_or_file"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OutputKind] = mapped_column(enum_column_type(OutputKind, "output_kind"))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    original_filename: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The scheduled link check's last finding for a linked output (files are not checked).
    link_status: Mapped[LinkStatus] = mapped_column(enum_column_type(LinkStatus, "output_link_status"),
                                                    default=LinkStatus.UNCHECKED)
    link_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    link_problem: Mapped[str] = mapped_column(String(300), default="")
    # When the lead was told the link is broken: once per breakage, cleared when it works again.
    link_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
