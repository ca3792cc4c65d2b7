"""Engagements for the public-page tests, built through the real services: a completed one with everything
a record can hold (published as version 1), one in progress, one held back and one still at the challenge."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from engage.activity import services as activity
from engage.activity.models import Activity, Reach
from engage.engagements import files
from engage.engagements import services as engagements
from engage.engagements.models import Engagement, Lens, OutputKind, Step
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from engage.vocabularies.models import Area, Community, CommunityGroup, Theme
from engage.vocabularies.services import load_defaults
from tests.engagements.conftest import tell_story
from tests.factories import Factories

# Words that appear on no page unless the record they belong to is shown.
COMPLETED_TITLE = "Evening urgent care in Heywood"
IN_PROGRESS_TITLE = "Warm spaces this winter"
HELD_BACK_TITLE = "Sensitive safeguarding review"
CHALLENGE_TITLE = "Draft idea about parks"

INSIGHT_TEXT = "Carers could not get to the walk-in centre before it closed."
OUTPUT_FILE_BYTES = b"ward,visits\nHeywood,120\n"


@dataclass
class PublicWorld:
    completed: Engagement
    in_progress: Engagement
    held_back: Engagement
    at_challenge: Engagement
    theme: Theme
    area: Area


def _theme_and_area() -> tuple[Theme, Area]:
    load_defaults()
    db.session.commit()
    theme = db.session.scalars(select(Theme).order_by(Theme.position)).first()
    area = db.session.scalars(select(Area).where(Area.parent_id.is_not(None)).order_by(Area.name)).first()
    return theme, area


def _describe(engagement: Engagement, *, summary: str, theme: Theme, area: Area) -> None:
    lead = engagement.lead_user
    engagements.update_challenge(
        engagement, actor=lead, expected_version=None, title=engagement.title, summary=summary,
        challenge_statement=engagement.challenge_statement, why_now=engagement.why_now, area=area, themes=[theme],
        start_date=date(2026, 1, 5), end_date=date(2026, 4, 30), budget_pence=1_200_000)
    # Saved, so that the area chosen by its id is loaded before the record is next built.
    db.session.commit()


def complete(engagement_at, make: Factories, *, title: str = COMPLETED_TITLE, theme: Theme, area: Area,
             uploads_dir=None) -> Engagement:
    """At the story step with a theme, area, budget, insight, reach, an update, a link and a file; then
    completed, which publishes version 1."""
    partner_org = make.organisation(kind=OrganisationKind.VCFSE, name=f"{title} Carers Forum")
    engagement = engagement_at(Step.STORY, title=title, partner_organisation=partner_org)
    lead = engagement.lead_user
    _describe(engagement, summary="Opening the urgent care centre in the evenings, shaped with carers.",
              theme=theme, area=area)
    engagements.post_update(engagement, actor=lead, body="Four conversations held at the community centre.")
    logged = db.session.scalars(select(Activity).where(Activity.engagement_id == engagement.id)).first()
    activity.add_insight(logged, actor=lead, text=INSIGHT_TEXT, lens=Lens.CARERS, themes=[theme],
                         organisation=partner_org, system_blocker=True)
    community = db.session.scalar(select(Community).where(Community.name == "Unpaid carers"))
    if community is None:
        community = Community(name="Unpaid carers", group=CommunityGroup.NETWORK, position=1)
        db.session.add(community)
        db.session.flush()
    db.session.add(Reach(activity_id=logged.id, community_id=community.id, count=9))
    engagements.add_output(engagement, actor=lead, title="Evaluation report", kind=OutputKind.REPORT,
                           description="What the pilot showed.", url="https://example.org/report")
    if uploads_dir is not None:
        stored = files.store(io.BytesIO(OUTPUT_FILE_BYTES), "visits.csv")
        engagements.add_output(engagement, actor=lead, title="Visits by ward", kind=OutputKind.DATASET,
                               description="Counts of visits.", upload=stored)
    tell_story(engagement, lead)
    engagements.move_on(engagement, actor=lead)
    db.session.commit()
    return engagement


def build_world(engagement_at, make: Factories, uploads_dir=None) -> PublicWorld:
    theme, area = _theme_and_area()
    completed = complete(engagement_at, make, theme=theme, area=area, uploads_dir=uploads_dir)

    in_progress = engagement_at(Step.FRAME, title=IN_PROGRESS_TITLE)
    _describe(in_progress, summary="Keeping warm spaces open with the groups that run them.", theme=theme, area=area)
    engagements.update_engagement(in_progress, actor=in_progress.lead_user, expected_version=None,
                                  get_involved="Come to a *drop-in* at the library on Tuesdays.")
    engagements.post_update(in_progress, actor=in_progress.lead_user, body="Mapped twelve warm spaces so far.")

    held_back = engagement_at(Step.FRAME, title=HELD_BACK_TITLE)
    _describe(held_back, summary="Not for publication yet.", theme=theme, area=area)
    engagements.set_held_back(held_back, actor=held_back.lead_user, held_back=True,
                              reason="A safeguarding review is under way.")

    at_challenge = engagement_at(Step.CHALLENGE, title=CHALLENGE_TITLE)
    db.session.commit()
    return PublicWorld(completed=completed, in_progress=in_progress, held_back=held_back, at_challenge=at_challenge,
                       theme=theme, area=area)
