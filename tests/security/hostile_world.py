"""A realistic world for the hostile-input test, built through the real services: one public-sector lead's
engagements at every step (a signed agreement from the third step, activity from the fourth, a held-back one,
and a completed one published with commitments), the VCFSE organisation that collaborates on them, another
VCFSE organisation, and an administrator."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from engage import clock
from engage.accounts.models import User
from engage.activity import services as activity
from engage.activity.models import Activity
from engage.agreements import services as agreements
from engage.commitments import services as commitments
from engage.commitments.models import CommitmentStatus
from engage.engagements import services as engagements
from engage.engagements.models import CollaboratorRole, Engagement, Lens, OutputKind, Step
from engage.extensions import db
from engage.organisations.models import Organisation, OrganisationKind
from engage.publication.models import PublishedVersion
from engage.vocabularies.models import Area, Theme
from engage.vocabularies.services import load_defaults
from tests.engagements.conftest import EngagementAt, tell_story
from tests.factories import Factories

# The roles the forms are posted as: who signs in (None: a resident, not signed in).
ROLES = ("lead", "partner", "other_partner", "admin", "resident")


@dataclass
class HostileWorld:
    lead: User
    partner: User
    other_partner: User
    admin: User
    lead_organisation: Organisation
    partner_organisation: Organisation
    other_organisation: Organisation
    theme: Theme
    area: Area
    engagements: list[Engagement] = field(default_factory=list)

    def person(self, role: str) -> User | None:
        return None if role == "resident" else getattr(self, role)


def _describe(engagement: Engagement, lead: User, theme: Theme, area: Area) -> None:
    engagements.update_challenge(
        engagement, actor=lead, expected_version=None, title=engagement.title,
        summary="Shaping the service with the people who use it.",
        challenge_statement=engagement.challenge_statement, why_now=engagement.why_now, area=area, themes=[theme],
        start_date=clock.today() - timedelta(weeks=4), end_date=clock.today() + timedelta(weeks=12),
        budget_pence=1_200_000)
    db.session.commit()


def _completed_with_commitments(engagement_at: EngagementAt, lead: User, partner_organisation: Organisation,
                                theme: Theme, area: Area) -> Engagement:
    engagement = engagement_at(Step.STORY, lead=lead, title="Evening urgent care",
                               partner_organisation=partner_organisation)
    _describe(engagement, lead, theme, area)
    engagements.post_update(engagement, actor=lead, body="Four conversations held at the community centre.")
    logged = db.session.scalars(select(Activity).where(Activity.engagement_id == engagement.id)).first()
    insight = activity.add_insight(logged, actor=lead, text="Carers could not reach the centre before it closed.",
                                   lens=Lens.CARERS, themes=[theme], organisation=partner_organisation,
                                   system_blocker=True)
    engagements.add_output(engagement, actor=lead, title="Evaluation report", kind=OutputKind.REPORT,
                           description="What the pilot showed.", url="https://example.org/report")
    tell_story(engagement, lead)
    engagements.move_on(engagement, actor=lead)  # completed: version 1 is published
    db.session.commit()
    due = clock.today() + timedelta(days=60)
    open_one = commitments.add_commitment(engagement, actor=lead, action="Extend evening opening", due_date=due,
                                          responsible_organisation_id=lead.organisation_id,
                                          insight_ids=[insight.id], idea_ids=[engagement.ideas[0].id])
    db.session.commit()
    commitments.record_update(open_one, actor=lead, occurred_on=clock.today(), body="Talks have started.",
                              status=CommitmentStatus.IN_PROGRESS, progress_percent=20)
    commitments.add_commitment(engagement, actor=lead, action="Report back to the carers' forum", due_date=due,
                               responsible_organisation_id=partner_organisation.id)
    db.session.commit()
    return engagement


def _agreement(engagement: Engagement, lead: User, vcfse: User, *, propose: bool) -> None:
    agreement = agreements.start_agreement(engagement, actor=lead, vcfse=vcfse.organisation)
    agreements.update_draft(
        agreement, actor=lead, purpose="Shape the change with the people it affects.",
        vcfse_deliverables="Four community conversations.", reach="Around 80 residents.",
        criteria="Conversations held and reported.", public_commitments="Fund, attend and feed back.",
        funding_pence=150_000, payment_schedule="Half on signing, half on the report.",
        decision_maker_access="The programme board hears the findings.",
        feedback_commitment="A note within three months.", timescales="Twelve weeks.",
        reporting="Activity logged each month.", data_protection="No names recorded.",
        publication="Published on the record.", disagreements="Raised with the programme lead.",
        review_date=clock.today() + timedelta(weeks=26), public_signatory_id=lead.id, vcfse_signatory_id=vcfse.id)
    agreements.add_milestone(agreement, actor=lead, title="First conversation held",
                             due_date=clock.today() + timedelta(weeks=4))
    if propose:
        agreements.propose(agreement, actor=lead)
    db.session.commit()


def _agreements_in_progress(world: HostileWorld, engagement: Engagement, make: Factories) -> None:
    """At the collaborators step: one agreement proposed, waiting for both signatures, and one still a draft."""
    drafting = make.partner(organisation=make.organisation(kind=OrganisationKind.VCFSE,
                                                           name="Rochdale Refugee Network"))
    for organisation in (world.partner_organisation, drafting.organisation):
        engagements.add_collaborator(engagement, actor=world.lead, organisation=organisation,
                                     role=CollaboratorRole.VCFSE_PARTNER)
    db.session.commit()
    _agreement(engagement, world.lead, world.partner, propose=True)
    _agreement(engagement, world.lead, drafting, propose=False)


def build_hostile_world(engagement_at: EngagementAt, make: Factories) -> HostileWorld:
    load_defaults()
    db.session.commit()
    theme = db.session.scalars(select(Theme).order_by(Theme.position)).first()
    area = db.session.scalars(select(Area).where(Area.parent_id.is_not(None)).order_by(Area.name)).first()
    lead_organisation = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR, name="Rochdale Borough Council",
                                          description="The council.", website="https://example.org/council")
    partner_organisation = make.organisation(kind=OrganisationKind.VCFSE, name="Heywood Carers Forum",
                                             description="Carers supporting carers.")
    other_organisation = make.organisation(kind=OrganisationKind.VCFSE, name="Middleton Youth Trust")
    lead = make.lead(organisation=lead_organisation, name="Lena Lead")
    world = HostileWorld(
        lead=lead, partner=make.partner(organisation=partner_organisation, name="Pat Partner"),
        other_partner=make.partner(organisation=other_organisation, name="Olu Other"),
        admin=make.admin(name="Ada Admin"), lead_organisation=lead_organisation,
        partner_organisation=partner_organisation, other_organisation=other_organisation, theme=theme, area=area)

    world.engagements.append(_completed_with_commitments(engagement_at, lead, partner_organisation, theme, area))
    for step, title in ((Step.CHALLENGE, "Parks for everyone"), (Step.COLLABORATORS, "Library opening hours"),
                        (Step.FRAME, "Warm spaces this winter"), (Step.TEST, "Bus routes to the hospital"),
                        (Step.STORY, "School holiday meals")):
        engagement = engagement_at(step, lead=lead, title=title, partner_organisation=partner_organisation)
        if step is not Step.CHALLENGE:
            _describe(engagement, lead, theme, area)
            engagements.post_update(engagement, actor=lead, body=f"An update on *{title.lower()}*.")
            db.session.commit()
        world.engagements.append(engagement)
    _agreements_in_progress(world, world.engagements[2], make)
    # A phone number in the story: the publication check has a finding to accept.
    engagements.update_engagement(world.engagements[5], actor=lead, expected_version=None,
                                  story_what_now="Call the team on 01706 647474 to take part.")
    db.session.commit()
    held_back = engagement_at(Step.FRAME, lead=lead, title="Safeguarding review",
                              partner_organisation=partner_organisation)
    engagements.set_held_back(held_back, actor=lead, held_back=True, reason="A safeguarding review is under way.")
    db.session.commit()
    world.engagements.append(held_back)
    return world


def published_versions(engagement: Engagement) -> list[int]:
    return list(db.session.scalars(select(PublishedVersion.number)
                                   .where(PublishedVersion.engagement_id == engagement.id)
                                   .order_by(PublishedVersion.number)))
