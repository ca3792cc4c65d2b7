"""Expectation agreements between the lead's public-sector organisation and a VCFSE partner (BRIEF §4).

Once proposed, an agreement's content is frozen and its SHA-256 recorded; it is signed when both
parties' signatories have signed that same hash. The freeze is enforced here, on every flush, so no
route or script can change a proposed or signed agreement: changes are made by a variation.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engage.accounts.models import User
from engage.database import UTCDateTime, utcnow
from engage.enums import enum_column_type
from engage.extensions import db
from engage.forms.money import format_pounds
from engage.organisations.models import Organisation


class AgreementStatus(enum.Enum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    SIGNED = "signed"
    VARIED = "varied"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Party(enum.Enum):
    PUBLIC_SECTOR = "public_sector"
    VCFSE = "vcfse"

    @property
    def in_sentence(self) -> str:
        """As written inside a sentence: "VCFSE" is an acronym and keeps its capitals."""
        return {"public_sector": "public-sector partner", "vcfse": "VCFSE partner"}[self.value]

    @property
    def label(self) -> str:
        return self.in_sentence[0].upper() + self.in_sentence[1:]


class MilestoneStatus(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    MISSED = "missed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# The parts of an agreement that are frozen once it is proposed, in the order they are hashed and shown.
CONTENT_FIELDS = [
    ("purpose", "Purpose: the real change sought in the arena chosen"),
    ("vcfse_deliverables", "What the VCFSE partner will deliver"),
    ("reach", "Who it will reach"),
    ("criteria", "How we will know it has been delivered"),
    ("public_commitments", "What the public-sector partner commits"),
    ("funding_pence", "Funding for the VCFSE partner"),
    ("payment_schedule", "When the funding is paid"),
    ("decision_maker_access", "Access to decision-makers"),
    ("feedback_commitment", "Feeding back how insight was used"),
    ("timescales", "Realistic timescales"),
    ("reporting", "How activity is reported"),
    ("data_protection", "Data protection, consent, anonymity and safeguarding"),
    ("publication", "Publication"),
    ("disagreements", "How disagreements are settled"),
    ("review_date", "Review date"),
    ("public_signatory_id", "Signatory for the public-sector partner"),
    ("vcfse_signatory_id", "Signatory for the VCFSE partner"),
]
MILESTONE_CONTENT_FIELDS = ("title", "due_date", "position")


class Agreement(db.Model):
    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint("funding_pence >= 0", name="funding_not_negative"),
        CheckConstraint("status = 'draft' OR content_hash IS NOT NULL", name="frozen_has_hash"),
        UniqueConstraint("engagement_id", "vcfse_organisation_id", "version_number", name="one_version_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    public_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    vcfse_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    version_number: Mapped[int] = mapped_column(Integer, default=1)
    varies_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"))
    # Active history: the flush guard must know the status a change starts from, even when the
    # attribute was expired and then set without being read.
    status: Mapped[AgreementStatus] = mapped_column(enum_column_type(AgreementStatus, "agreement_status"),
                                                    default=AgreementStatus.DRAFT, index=True, active_history=True)

    purpose: Mapped[str] = mapped_column(Text, default="")
    vcfse_deliverables: Mapped[str] = mapped_column(Text, default="")
    reach: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[str] = mapped_column(Text, default="")
    public_commitments: Mapped[str] = mapped_column(Text, default="")
    funding_pence: Mapped[int] = mapped_column(Integer, default=0)
    payment_schedule: Mapped[str] = mapped_column(Text, default="")
    decision_maker_access: Mapped[str] = mapped_column(Text, default="")
    feedback_commitment: Mapped[str] = mapped_column(Text, default="")
    timescales: Mapped[str] = mapped_column(Text, default="")
    reporting: Mapped[str] = mapped_column(Text, default="")
    data_protection: Mapped[str] = mapped_column(Text, default="")
    publication: Mapped[str] = mapped_column(Text, default="")
    disagreements: Mapped[str] = mapped_column(Text, default="")
    review_date: Mapped[date | None] = mapped_column(Date)
    public_signatory_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    vcfse_signatory_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    content_hash: Mapped[str | None] = mapped_column(String(64))
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Bumped on every change: concurrent signatures and edits cannot both win.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    engagement = relationship("Engagement", lazy="joined")
    public_organisation: Mapped[Organisation] = relationship(foreign_keys=[public_organisation_id], lazy="joined")
    vcfse_organisation: Mapped[Organisation] = relationship(foreign_keys=[vcfse_organisation_id], lazy="joined")
    public_signatory: Mapped[User | None] = relationship(foreign_keys=[public_signatory_id], lazy="joined")
    vcfse_signatory: Mapped[User | None] = relationship(foreign_keys=[vcfse_signatory_id], lazy="joined")
    varies: Mapped[Agreement | None] = relationship(remote_side=[id])
    milestones: Mapped[list[Milestone]] = relationship(back_populates="agreement", cascade="all, delete-orphan",
                                                       order_by="(Milestone.position, Milestone.id)")
    signatures: Mapped[list[Signature]] = relationship(back_populates="agreement", cascade="all, delete-orphan",
                                                       order_by="Signature.id")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def is_frozen(self) -> bool:
        return self.status is not AgreementStatus.DRAFT

    @property
    def funding_pounds(self) -> str:
        return format_pounds(self.funding_pence)

    def signatory_for(self, party: Party) -> User | None:
        return self.public_signatory if party is Party.PUBLIC_SECTOR else self.vcfse_signatory

    def signature_for(self, party: Party) -> Signature | None:
        return next((s for s in self.signatures if s.party is party), None)

    def party_of(self, user: User) -> Party | None:
        """The party this person signs for, if they are a named signatory."""
        if self.public_signatory_id == user.id:
            return Party.PUBLIC_SECTOR
        if self.vcfse_signatory_id == user.id:
            return Party.VCFSE
        return None


class Milestone(db.Model):
    __tablename__ = "agreement_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[date] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The status is not part of the agreed content: it moves as the work is done.
    status: Mapped[MilestoneStatus] = mapped_column(enum_column_type(MilestoneStatus, "milestone_status"),
                                                    default=MilestoneStatus.NOT_STARTED)

    agreement: Mapped[Agreement] = relationship(back_populates="milestones")


class Signature(db.Model):
    __tablename__ = "agreement_signatures"
    __table_args__ = (
        UniqueConstraint("agreement_id", "party", name="one_signature_per_party"),
        UniqueConstraint("agreement_id", "user_id", name="one_signature_per_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    party: Mapped[Party] = mapped_column(enum_column_type(Party, "signature_party"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    typed_name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship(lazy="joined")


class AgreementFrozen(Exception):
    """A proposed or signed agreement was about to be changed."""


# The moves the services make. Any other change of status is refused, so that a frozen agreement
# cannot be put back to draft, edited and frozen again.
_STATUS_MOVES = {
    AgreementStatus.DRAFT: {AgreementStatus.PROPOSED},
    AgreementStatus.PROPOSED: {AgreementStatus.SIGNED, AgreementStatus.VARIED, AgreementStatus.CLOSED},
    AgreementStatus.SIGNED: {AgreementStatus.VARIED, AgreementStatus.CLOSED},
    AgreementStatus.VARIED: set(),
    AgreementStatus.CLOSED: set(),
}
_FROZEN_COLUMNS = [name for name, _ in CONTENT_FIELDS] + ["engagement_id", "public_organisation_id",
                                                          "vcfse_organisation_id", "version_number", "varies_id",
                                                          "content_hash"]


def _status_before_flush(agreement: Agreement) -> AgreementStatus:
    # The status this session read, not the database's now: a concurrent signature that moved it on is
    # caught by the version check, and the loser retries.
    history = inspect(agreement).attrs.status.history
    if history.deleted:
        return history.deleted[0]
    return agreement.status


def _is_frozen_before_flush(session: Session, agreement_id: int | None) -> bool:
    if agreement_id is None:
        return False
    agreement = session.get(Agreement, agreement_id)
    return agreement is not None and _status_before_flush(agreement) is not AgreementStatus.DRAFT


def _agreement_ids(session: Session, milestone: Milestone) -> set[int | None]:
    """The agreement a milestone belongs to in the database, and the one it is being given: a
    milestone can be moved out of, or into, a frozen agreement by its key or by its relationship."""
    state = inspect(milestone)
    ids = {milestone.agreement_id, milestone.agreement.id if milestone.agreement is not None else None}
    ids.update(a.id for a in state.attrs.agreement.history.deleted if a is not None)
    if state.has_identity:
        # The stored key: the one in memory may be the new value, set before the old one was loaded.
        ids.add(session.scalar(select(Milestone.agreement_id).where(Milestone.id == state.identity[0])))
    return ids


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_frozen_agreements(session: Session, _context, _instances) -> None:
    with session.no_autoflush:
        for obj in session.dirty:
            if isinstance(obj, Agreement):
                before = _status_before_flush(obj)
                if obj.status is not before and obj.status not in _STATUS_MOVES[before]:
                    raise AgreementFrozen(f"a {before.value} agreement cannot become {obj.status.value}")
                if before is not AgreementStatus.DRAFT:
                    state = inspect(obj)
                    changed = [name for name in _FROZEN_COLUMNS if state.attrs[name].history.has_changes()]
                    if changed:
                        raise AgreementFrozen(f"a {before.value} agreement cannot be changed: {changed}")
            elif isinstance(obj, Milestone):
                state = inspect(obj)
                moved = any(state.attrs[name].history.has_changes()
                            for name in (*MILESTONE_CONTENT_FIELDS, "agreement_id", "agreement"))
                if moved and any(_is_frozen_before_flush(session, i) for i in _agreement_ids(session, obj)):
                    raise AgreementFrozen("the milestones of a proposed or signed agreement cannot be changed")
            elif isinstance(obj, Signature) and session.is_modified(obj, include_collections=False):
                raise AgreementFrozen("a signature cannot be changed")
        for obj in session.new:
            if isinstance(obj, Milestone) and any(_is_frozen_before_flush(session, i)
                                                  for i in _agreement_ids(session, obj)):
                raise AgreementFrozen("milestones cannot be added to a proposed or signed agreement")
        for obj in session.deleted:
            if isinstance(obj, Agreement) and _status_before_flush(obj) is not AgreementStatus.DRAFT:
                raise AgreementFrozen("a proposed or signed agreement cannot be deleted")
            if isinstance(obj, Signature):
                raise AgreementFrozen("a signature cannot be removed")
            if isinstance(obj, Milestone) and any(_is_frozen_before_flush(session, i)
                                                  for i in _agreement_ids(session, obj)):
                raise AgreementFrozen("nothing can be removed from a proposed or signed agreement")
