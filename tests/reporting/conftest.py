"""A small borough with known numbers, for the report card's tests.

Rows are inserted directly (with the dates each figure depends on), except publication, which goes through
the real service so the published records and the insight library are what residents see. The numbers the
report card should give for PERIOD are worked out by hand in `EXPECTED` (see the comments there), not by
calling the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from engage.activity.models import Activity, ActivityKind, Insight, Reach
from engage.agreements.models import Agreement, AgreementStatus
from engage.commitments.models import Commitment, CommitmentStatus, CommitmentUpdate
from engage.engagements.models import Collaborator, CollaboratorRole, Engagement, Lens, Level, Step
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from engage.publication import services as publishing
from engage.vocabularies.defaults import COMMUNITIES
from engage.vocabularies.models import Area, Community, CommunityGroup, Theme
from engage.vocabularies.services import load_defaults
from tests.factories import Factories

PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}
T1 = "having-services-that-meet-needs"
T2 = "an-active-life"


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


def install_communities() -> None:
    """The communities a new installation starts with (the migration adds them, but tables are emptied after
    every test, and `demo seed` does not add them)."""
    have = set(db.session.scalars(select(Community.name)))
    position = 0
    for group, names in COMMUNITIES:
        for name in names:
            position += 1
            if name not in have:
                db.session.add(Community(name=name, group=CommunityGroup(group), position=position))
    db.session.commit()


@dataclass
class Borough:
    lead_user_id: int
    slugs: dict[str, str]


@pytest.fixture
def borough(make: Factories) -> Borough:
    council = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR, name="Northbrook Council")
    alpha = make.organisation(name="Alpha Community Trust")
    beta = make.organisation(name="Beta Foodbank")
    gamma = make.organisation(name="Gamma Group")
    nhs = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR, name="Northbrook NHS Trust")
    lead = make.lead(organisation=council)
    partner = make.partner(organisation=alpha)
    load_defaults()
    install_communities()
    area = {a.slug: a for a in db.session.scalars(select(Area))}
    theme = {t.slug: t for t in db.session.scalars(select(Theme))}
    community = {c.name: c for c in db.session.scalars(select(Community))}

    def engagement(key: str, step: Step, level: Level, created: datetime, *, area_slug: str | None = None,
                   themes: tuple[str, ...] = (), held_back: bool = False) -> Engagement:
        e = Engagement(slug=f"engagement-{key}", title=f"Engagement {key.upper()}", lead_organisation_id=council.id,
                       lead_user_id=lead.id, summary="A summary.", current_step=step, level=level,
                       area_id=area[area_slug].id if area_slug else None, held_back=held_back,
                       held_back_reason="Waiting for the board." if held_back else "", created_at=created)
        e.themes = [theme[slug] for slug in themes]
        db.session.add(e)
        db.session.flush()
        return e

    e1 = engagement("e1", Step.FRAME, Level.CO_DESIGN, at(2026, 2, 1), area_slug="kirkholt", themes=(T1, T2))
    e2 = engagement("e2", Step.TEST, Level.CONSULT, at(2025, 10, 1), area_slug="heywood", themes=(T1,))
    e3 = engagement("e3", Step.COMPLETED, Level.CO_PRODUCE, at(2026, 1, 10), area_slug="langley", themes=(T2,))
    e4 = engagement("e4", Step.COMPLETED, Level.ENGAGE, at(2025, 6, 1))
    e5 = engagement("e5", Step.COMPLETED, Level.INFORM, at(2025, 1, 1), area_slug="wardle")
    e6 = engagement("e6", Step.STORY, Level.CO_PRODUCE, at(2026, 2, 1), area_slug="milnrow", held_back=True)
    e7 = engagement("e7", Step.CHALLENGE, Level.INFORM, at(2026, 3, 1), area_slug="hollin")
    e8 = engagement("e8", Step.COLLABORATORS, Level.CO_DESIGN, at(2026, 8, 1), area_slug="deeplish")

    vcfse, group, public = (CollaboratorRole.VCFSE_PARTNER, CollaboratorRole.COMMUNITY_GROUP,
                            CollaboratorRole.PUBLIC_SECTOR_PARTNER)
    for e, organisation, role in [(e1, alpha, vcfse), (e2, alpha, vcfse), (e2, beta, group), (e2, nhs, public),
                                  (e3, beta, vcfse), (e6, gamma, vcfse), (e8, gamma, vcfse)]:
        db.session.add(Collaborator(engagement_id=e.id, organisation_id=organisation.id, role=role))

    for e, organisation, version, status, signed, pence in [
        (e1, alpha, 1, AgreementStatus.SIGNED, at(2026, 3, 10), 123_456),
        (e1, alpha, 2, AgreementStatus.DRAFT, None, 5_000),
        (e2, alpha, 1, AgreementStatus.VARIED, at(2026, 1, 15), 99_999),
        (e2, beta, 1, AgreementStatus.SIGNED, at(2026, 4, 1), 20_000),
        (e2, beta, 2, AgreementStatus.SIGNED, at(2026, 7, 5), 50_000),
        (e6, gamma, 1, AgreementStatus.SIGNED, at(2026, 3, 1), 77_777),
    ]:
        db.session.add(Agreement(engagement_id=e.id, public_organisation_id=council.id,
                                 vcfse_organisation_id=organisation.id, version_number=version, status=status,
                                 signed_at=signed, funding_pence=pence,
                                 content_hash=None if signed is None else "0" * 64))

    def activity(e: Engagement, on: date, participants: int, minutes: int = 0,
                 reach: dict[str, int] | None = None) -> Activity:
        a = Activity(engagement_id=e.id, organisation_id=alpha.id, logged_by_id=partner.id, occurred_on=on,
                     kind=ActivityKind.WORKSHOP, title="A workshop", participants=participants,
                     volunteer_minutes=minutes)
        a.reach = [Reach(community_id=community[name].id, count=n) for name, n in (reach or {}).items()]
        db.session.add(a)
        db.session.flush()
        return a

    activity(e1, date(2026, 2, 10), 10, 90, {"Carers network": 4, "Age": 6})
    activity(e1, date(2026, 7, 1), 100, 600, {"Age": 50})
    activity(e2, date(2026, 1, 1), 5, 30, {"Carers network": 2})
    activity(e2, date(2025, 12, 31), 7, 60)
    a5 = activity(e3, date(2026, 6, 30), 20, 120, {"Age": 5})
    activity(e6, date(2026, 3, 1), 1000, 6000, {"Age": 900})
    activity(e7, date(2026, 3, 2), 500, 3000)
    a8 = activity(e4, date(2025, 7, 1), 3)
    a9 = activity(e5, date(2025, 3, 1), 4)

    def insight(a: Activity, text: str, lens: Lens, themes: tuple[str, ...] = (), blocker: bool = False) -> None:
        i = Insight(activity_id=a.id, engagement_id=a.engagement_id, text=text, lens=lens,
                    organisation_id=alpha.id, system_blocker=blocker)
        i.themes = [theme[slug] for slug in themes]
        db.session.add(i)

    insight(a5, "Referral forms ask for the same things three times.", Lens.LIVED_EXPERIENCE, (T1,), blocker=True)
    insight(a5, "Staff want more time with each family.", Lens.WORKFORCE, (T2,))
    insight(a5, "People like meeting in the library.", Lens.LIVED_EXPERIENCE)
    insight(a8, "Carers cannot get to daytime meetings.", Lens.CARERS, (T2,), blocker=True)
    insight(a9, "Shift patterns make training hard.", Lens.WORKFORCE, blocker=True)
    db.session.commit()

    for e, published in [(e3, at(2026, 3, 21)), (e4, at(2026, 5, 3)), (e5, at(2025, 6, 1))]:
        with time_machine.travel(published, tick=False):
            publishing.publish(e, actor=lead, change_note="First publication.")
            db.session.commit()

    # Commitments, made after publication (see tests/reporting/test_figures.py for what each one counts as).
    def commitment(e: Engagement, made: datetime, due: date, status: CommitmentStatus = CommitmentStatus.PLANNED,
                   *, done_on: date | None = None, stopped_on: date | None = None) -> None:
        c = Commitment(engagement_id=e.id, action=f"Commitment made on {made.date()}", due_date=due, status=status,
                       responsible_organisation_id=alpha.id, done_on=done_on, created_at=made, updated_at=made,
                       reason="The budget was cut." if stopped_on else "")
        if stopped_on:
            c.updates = [CommitmentUpdate(occurred_on=stopped_on, body="Not going ahead.",
                                          status_from=CommitmentStatus.PLANNED, status_to=status)]
        db.session.add(c)

    done, stopped, going = CommitmentStatus.DONE, CommitmentStatus.NOT_GOING_AHEAD, CommitmentStatus.IN_PROGRESS
    commitment(e3, at(2026, 3, 25), date(2026, 4, 30), done, done_on=date(2026, 4, 20))  # c1
    commitment(e3, at(2026, 3, 25), date(2026, 4, 30), done, done_on=date(2026, 5, 15))  # c2
    commitment(e3, at(2026, 3, 26), date(2026, 5, 31), going)  # c3
    commitment(e3, at(2026, 3, 26), date(2026, 9, 30))  # c4
    commitment(e3, at(2026, 3, 26), date(2026, 6, 30), stopped, stopped_on=date(2026, 6, 1))  # c5
    commitment(e4, at(2026, 5, 4), date(2026, 6, 15), done, done_on=date(2026, 6, 15))  # c6
    commitment(e4, at(2026, 7, 2), date(2026, 7, 31), done, done_on=date(2026, 7, 20))  # c7
    commitment(e4, at(2026, 5, 4), date(2026, 6, 1), stopped, stopped_on=date(2026, 7, 3))  # c8
    commitment(e5, at(2025, 6, 10), date(2025, 12, 31), done, done_on=date(2026, 1, 5))  # c9
    commitment(e5, at(2025, 6, 10), date(2025, 10, 1))  # c10
    commitment(e6, at(2026, 3, 1), date(2026, 4, 1))  # c11, held back
    db.session.commit()
    return Borough(lead_user_id=lead.id, slugs={k: f"engagement-{k}" for k in ("e1", "e2", "e3", "e4", "e5")})
