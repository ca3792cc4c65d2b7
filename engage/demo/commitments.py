"""What happened after the demo's completed engagement was published: three commitments in different states
(one done, one in progress, one not going ahead) with dated updates, made through the commitment services so
that each change is a published version with its change note, as it would be for real.

Dates are counted back from the day the demo is seeded, so the updates are never in the future and the
open commitment is never overdue on a fresh demo."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engage.accounts.models import User
from engage.activity.models import Insight
from engage.clock import today
from engage.commitments import services
from engage.commitments.models import Commitment, CommitmentStatus
from engage.engagements.models import Engagement, Idea, Step
from engage.extensions import db
from engage.organisations.models import Organisation

ENGAGEMENT_TITLE = "Neighbourhood support in Langley"


def _insight(e: Engagement, starts: str) -> int:
    return db.session.scalar(select(Insight.id).where(Insight.engagement_id == e.id, Insight.text.startswith(starts)))


def _idea(e: Engagement, starts: str) -> int:
    return db.session.scalar(select(Idea.id).where(Idea.engagement_id == e.id, Idea.text.startswith(starts)))


def _organisation(name: str) -> int:
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def seed_commitments() -> int:
    """Add the demo commitments if the completed demo engagement has none yet. Returns how many were added."""
    e = db.session.scalar(select(Engagement).where(Engagement.title == ENGAGEMENT_TITLE))
    lead = db.session.scalar(select(User).where(User.email == "lead@demo.example.org"))
    if e is None or lead is None or e.current_step is not Step.COMPLETED:
        return 0
    if db.session.scalar(select(func.count(Commitment.id)).where(Commitment.engagement_id == e.id)):
        return 0
    day = today()

    def ago(days: int):
        return day - timedelta(days=days)

    session = services.add_commitment(
        e, actor=lead, action="Keep the Tuesday joined-up session at the Langley community hub running through "
                              "next year",
        responsible_organisation_id=e.lead_organisation_id, due_date=day + timedelta(days=21),
        insight_ids=[_insight(e, "It's all about relationships")], idea_ids=[_idea(e, "One weekly session")])
    services.record_update(session, actor=lead, occurred_on=ago(48), progress_percent=50,
                           body="The locality board agreed to fund the session's venue and staff time for another "
                                "year at its September meeting.")
    services.record_update(session, actor=lead, occurred_on=ago(9), status=CommitmentStatus.DONE,
                           body="The hub is booked every Tuesday morning for next year, and the care co-operative's "
                                "time at the session is written into its new contract.")

    spread = services.add_commitment(
        e, actor=lead, action="Offer the joined-up neighbourhood model to two more neighbourhoods of 3,000 to "
                              "5,000 people",
        responsible_organisation_id=e.lead_organisation_id, due_date=day + timedelta(days=160),
        insight_ids=[_insight(e, "Prevention and response work best together")], progress_percent=10)
    services.record_update(spread, actor=lead, occurred_on=ago(30), progress_percent=30,
                           body="The Kirkholt and Smallbridge neighbourhood teams have agreed to try the model. "
                                "Community groups in both areas are looking for a venue they already use.")
    services.record_update(spread, actor=lead, occurred_on=ago(6), progress_percent=60,
                           body="Staff from both teams spent a Tuesday at the Langley session. Kirkholt starts in "
                                "the new year; Smallbridge once its venue is agreed.")

    route = services.add_commitment(
        e, actor=lead, action="Give care workers across the borough the same direct route to their neighbourhood "
                              "team",
        responsible_organisation_id=_organisation("Kirkfield Care Co-operative"), due_date=day + timedelta(days=90),
        insight_ids=[_insight(e, "A strong and supported workforce")],
        idea_ids=[_idea(e, "A direct route from care workers")])
    services.record_update(route, actor=lead, occurred_on=ago(20), status=CommitmentStatus.NOT_GOING_AHEAD,
                           body="The borough-wide home care contract cannot be changed before it is re-let.",
                           reason="The home care contract is being re-let next year and cannot be changed before "
                                  "then. The direct route carries on in Langley, and is written into the "
                                  "specification for the new contract, so every neighbourhood gets it from then.")
    return 3
