"""Demo engagements, drawn from a real programme of co-operative engagement "toolkit tests" and the
borough's place-based work: one at every step, and one completed and published with a correction, so that
every part of the workspace and of the public site has something to show."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from engage.accounts.models import User
from engage.activity import services as activity
from engage.activity.models import ActivityKind
from engage.agreements import services as agreements
from engage.agreements.models import Agreement, MilestoneStatus
from engage.clock import today
from engage.demo.commitments import seed_commitments
from engage.engagements import services
from engage.engagements.models import CollaboratorRole, Engagement, Lens, Level, OutputKind
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.publication import services as publishing
from engage.vocabularies.models import Area, Community, Theme

# The demo tells a story written as of this day. Seeded on any other day, every date in it moves by the same
# whole number of weeks (rounded down, so nothing that had happened lies in the future), keeping its weekdays.
WRITTEN_AS_OF = date(2026, 12, 2)


def _on(year: int, month: int, day: int) -> date:
    weeks = (today() - WRITTEN_AS_OF).days // 7
    return date(year, month, day) + timedelta(weeks=weeks)


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
        review_date=_on(2027, 3, 31), public_signatory_id=lead.id, vcfse_signatory_id=partner.id,
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
    for build in (_mental_health_pathways, _self_care_policy, _urgent_care_redesign, _neighbourhood_support,
                  _staying_well_at_home, _trauma_informed_front_doors):
        title = build.__doc__.strip()
        if db.session.scalar(select(Engagement.id).where(Engagement.title == title)) is None:
            build(title)
            added += 1
    db.session.flush()
    seed_commitments()  # a database seeded before there were commitments gets them too
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
        start_date=_on(2026, 9, 1), end_date=_on(2027, 1, 29), budget_pence=150_000,
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
        ("First grassroot gathering in Kirkholt", _on(2026, 10, 15)),
        ("Peer researchers trained", _on(2026, 11, 30)),
        ("Findings shared with the commissioning group", _on(2027, 1, 22)),
    ])
    services.move_on(e, actor=lead)
    _activity(e, by=partner, on=_on(2026, 10, 14), kind=ActivityKind.COMMUNITY_EVENT,
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
    services.update_engagement(
        e, actor=lead, expected_version=None,
        get_involved="Come to the next grassroot gathering at the Kirkholt community centre, or ask the peer "
                     "support network about its monthly meeting. You do not need to have used any service.")


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
        start_date=_on(2026, 3, 2), end_date=_on(2026, 7, 31), budget_pence=0,
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
        ("Conversations at four existing groups", _on(2026, 5, 29)),
        ("Report of what helps", _on(2026, 7, 17)),
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
    _activity(e, by=partner, on=_on(2026, 5, 12), kind=ActivityKind.SOCIAL_ACTIVITY,
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
        get_involved="Self-care champions are visiting groups across Heywood until the summer. If your group "
                     "would like a visit, ask Healthwatch Northbrook.",
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
        start_date=_on(2026, 10, 5), end_date=_on(2026, 12, 18), budget_pence=100_000,
    )
    services.add_hook(e, actor=lead, title="Urgent care redesign programme")
    services.choose_level(e, actor=lead, expected_version=None, answers=dict(GUIDE_YES, enough_time=False),
                          level=Level.ENGAGE,
                          rationale="The programme board meets in December, so there is less than 12 weeks.")
    services.move_on(e, actor=lead)
    services.add_collaborator(e, actor=lead, organisation=_org("Healthwatch Northbrook"),
                              role=CollaboratorRole.HEALTHWATCH)
    _agreement(e, lead=lead, partner=_user("healthwatch@demo.example.org"), funding_pence=100_000, sign=False,
               milestones=[("Walk-in survey at three sites", _on(2026, 11, 20)),
                           ("Findings to the programme board", _on(2026, 12, 11))])
    services.update_engagement(
        e, actor=lead, expected_version=None,
        get_involved="In November, volunteers will ask people waiting at the three walk-in sites a few short "
                     "questions. You can also tell Healthwatch Northbrook about your last urgent care visit.")


def _finish_milestones(agreement: Agreement, actor: User) -> None:
    for milestone in agreement.milestones:
        agreements.set_milestone_status(milestone, actor=actor, status=MilestoneStatus.DONE)


# The first published version had the return on investment the wrong way round; the correction is
# the demo's second version, so residents can see how a change note reads.
FIRST_SO_WHAT = ("Fewer people were passed from service to service: most left the weekly session with one plan "
                 "for all their needs. An early cost-benefit estimate found about £3.86 returned for each £1 of "
                 "existing resource, with the cost paid back within five years.")
CORRECTED_SO_WHAT = FIRST_SO_WHAT.replace("£3.86", "£3.68")
CORRECTION_NOTE = ("Corrected the return on investment in \u2018So what?\u2019: the cost-benefit estimate is £3.68 "
                   "for each £1, not £3.86 as first published.")


def _neighbourhood_support(title: str) -> None:
    """Neighbourhood support in Langley"""
    lead = _user("lead@demo.example.org")
    partner = _user("partner@demo.example.org")
    e = services.open_engagement(title=title, actor=lead)
    services.update_challenge(
        e, actor=lead, expected_version=None, title=title,
        summary="A neighbourhood of about 4,000 people in Langley tried one joined-up team in place of separate "
                "referrals. Residents, a care co-operative and community groups designed it with us and judged "
                "whether it worked.",
        challenge_statement="People in Langley with more than one need were referred between several services, "
                            "each with its own thresholds and waiting list. Could one neighbourhood team, working "
                            "with community groups, meet the whole person at the first conversation?",
        why_now="The scrutiny review of place-based working asked for a tested model before the approach is "
                "extended to other neighbourhoods under the locality plan.",
        area=_area("Langley"),
        themes=_themes("Having services that meet needs", "Having good relationships in a good home",
                       "Meaningful occupation and sufficient income"),
        start_date=_on(2026, 1, 12), end_date=_on(2026, 7, 31), budget_pence=150_000,
    )
    services.add_hook(e, actor=lead, title="The borough's locality plan")
    services.add_hook(e, actor=lead, title="Scrutiny review of place-based working: recommendations")
    services.choose_level(e, actor=lead, expected_version=None, answers=GUIDE_YES, level=Level.CO_PRODUCE,
                          rationale="Residents and the care co-operative ran the test sessions with us and shared "
                                    "the decision on whether to keep the model, with six months and a funded "
                                    "VCFSE partner.")
    services.move_on(e, actor=lead)
    services.add_collaborator(e, actor=lead, organisation=_org("Common Ground Northbrook"),
                              role=CollaboratorRole.VCFSE_PARTNER)
    services.add_collaborator(e, actor=lead, organisation=_org("Kirkfield Care Co-operative"),
                              role=CollaboratorRole.COMMUNITY_GROUP)
    services.add_collaborator(e, actor=lead, organisation=_org("Healthwatch Northbrook"),
                              role=CollaboratorRole.HEALTHWATCH)
    agreement = _agreement(e, lead=lead, partner=partner, funding_pence=150_000, sign=True, milestones=[
        ("Ideas Shop in Langley", _on(2026, 2, 13)),
        ("Twelve weeks of joined-up sessions", _on(2026, 5, 29)),
        ("Residents' verdict on the model", _on(2026, 7, 10)),
    ])
    db.session.flush()
    _finish_milestones(agreement, lead)
    services.move_on(e, actor=lead)
    kirkfield = _org("Kirkfield Care Co-operative")
    services.add_perspective(e, actor=partner, organisation=_org("Common Ground Northbrook"),
                             lens=Lens.LIVED_EXPERIENCE,
                             text="Telling the same story to five services is exhausting, and each one only hears "
                                  "the part it deals with.")
    services.add_perspective(e, actor=lead, organisation=kirkfield, lens=Lens.WORKFORCE,
                             text="Care workers notice when someone is struggling long before a referral is made, "
                                  "but there is nobody to tell.")
    services.add_perspective(e, actor=lead, organisation=e.lead_organisation, lens=Lens.SYSTEM_LEADERS,
                             text="Each service's thresholds make sense on their own; together they leave people "
                                  "with several needs waiting for all of them.")
    session_idea = services.add_idea(
        e, actor=partner, proposed_by="Residents at the Langley Ideas Shop",
        organisation=_org("Common Ground Northbrook"),
        text="One weekly session where council, health, care and community group staff meet people together.",
        imagined_impact="People leave with one plan instead of a handful of referrals.")
    route_idea = services.add_idea(
        e, actor=lead, proposed_by="Kirkfield Care Co-operative", organisation=kirkfield,
        text="A direct route from care workers to the neighbourhood team.",
        imagined_impact="Worries are picked up in days, not weeks.")
    services.add_planned_test(e, actor=lead, idea=session_idea, what="A weekly joined-up session at the Langley "
                                                                     "community hub",
                              how="Twelve weeks of Tuesday morning drop-ins with council, health, care co-operative "
                                  "and community group staff in one room",
                              success_measure="Most people leave with a plan that covers all their needs")
    services.add_planned_test(e, actor=lead, idea=route_idea, what="Care workers refer straight to the team",
                              how="Care workers at the co-operative use a one-page referral for eight weeks",
                              success_measure="Concerns reach the team within two working days")
    services.move_on(e, actor=lead)
    session_test, route_test = e.planned_tests
    _activity(e, by=partner, on=_on(2026, 2, 10), kind=ActivityKind.WORKSHOP,
              title="Ideas Shop at the Langley community hub",
              description="An afternoon Ideas Shop with a free lunch. Residents mapped the services they had been "
                          "sent to in the last year and designed the weekly session.",
              area="Langley", participants=34, volunteer_hours=20, staff_hours=12, spend_pence=32_000,
              reach={"People on low incomes": 12, "People living alone": 9, "Carers network": 6, "Age": 14},
              insights=[
                  ("People with several needs are \u2018too complex\u2019 for any one service, so they wait for all "
                   "of them.", Lens.LIVED_EXPERIENCE, ["Having services that meet needs"], True),
                  ("It's all about relationships: people came back because the same faces were there each week.",
                   Lens.COMMUNITIES, ["Having good relationships in a good home"], False),
              ])
    _activity(e, by=partner, on=_on(2026, 4, 28), kind=ActivityKind.COMMUNITY_EVENT,
              title="Joined-up Tuesday sessions, weeks 1 to 12",
              description="Weekly drop-ins at the community hub with staff from the council, the care partnership, "
                          "the care co-operative and two community groups.",
              area="Langley", participants=57, volunteer_hours=36, staff_hours=60, spend_pence=48_000,
              reach={"People on low incomes": 21, "Mental health network": 8, "Disability": 11},
              planned_test_id=session_test.id,
              insights=[
                  ("Prevention and response work best together: the same session dealt with debt, a housing "
                   "repair and a hospital discharge.", Lens.SYSTEM_LEADERS,
                   ["Having services that meet needs", "Meaningful occupation and sufficient income"], False),
                  ("What people told earlier consultations had not been passed on, so they were asked the same "
                   "questions again.", Lens.LIVED_EXPERIENCE, ["Improving our internal thinking"], True),
              ])
    _activity(e, by=lead, on=_on(2026, 5, 20), kind=ActivityKind.WORKSHOP,
              title="Care workers' review of the direct route",
              description="Care workers from the co-operative met the neighbourhood team to review eight weeks of "
                          "direct referrals.",
              area="Langley", participants=12, volunteer_hours=0, staff_hours=18, spend_pence=6_000,
              reach={}, planned_test_id=route_test.id,
              insights=[
                  ("A strong and supported workforce: care workers acted on worries sooner when they knew who "
                   "would pick them up.", Lens.WORKFORCE, ["Having services that meet needs"], False),
              ])
    activity.record_test_result(session_test, actor=partner,
                                what_happened="Twelve Tuesday sessions were held; 57 people came, most more than "
                                              "once.",
                                what_it_showed="Four in five people left with a single plan, and referrals on to "
                                               "other services fell by half.")
    activity.record_test_result(route_test, actor=lead,
                                what_happened="Care workers made 19 direct referrals in eight weeks.",
                                what_it_showed="Every concern was picked up within two working days, against a "
                                               "usual wait of three weeks.")
    services.post_update(e, actor=partner, body="The Ideas Shop designed the weekly session: it starts on the "
                                                "first Tuesday after Easter at the community hub.")
    services.post_update(e, actor=lead, body="Twelve weeks of joined-up sessions are done. Residents meet in July "
                                             "to decide whether the model should stay.")
    services.move_on(e, actor=lead)
    services.update_engagement(
        e, actor=lead, expected_version=None,
        story_we_asked="What gets in the way when you need help from more than one service, and what would a "
                       "joined-up neighbourhood team have to do to be worth coming to?",
        story_you_said="- Telling the same story to every service is exhausting\n"
                       "- Thresholds leave people with several needs waiting for all of them\n"
                       "- People come back to the same faces, week after week",
        story_we_did="We ran a weekly joined-up session at the Langley community hub for twelve weeks, and gave "
                     "care workers a direct route to the neighbourhood team.",
        story_so_what=FIRST_SO_WHAT,
        story_what_now="The weekly session continues, run with the care co-operative and community groups, and the "
                       "model is being offered to two more neighbourhoods of 3,000 to 5,000 people next year.",
        get_involved="The weekly session is open to anyone living in Langley: drop in at the community hub on "
                     "Tuesday mornings.",
    )
    services.add_output(e, actor=partner, title="One conversation, not five: the Langley test",
                        kind=OutputKind.REPORT,
                        description="What residents, care workers and staff found in twelve weeks of joined-up "
                                    "sessions.",
                        url="https://commonground.example.org/reports/langley-neighbourhood-support")
    services.add_output(e, actor=lead, title="Cost-benefit summary", kind=OutputKind.DATASET,
                        description="The estimate of costs and benefits over five years, in a spreadsheet.",
                        url="https://www.northbrook.example.org/open-data/langley-cost-benefit")
    services.move_on(e, actor=lead)  # completed: the first version is published at once
    db.session.flush()
    services.update_engagement(e, actor=lead, expected_version=None, story_so_what=CORRECTED_SO_WHAT)
    publishing.publish(e, actor=lead, change_note=CORRECTION_NOTE)
    db.session.flush()
    seed_commitments()  # what happened after publication


def _staying_well_at_home(title: str) -> None:
    """Staying well at home"""
    lead = _user("nhs.lead@demo.example.org")
    partner = _user("partner@demo.example.org")
    e = services.open_engagement(title=title, actor=lead)
    services.update_challenge(
        e, actor=lead, expected_version=None, title=title,
        summary="How older people in the Pennines can stay well at home for longer, with home care, neighbours "
                "and community groups working together rather than one after another.",
        challenge_statement="Home care visits are timed to tasks, and little is known about what else would help "
                            "people stay independent. What would help older people living alone stay well at "
                            "home, and who is best placed to offer it?",
        why_now="The prevention strategy commits the partnership to fewer avoidable hospital admissions among "
                "older people, and home care contracts are due to be renewed.",
        area=_area("Pennines"),
        themes=_themes("Having good relationships in a good home", "An active life", "Culture and social life"),
        start_date=_on(2026, 6, 1), end_date=_on(2027, 2, 26), budget_pence=150_000,
    )
    services.add_hook(e, actor=lead, title="The prevention strategy")
    services.add_hook(e, actor=lead, title="Home care recommissioning")
    services.choose_level(e, actor=lead, expected_version=None, answers=GUIDE_YES, level=Level.CO_DESIGN,
                          rationale="Older people and care workers design the tests with us, but the contract "
                                    "decision stays with the partnership board, so we promise co-design rather "
                                    "than co-production.")
    services.move_on(e, actor=lead)
    services.add_collaborator(e, actor=lead, organisation=_org("Common Ground Northbrook"),
                              role=CollaboratorRole.VCFSE_PARTNER)
    services.add_collaborator(e, actor=lead, organisation=_org("Kirkfield Care Co-operative"),
                              role=CollaboratorRole.COMMUNITY_GROUP)
    _agreement(e, lead=lead, partner=partner, funding_pence=150_000, sign=True, milestones=[
        ("Phone round volunteers recruited", _on(2026, 7, 31)),
        ("Ten weeks of phone calls", _on(2026, 10, 9)),
        ("Extra time in home care visits reviewed", _on(2026, 12, 18)),
    ])
    services.move_on(e, actor=lead)
    kirkfield = _org("Kirkfield Care Co-operative")
    services.add_perspective(e, actor=partner, organisation=_org("Common Ground Northbrook"), lens=Lens.CARERS,
                             text="Families living away worry most about the days when nobody calls in.")
    services.add_perspective(e, actor=lead, organisation=kirkfield, lens=Lens.WORKFORCE,
                             text="Visits are timed to tasks, so there is no time to notice that someone has "
                                  "stopped eating or going out.")
    call_idea = services.add_idea(e, actor=partner, proposed_by="Older people's network members",
                                  organisation=_org("Common Ground Northbrook"),
                                  text="A neighbour-to-neighbour phone round for people living alone.",
                                  imagined_impact="People feel less alone and know where to turn.")
    visit_idea = services.add_idea(e, actor=lead, proposed_by="Kirkfield Care Co-operative", organisation=kirkfield,
                                   text="Time in each visit for a conversation about how someone is doing.",
                                   imagined_impact="Changes in health are spotted and acted on earlier.")
    services.add_planned_test(e, actor=lead, idea=call_idea, what="A weekly phone round in Wardle",
                              how="Volunteers from the older people's network ring twenty people living alone each "
                                  "week for ten weeks",
                              success_measure="People say they feel less alone and know where to turn")
    services.add_planned_test(e, actor=lead, idea=visit_idea, what="Fifteen extra minutes a visit",
                              how="Care workers add a wellbeing conversation to one visit a week for twenty "
                                  "people, for three months",
                              success_measure="Changes in health are spotted earlier than before")
    services.move_on(e, actor=lead)
    call_test = e.planned_tests[0]
    _activity(e, by=partner, on=_on(2026, 10, 9), kind=ActivityKind.OUTREACH,
              title="Weekly phone round, weeks 1 to 10",
              description="Eight volunteers rang twenty people living alone every week and met them for a cuppa "
                          "at the end.",
              area="Wardle", participants=28, volunteer_hours=64, staff_hours=10, spend_pence=9_500,
              reach={"Older people's network": 20, "People living alone": 20, "Age": 20},
              planned_test_id=call_test.id,
              insights=[
                  ("People were more willing to mention a fall or a worry to a neighbour than to a professional.",
                   Lens.LIVED_EXPERIENCE, ["Having good relationships in a good home"], False),
                  ("Building self-efficacy: several people went on to join a group they had heard about on the "
                   "calls.", Lens.ACTIVE_CITIZENS, ["Culture and social life", "An active life"], False),
              ])
    activity.record_test_result(call_test, actor=partner,
                                what_happened="Eight volunteers made around 190 calls over ten weeks.",
                                what_it_showed="Seventeen of the twenty people said they felt less alone; six "
                                               "joined a local group.")
    services.post_update(e, actor=partner, body="The phone round has finished its ten weeks. The extra time in "
                                                "home care visits runs until December.")
    services.update_engagement(
        e, actor=lead, expected_version=None,
        get_involved="If you live in Wardle or Littleborough and would like a weekly call, or would like to make "
                     "one, ask at Littleborough library or any of the older people's network groups.")


def _trauma_informed_front_doors(title: str) -> None:
    """Trauma-informed front doors"""
    lead = _user("lead@demo.example.org")
    e = services.open_engagement(title=title, actor=lead)
    services.update_challenge(
        e, actor=lead, expected_version=None, title=title,
        summary="How the council's reception desks, phone lines and online forms feel to people who have lived "
                "through trauma, and what would make them safer to approach.",
        challenge_statement="People who have experienced trauma often put off asking for help because the first "
                            "contact feels like an assessment. How can the borough's front doors build trust "
                            "instead?",
        why_now="The prevention strategy asks every service to become trauma-informed, and the customer service "
                "centre is being refurbished next year.",
        area=_area("Rochdale"), themes=_themes("Improving our internal thinking", "Having services that meet needs"),
        start_date=_on(2027, 1, 11), end_date=_on(2027, 6, 30), budget_pence=150_000,
    )
    services.add_hook(e, actor=lead, title="The prevention strategy")
    services.add_hook(e, actor=lead, title="Customer service centre refurbishment")
    services.choose_level(e, actor=lead, expected_version=None, answers=GUIDE_YES, level=Level.CO_DESIGN,
                          rationale="People with lived experience will design the changes with us through the "
                                    "mental health network, but the building works are already scheduled.")
