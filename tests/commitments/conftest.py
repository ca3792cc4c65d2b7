"""A completed, published engagement to make commitments on, built through the real services: the lead's
organisation, a VCFSE collaborator, an insight credited to the collaborator and an idea proposed by a group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engage import clock
from engage.accounts.models import User
from engage.activity import services as activity
from engage.activity.models import Activity, Insight
from engage.commitments import services
from engage.commitments.models import Commitment
from engage.engagements import services as engagements
from engage.engagements.models import Engagement, Idea, Lens, Step
from engage.extensions import db
from engage.organisations.models import Organisation
from tests.engagements.conftest import engagement_at, tell_story  # noqa: F401 - the fixture
from tests.factories import Factories

INSIGHT = "Carers could not reach the walk-in centre before it closed."
ACTION = "Extend evening opening"


@dataclass
class Completed:
    engagement: Engagement
    lead: User
    partner_organisation: Organisation
    insight: Insight
    idea: Idea

    def add(self, action: str = ACTION, *, due_in_days: int = 60, **kwargs) -> Commitment:
        """A commitment added through the service and committed, as the page would."""
        kwargs.setdefault("responsible_organisation_id", self.engagement.lead_organisation_id)
        commitment = services.add_commitment(self.engagement, actor=self.lead, action=action,
                                             due_date=clock.today() + timedelta(days=due_in_days), **kwargs)
        db.session.commit()
        return commitment


@pytest.fixture
def completed(engagement_at, make: Factories) -> Completed:  # noqa: F811 - the fixture imported above
    engagement = engagement_at(Step.STORY)
    lead = engagement.lead_user
    partner_organisation = engagement.collaborators[0].organisation
    logged = db.session.scalars(select(Activity).where(Activity.engagement_id == engagement.id)).first()
    insight = activity.add_insight(logged, actor=lead, text=INSIGHT, lens=Lens.CARERS, themes=[],
                                   organisation=partner_organisation, system_blocker=False)
    tell_story(engagement, lead)
    engagements.move_on(engagement, actor=lead)  # completed: version 1 is published
    db.session.commit()
    assert engagement.current_step is Step.COMPLETED
    return Completed(engagement, lead, partner_organisation, insight, engagement.ideas[0])


def a_day(offset: int = 0) -> date:
    return clock.today() + timedelta(days=offset)
