"""An engagement at the 'Test' step with a VCFSE collaborator and its partner, communities to count reach
against, the default areas and themes, and helpers to log activity through the pages or the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from engage import clock
from engage.accounts.models import User
from engage.activity import services
from engage.activity.models import Activity, ActivityKind
from engage.agreements import services as agreements
from engage.agreements.models import Agreement
from engage.engagements import level_guide
from engage.engagements import services as engagements
from engage.engagements.models import CollaboratorRole, Engagement, Lens
from engage.extensions import db
from engage.organisations.models import Organisation, OrganisationKind
from engage.vocabularies.models import Area, Community, CommunityGroup, Theme
from engage.vocabularies.services import load_defaults
from tests.engagements.conftest import post  # noqa: F401 (shared with the tests here)
from tests.factories import Factories, sign_in

COMMUNITIES = [
    ("Carers network", CommunityGroup.NETWORK),
    ("Young people's network", CommunityGroup.NETWORK),
    ("People living alone", CommunityGroup.UNDER_REPRESENTED),
    ("Age", CommunityGroup.PROTECTED_CHARACTERISTIC),
    ("Disability", CommunityGroup.PROTECTED_CHARACTERISTIC),
]


def make_communities() -> list[Community]:
    """The migration adds the default communities, but tables are emptied after every test: start from a known
    few whichever test runs first."""
    db.session.execute(delete(Community))
    communities = [Community(name=name, group=group, position=n) for n, (name, group) in enumerate(COMMUNITIES)]
    db.session.add_all(communities)
    db.session.commit()
    return communities


LEVEL_ANSWERS = {"decision_made": False, "input_can_change": True, "specific_community": True,
                 "partner_budget": True, "enough_time": True, "lived_experience_ready": False}


def _describe_challenge(engagement: Engagement, lead: User) -> None:
    engagements.update_challenge(
        engagement, actor=lead, expected_version=None, title=engagement.title,
        summary="Shaping urgent care with the people who use it.",
        challenge_statement="How should urgent care work for people in the borough?", why_now="Spring.",
        area=None, themes=[], start_date=None, end_date=None, budget_pence=None)
    engagements.add_hook(engagement, actor=lead, title="Urgent care redesign programme")
    engagements.choose_level(engagement, actor=lead, expected_version=None, answers=LEVEL_ANSWERS,
                             level=level_guide.recommend(LEVEL_ANSWERS).level, rationale="Time and budget.")


def _plan_time_together(engagement: Engagement, lead: User) -> None:
    engagements.add_perspective(engagement, actor=lead, text="People wait too long.", organisation=None,
                                lens=Lens.LIVED_EXPERIENCE)
    idea = engagements.add_idea(engagement, actor=lead, text="A walk-in evening clinic",
                                proposed_by="Residents in Kirkholt", organisation=None, imagined_impact="")
    engagements.add_planned_test(engagement, actor=lead, idea=idea, what="Open on two evenings",
                                 how="A four-week pilot", success_measure="Fewer walk-ins at A&E")


@dataclass
class Scene:
    make: Factories
    engagement: Engagement
    lead: User
    charity: Organisation
    partner: User
    communities: list[Community]
    agreement: Agreement | None = None

    @property
    def base(self) -> str:
        return f"/workspace/{self.engagement.slug}"

    def community(self, name: str) -> Community:
        return next(c for c in self.communities if c.name == name)

    def area(self, name: str) -> Area:
        return db.session.scalar(select(Area).where(Area.name == name))

    def theme(self) -> Theme:
        return db.session.scalar(select(Theme).order_by(Theme.position).limit(1))

    def client_for(self, app, user: User):
        client = app.test_client()
        assert sign_in(client, user).status_code == 302
        return client


@pytest.fixture
def scene(make: Factories) -> Scene:
    return build_scene(make)


def build_scene(make: Factories) -> Scene:
    """Taken to 'Test' through the services, with an agreement signed on the way, as the collaborators gate asks."""
    load_defaults()
    communities = make_communities()
    lead = make.lead(name="Priya Shah")
    charity = make.organisation(kind=OrganisationKind.VCFSE, name="Common Ground")
    partner = make.partner(organisation=charity, name="Jo Whitworth")
    engagement = engagements.open_engagement(title="Urgent care redesign", actor=lead)
    scene = Scene(make=make, engagement=engagement, lead=lead, charity=charity, partner=partner,
                  communities=communities)
    _describe_challenge(engagement, lead)
    engagements.move_on(engagement, actor=lead)
    engagements.add_collaborator(engagement, actor=lead, organisation=charity, role=CollaboratorRole.VCFSE_PARTNER)
    db.session.commit()
    scene.agreement = agreement_with(scene, [("Final report", clock.today() + timedelta(days=200))])
    engagements.move_on(engagement, actor=lead)
    _plan_time_together(engagement, lead)
    engagements.move_on(engagement, actor=lead)
    db.session.commit()
    return scene


def form_data(**overrides: Any) -> dict[str, Any]:
    """A complete activity form, as a browser posts it."""
    yesterday = clock.today() - timedelta(days=1)
    data: dict[str, Any] = {
        "occurred_on": [str(yesterday.day), str(yesterday.month), str(yesterday.year)],
        "kind": "workshop", "title": "Coffee morning at the library", "description": "We talked about **waits**.",
        "area": "", "participants": "14", "volunteer_hours": "2.5", "staff_hours": "3", "spend": "45.50",
        "milestone": "", "planned_test": "",
    }
    data.update(overrides)
    return data


def log(engagement: Engagement, actor: User, *, occurred_on: date | None = None, participants: int = 10,
        volunteer_minutes: int = 0, staff_minutes: int = 0, spend_pence: int = 0, reach: dict[int, int] | None = None,
        title: str = "A workshop", planned_test_id: int | None = None) -> Activity:
    """Log an activity through the service and commit it."""
    activity = services.log_activity(engagement, actor=actor, data=services.ActivityInput(
        occurred_on=occurred_on or clock.today(), kind=ActivityKind.WORKSHOP, title=title, description="",
        area=None, participants=participants, volunteer_minutes=volunteer_minutes, staff_minutes=staff_minutes,
        spend_pence=spend_pence, milestone_id=None, planned_test_id=planned_test_id, reach=reach or {}))
    db.session.commit()
    return activity


def newest_activity() -> Activity | None:
    db.session.expire_all()
    return db.session.scalar(select(Activity).order_by(Activity.id.desc()).limit(1))


AGREEMENT_CONTENT: dict[str, Any] = {
    "purpose": "Shape urgent care with the people who use it.", "vcfse_deliverables": "Six conversations.",
    "reach": "Around 120 residents.", "criteria": "Conversations held and reported.",
    "public_commitments": "Fund and attend.", "funding_pence": 150000, "payment_schedule": "On signing.",
    "decision_maker_access": "The programme board.", "feedback_commitment": "A note within three months.",
    "timescales": "Autumn.", "reporting": "Monthly activity logs.", "data_protection": "No names recorded.",
    "publication": "Published on the record.", "disagreements": "Raised with the programme lead.",
    "review_date": date(2027, 3, 1),
}


def agreement_with(scene: Scene, milestones: list[tuple[str, date]], *, signatory: User | None = None,
                   lead_signs: bool = True, partner_signs: bool = True) -> Agreement:
    """An agreement between the lead's organisation and the charity with these milestones, proposed and then
    signed by whichever signatories are asked to sign."""
    vcfse_signatory = signatory or scene.partner
    agreement = agreements.start_agreement(scene.engagement, actor=scene.lead, vcfse=scene.charity)
    agreements.update_draft(agreement, actor=scene.lead, public_signatory_id=scene.lead.id,
                            vcfse_signatory_id=vcfse_signatory.id, **AGREEMENT_CONTENT)
    for title, due in milestones:
        agreements.add_milestone(agreement, actor=scene.lead, title=title, due_date=due)
    agreements.propose(agreement, actor=scene.lead)
    db.session.commit()
    if lead_signs:
        agreements.sign(agreement.id, user=scene.lead, typed_name=scene.lead.name,
                        expected_hash=agreement.content_hash)
    if partner_signs:
        agreements.sign(agreement.id, user=vcfse_signatory, typed_name=vcfse_signatory.name,
                        expected_hash=agreement.content_hash)
    db.session.expire_all()
    return agreement
