""""Your engagements": each engagement a person leads or collaborates on with what needs doing next, and what a
partner needs to act on: signatures, milestones and their own recent activity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from engage.accounts.models import Role, User
from engage.activity.models import Activity
from engage.agreements.models import Agreement, AgreementStatus, Milestone, MilestoneStatus
from engage.agreements.services import signs_for
from engage.clock import today
from engage.engagements import steps
from engage.engagements.models import Collaborator, Engagement
from engage.extensions import db
from engage.notifications.kinds import day_count
from engage.workspace.tasks import ToDo, next_thing_to_do

RECENT_ACTIVITY = 5

# What the step gates read of each engagement (at the first and the story step, the publication check reads its
# record), loaded for all the engagements listed together: one query each, however many there are.
GATES_READ = (selectinload(Engagement.hooks), selectinload(Engagement.collaborators), selectinload(Engagement.themes),
              selectinload(Engagement.step_changes), selectinload(Engagement.updates),
              selectinload(Engagement.perspectives), selectinload(Engagement.ideas),
              selectinload(Engagement.planned_tests), selectinload(Engagement.outputs))


def your_engagements(user: User) -> list[tuple[Engagement, ToDo]]:
    """The engagements the person's organisation leads or collaborates on (all of them, for an administrator),
    the most recently changed first, each with the next thing to do. The gates of all of them are asked together,
    so the page runs the same queries however many engagements it lists."""
    query = select(Engagement).options(*GATES_READ).order_by(Engagement.updated_at.desc())
    if user.role is not Role.ADMIN:
        collaborating = select(Collaborator.engagement_id).where(Collaborator.organisation_id == user.organisation_id)
        query = query.where(or_(Engagement.lead_organisation_id == user.organisation_id,
                                Engagement.id.in_(collaborating)))
    engagements = db.session.scalars(query).unique().all()
    with steps.reading_together(engagements):
        return [(engagement, next_thing_to_do(engagement)) for engagement in engagements]


@dataclass
class AwaitingSignature:
    agreement: Agreement
    href: str


@dataclass
class DueMilestone:
    milestone: Milestone
    engagement: Engagement

    @property
    def days_late(self) -> int:
        return (today() - self.milestone.due_date).days


@dataclass
class RecentActivity:
    activity: Activity
    engagement_slug: str
    engagement_title: str


@dataclass
class PartnerDashboard:
    awaiting_signature: list[AwaitingSignature] = field(default_factory=list)
    overdue: list[DueMilestone] = field(default_factory=list)
    due_soon: list[DueMilestone] = field(default_factory=list)
    recent_activity: list[RecentActivity] = field(default_factory=list)
    due_soon_period: str = ""


def _sign_href(agreement: Agreement) -> str:
    return url_for("agreements.sign", slug=agreement.engagement.slug, agreement_id=agreement.id)


def awaiting_signature(user: User) -> list[AwaitingSignature]:
    """Proposed agreements where this person signs for a party that has not signed yet."""
    agreements = db.session.scalars(
        select(Agreement).where(Agreement.status == AgreementStatus.PROPOSED,
                                or_(Agreement.public_signatory_id == user.id, Agreement.vcfse_signatory_id == user.id))
        .order_by(Agreement.proposed_at, Agreement.id)
    ).unique().all()
    return [AwaitingSignature(a, _sign_href(a)) for a in agreements
            if (party := a.party_of(user)) is not None and a.signature_for(party) is None
            and signs_for(a, party, user)]


def _milestones_due(organisation_id: int, until: date) -> list[tuple[Milestone, Engagement]]:
    collaborating = select(Collaborator.engagement_id).where(Collaborator.organisation_id == organisation_id)
    rows = db.session.execute(
        select(Milestone, Engagement)
        .join(Agreement, Agreement.id == Milestone.agreement_id)
        .join(Engagement, Engagement.id == Agreement.engagement_id)
        .where(Agreement.status == AgreementStatus.SIGNED, Milestone.status != MilestoneStatus.DONE,
               Milestone.due_date <= until,
               or_(Engagement.lead_organisation_id == organisation_id, Engagement.id.in_(collaborating)))
        .order_by(Milestone.due_date, Milestone.id)
    ).unique().all()
    return [(milestone, engagement) for milestone, engagement in rows]


def recent_activity(user: User, limit: int = RECENT_ACTIVITY) -> list[RecentActivity]:
    rows = db.session.execute(
        select(Activity, Engagement.slug, Engagement.title)
        .join(Engagement, Engagement.id == Activity.engagement_id)
        .where(Activity.logged_by_id == user.id)
        .order_by(Activity.created_at.desc(), Activity.id.desc())
        .limit(limit)
    ).unique().all()
    return [RecentActivity(activity, slug, title) for activity, slug, title in rows]


def partner_dashboard(user: User) -> PartnerDashboard:
    """Empty for someone without an organisation (an administrator): none of it would be theirs."""
    if user.organisation_id is None:
        return PartnerDashboard()
    now = today()
    # The same period as the milestone reminders, so the dashboard lists what people have been reminded of.
    days = current_app.config["MILESTONE_DUE_SOON_DAYS"]
    due = [DueMilestone(m, e) for m, e in _milestones_due(user.organisation_id, now + timedelta(days=days))]
    return PartnerDashboard(
        awaiting_signature=awaiting_signature(user),
        overdue=[d for d in due if d.milestone.due_date < now],
        due_soon=[d for d in due if d.milestone.due_date >= now],
        recent_activity=recent_activity(user),
        due_soon_period=day_count(days),
    )
