"""Three demo engagements, drawn from a real programme of co-operative engagement "toolkit tests",
left at different steps so that every part of the workspace has something to show."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engage.accounts.models import User
from engage.activity import services as activity
from engage.activity.models import ActivityKind, Community
from engage.agreements import services as agreements
from engage.agreements.models import Agreement
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


def _agreement(e: Engagement, *, lead: User, partner: User, funding_pence: int, milestones: list[tuple[str, date]],
               sign: bool) -> Agreement:
    """An expectation agreement with the partner's organisation: proposed, and signed by both if `sign`."""
    agreement = agreements.start_agreement(e, actor=lead, vcfse=partner.organisation)
    agreements.update_draft(
        agreement, actor=lead,
        purpose=f"Change {e.hooks[0].title} with the people it affects, not just tell them about it.",
        vcfse_deliverables="A programme of grassroot gatherings and conversations in community venues, run by "
                           "the partner's networks, with a short report of what people said.",
        reach="Around 150 residents, including people who rarely take part: carers, people living alone and "
              "people on low incomes.",
        criteria="Gatherings held as planned; activity and insight logged in this service within two weeks.",
        public_commitments="Fund the partner's time, provide venues and a decision-maker at each gathering, and "
                           "publish what changed as a result.",
        funding_pence=funding_pence, payment_schedule="Half on signing; half when the report is received.",
        decision_maker_access="The programme's senior responsible officer attends the final gathering and "
                              "the board hears the findings directly from the partner.",
        feedback_commitment="A 'you said, we did' update to everyone who took part within three months.",
        timescales="Twelve weeks from signing, with no meetings in school holidays.",
        reporting="Activities and insight logged in this service; a monthly check-in call.",
        data_protection="No names are recorded. Consent is asked for photos and quotes. Safeguarding concerns "
                        "follow the partner's policy and the borough's procedures.",
        publication="This agreement is part of the engagement's public record, without personal contact "
                    "details.",
        disagreements="Raised first between the two signatories; then with the VCFSE influencing group's chair.",
        review_date=date(2027, 3, 31), public_signatory_id=lead.id, vcfse_signatory_id=partner.id,
    )
    for title, due in milestones:
        agreements.add_milestone(agreement, actor=lead, title=title, due_date=due)
    agreements.propose(agreement, actor=lead)
    db.session.flush()
    if sign:
        for user in (lead, partner):
            agreements._sign_once(agreement.id, user, user.name, agreement.content_hash)
    return agreement


def _communities(*names: str) -> list[Community]:
    return list(db.session.scalars(select(Community).where(Community.name.in_(names))))


def _activity(e: Engagement, *, by: User, on: date, kind: ActivityKind, title: str, description: str,
              area: str | None, participants: int, volunteer_hours: float, staff_hours: float, spend_pence: int,
              reach: dict[str, int], insights: list[tuple[str, Lens, list[str], bool]],
              planned_test_id: int | None = None):
    communities = {c.name: c.id for c in _communities(*reach)}
    logged = activity.log_activity(e, actor=by, data=activity.ActivityInput(
        occurred_on=on, kind=kind, title=title, description=description, area=_area(area) if area else None,
        participants=participants, volunteer_minutes=round(volunteer_hours * 60),
        staff_minutes=round(staff_hours * 60), spend_pence=spend_pence, milestone_id=None,
        planned_test_id=planned_test_id,
        reach={communities[name]: count for name, count in reach.items() if name in communities}))
    for text, lens, themes, blocker in insights:
        activity.add_insight(logged, actor=by, text=text, lens=lens, themes=_themes(*themes),
                             organisation=by.organisation, system_blocker=blocker)
    return logged


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
    _agreement(e, lead=lead, partner=partner, funding_pence=150_000, sign=True, milestones=[
        ("First grassroot gathering in Kirkholt", date(2026, 10, 15)),
        ("Peer researchers trained", date(2026, 11, 30)),
        ("Findings shared with the commissioning group", date(2027, 1, 22)),
    ])
    services.move_on(e, actor=lead)
    _activity(e, by=partner, on=date(2026, 10, 14), kind=ActivityKind.COMMUNITY_EVENT,
              title="Grassroot gathering at Kirkholt community centre",
              description="An evening gathering with food. Two tables were run by the peer support network; "
                          "people mapped the services they had tried and where they got stuck.",
              area="Kirkholt", participants=23, volunteer_hours=14, staff_hours=6, spend_pence=18_500,
              reach={"Mental health network": 11, "Carers network": 4, "People living alone": 6,
                     "Disability": 5},
              insights=[
                  ("People are told they are \u2018too complex\u2019 for one service and \u2018not unwell "
                   "enough\u2019 for the next.", Lens.LIVED_EXPERIENCE, ["Having services that meet needs"], True),
                  ("It's all about relationships: people stayed with the group that knew them by name.",
                   Lens.COMMUNITIES, ["Culture and social life"], False),
              ])
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
    _agreement(e, lead=lead, partner=partner, funding_pence=0, sign=True, milestones=[
        ("Conversations at four existing groups", date(2026, 5, 29)),
        ("Report of what helps", date(2026, 7, 17)),
    ])
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
    test = e.planned_tests[0]
    _activity(e, by=partner, on=date(2026, 5, 12), kind=ActivityKind.SOCIAL_ACTIVITY,
              title="Self-care conversation at the Heywood lunch club",
              description="Self-care champions joined the monthly lunch club and talked with members over lunch "
                          "about what helps them stay well.",
              area="Heywood", participants=31, volunteer_hours=9, staff_hours=4, spend_pence=4_000,
              reach={"Older people's network": 18, "People living alone": 12, "Age": 25},
              planned_test_id=test.id,
              insights=[
                  ("Friends and groups matter more than apps: people look after themselves when someone "
                   "expects to see them.", Lens.COMMUNITIES, ["Culture and social life", "An active life"], False),
                  ("Advice changes so often that people stop trusting any of it.", Lens.LIVED_EXPERIENCE,
                   ["Education and learning"], False),
                  ("The bus to the leisure centre stopped running, so the exercise referral scheme is out of reach "
                   "for people without a car.", Lens.COMMUNITIES, ["Neighbourhood and environment"], True),
              ])
    activity.record_test_result(test, actor=partner,
                                what_happened="Champions visited a craft group, a walking group and two lunch "
                                              "clubs once a month for two months.",
                                what_it_showed="Members of three of the four groups could name one thing they now "
                                               "do differently; the craft group wanted fewer visits.")
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
    services.add_collaborator(e, actor=lead, organisation=_org("Healthwatch Northbrook"),
                              role=CollaboratorRole.HEALTHWATCH)
    _agreement(e, lead=lead, partner=_user("healthwatch@demo.example.org"), funding_pence=100_000, sign=False,
               milestones=[("Walk-in survey at three sites", date(2026, 11, 20)),
                           ("Findings to the programme board", date(2026, 12, 11))])
