"""Three demo engagements, drawn from a real programme of co-operative engagement "toolkit tests",
left at different steps so that every part of the workspace has something to show."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engage.accounts.models import User
from engage.engagements import services
from engage.engagements.models import CollaboratorRole, Engagement, Lens, Level, OutputKind
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.vocabularies.models import Area, Theme

GUIDE_YES = {"decision_made": False, "input_can_change": True, "specific_community": True,
             "partner_budget": True, "enough_time": True, "lived_experience_ready": True}


def _org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _area(name: str) -> Area | None:
    return db.session.scalar(select(Area).where(Area.name == name))


def _themes(*names: str) -> list[Theme]:
    return list(db.session.scalars(select(Theme).where(Theme.name.in_(names))))


def seed_engagements() -> int:
    """Add the demo engagements that are missing. Returns how many were added."""
    added = 0
    if _user("lead@demo.example.org") is None or _user("nhs.lead@demo.example.org") is None:
        return added  # the demo accounts have been removed: nobody to lead the demo engagements
    for build in (_mental_health_pathways, _self_care_policy, _urgent_care_redesign):
        title = build.__doc__.strip()
        if db.session.scalar(select(Engagement.id).where(Engagement.title == title)) is None:
            build(title)
            added += 1
    db.session.flush()
    return added


def _mental_health_pathways(title: str) -> None:
    """Mental health pathways"""
    lead = _user("lead@demo.example.org")
    partner = _user("partner@demo.example.org")
    e = services.open_engagement(title=title, actor=lead)
    services.update_challenge(
        e, actor=lead, expected_version=None, title=title,
        summary="How people move between community support and mental health services, and where they fall "
                "through the gaps. We are working it out with the people who have made those journeys.",
        challenge_statement="People who are too unwell for community groups but not unwell enough for specialist "
                            "services are passed between organisations. How do we design pathways around the "
                            "person rather than around each service's thresholds?",
        why_now="The locality plan names co-operative engagement as an enabler, and the mental health "
                "commissioning intentions are being refreshed this year.",
        area=_area("Kirkholt"), themes=_themes("Having services that meet needs", "Improving our internal thinking"),
        start_date=date(2026, 9, 1), end_date=date(2027, 1, 29), budget_pence=150_000,
    )
    services.add_hook(e, actor=lead, title="The borough's locality plan")
    services.add_hook(e, actor=lead, title="Mental health commissioning intentions 2027")
    services.choose_level(e, actor=lead, expected_version=None, answers=GUIDE_YES, level=Level.CO_PRODUCE,
                          rationale="People with lived experience are ready to take part through the peer "
                                    "support network, and £1,500 is set aside for the VCFSE partner.")
    services.move_on(e, actor=lead)
    services.add_collaborator(e, actor=lead, organisation=_org("Common Ground Northbrook"),
                              role=CollaboratorRole.VCFSE_PARTNER)
    services.add_collaborator(e, actor=lead, organisation=_org("Healthwatch Northbrook"),
                              role=CollaboratorRole.HEALTHWATCH)
    services.move_on(e, actor=lead)
    services.add_perspective(e, actor=partner, organisation=_org("Common Ground Northbrook"),
                             lens=Lens.LIVED_EXPERIENCE,
                             text="Support is organised around single issues rather than the whole person. "
                                  "People describe being \u2018too complex\u2019 for every service they try.")
    services.add_perspective(e, actor=lead, organisation=None, lens=Lens.WORKFORCE,
                             text="Staff want to refer people on but do not know what the community offers "
                                  "this week; the directory is out of date.")
    services.add_idea(e, actor=partner, proposed_by="Peer support network members",
                      organisation=_org("Common Ground Northbrook"),
                      text="A named community connector who stays with a person across services.",
                      imagined_impact="Fewer people dropping out between referral and first appointment.")
    services.post_update(e, actor=partner, body="First grassroot gathering held at the Kirkholt community "
                                                "centre: 23 people came, and the peer network ran two tables.")


def _self_care_policy(title: str) -> None:
    """Self-care policy"""
    lead = _user("nhs.lead@demo.example.org")
    partner = _user("healthwatch@demo.example.org")
    e = services.open_engagement(title=title, actor=lead)
    services.update_challenge(
        e, actor=lead, expected_version=None, title=title,
        summary="The borough's self-care policy takes a strengths-based approach. We asked residents what "
                "actually helps them look after their own health, to shape how the policy is put into practice.",
        challenge_statement="What helps people look after their own health and wellbeing, and what gets in "
                            "the way?",
        why_now="The self-care policy was agreed in 2019 and its training, digital tools and self-care "
                "champions are being rolled out.",
        area=_area("Heywood"), themes=_themes("An active life", "Education and learning"),
        start_date=date(2026, 3, 2), end_date=date(2026, 7, 31), budget_pence=0,
    )
    services.add_hook(e, actor=lead, title="The borough self-care policy")
    services.add_hook(e, actor=lead, title="The prevention strategy")
    answers = dict(GUIDE_YES, partner_budget=False)
    services.choose_level(e, actor=lead, expected_version=None, answers=answers, level=Level.ENGAGE,
                          rationale="The guide recommends consulting, but Healthwatch is resourcing the "
                                    "conversations from its own programme, so we can engage more deeply.")
    services.move_on(e, actor=lead)
    services.add_collaborator(e, actor=lead, organisation=_org("Healthwatch Northbrook"),
                              role=CollaboratorRole.HEALTHWATCH)
    services.add_collaborator(e, actor=lead, organisation=_org("Millside Arts Collective"),
                              role=CollaboratorRole.COMMUNITY_GROUP)
    services.move_on(e, actor=lead)
    services.add_perspective(e, actor=partner, organisation=_org("Healthwatch Northbrook"),
                             lens=Lens.COMMUNITIES,
                             text="People trust advice from neighbours and community groups more than leaflets.")
    idea = services.add_idea(e, actor=partner, proposed_by="Millside Arts Collective",
                             organisation=_org("Millside Arts Collective"),
                             text="Self-care conversations at existing arts and social groups, not new events.",
                             imagined_impact="People hear about self-care where they already are.")
    services.add_planned_test(e, actor=lead, idea=idea, what="Self-care champions join four existing groups",
                              how="Two months of monthly visits to a craft group, a walking group and two "
                                  "lunch clubs",
                              success_measure="Members can name one thing they now do differently")
    services.move_on(e, actor=lead)
    services.move_on(e, actor=lead)
    services.update_engagement(
        e, actor=lead, expected_version=None,
        story_we_asked="What helps you look after your own health, and what gets in the way?",
        story_you_said="- Friends and groups matter more than apps\n- Advice is confusing and changes too often\n"
                       "- Cost and transport stop people joining activities",
        story_we_did="Self-care champions joined four existing groups instead of running new events.",
    )
    services.add_output(e, actor=partner, title="What helps: a Healthwatch report", kind=OutputKind.REPORT,
                        description="Findings from 140 conversations across Heywood.",
                        url="https://healthwatch-northbrook.example.org/reports/self-care")


def _urgent_care_redesign(title: str) -> None:
    """Urgent care redesign"""
    lead = _user("nhs.lead@demo.example.org")
    e = services.open_engagement(title=title, actor=lead)
    services.update_challenge(
        e, actor=lead, expected_version=None, title=title,
        summary="How urgent care should work in the borough, shaped by the people who use it.",
        challenge_statement="When people need care urgently but it is not an emergency, where do they go, and "
                            "why? What would make the right place the easy choice?",
        why_now="The urgent care redesign programme will decide next year's model of walk-in and out-of-hours "
                "services.",
        area=None, themes=_themes("Having services that meet needs"),
        start_date=date(2026, 10, 5), end_date=date(2026, 12, 18), budget_pence=100_000,
    )
    services.add_hook(e, actor=lead, title="Urgent care redesign programme")
    services.choose_level(e, actor=lead, expected_version=None, answers=dict(GUIDE_YES, enough_time=False),
                          level=Level.ENGAGE,
                          rationale="The programme board meets in December, so there is less than 12 weeks.")
    services.move_on(e, actor=lead)
