"""`flask --app wsgi demo seed`: demo organisations, accounts, and an engagement at every step, the completed
one published with a correction."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from engage.accounts.models import Role, User
from engage.commitments.models import Commitment, CommitmentUpdate
from engage.demo.seed import DEMO_ACCOUNTS, DEMO_ORGANISATIONS, DEMO_PASSWORD
from engage.engagements import steps
from engage.engagements.models import (
    Collaborator,
    Engagement,
    Hook,
    Idea,
    Perspective,
    PlannedTest,
    ProgressUpdate,
    Step,
    StepChange,
    StoryOutput,
)
from engage.extensions import db
from engage.organisations.models import Organisation, OrganisationKind
from engage.vocabularies.models import Area, Theme
from tests.factories import Factories, sign_in

TITLES = ["Mental health pathways", "Self-care policy", "Urgent care redesign", "Neighbourhood support in Langley",
          "Staying well at home", "Trauma-informed front doors"]
STEPS = [Step.FRAME, Step.STORY, Step.COLLABORATORS, Step.COMPLETED, Step.TEST, Step.CHALLENGE]
LOG_INS_HEADING = f"Demo log-ins (password for all: {DEMO_PASSWORD})"


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=["demo", "seed", *args])
    assert result.exception is None, result.output
    assert result.exit_code == 0, result.output
    return result


def engagement(title: str) -> Engagement:
    db.session.expire_all()
    return db.session.scalar(select(Engagement).where(Engagement.title == title))


def counts() -> dict[str, int]:
    db.session.expire_all()
    from engage.publication.models import PublishedVersion

    models = [Organisation, User, Engagement, Hook, Collaborator, Perspective, Idea, PlannedTest, ProgressUpdate,
              StoryOutput, StepChange, Theme, Area, PublishedVersion, Commitment, CommitmentUpdate]
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in models}


@pytest.fixture
def seeded(app):
    return run(app)


def test_seed_adds_the_demo_organisations_and_accounts(seeded):
    assert "Demo data: 7 organisations, 5 accounts and 6 engagements added." in seeded.output
    organisations = {o.name: o for o in db.session.scalars(select(Organisation))}
    assert {name: organisations[name].kind for name, *_ in DEMO_ORGANISATIONS} == {
        name: kind for name, kind, *_ in DEMO_ORGANISATIONS}
    assert {kind for _, kind, *_ in DEMO_ORGANISATIONS} == {OrganisationKind.PUBLIC_SECTOR, OrganisationKind.VCFSE}
    users = {u.email: u for u in db.session.scalars(select(User))}
    for account in DEMO_ACCOUNTS:
        user = users[account.email]
        assert (user.name, user.role, user.is_active, user.has_password) == (account.name, account.role, True, True)
        assert (user.organisation.name if user.organisation else None) == account.organisation
    assert {account.role for account in DEMO_ACCOUNTS} == {Role.ADMIN, Role.LEAD, Role.PARTNER}


# Seeding the whole demo is slow: two tests stand for the rest at the shifted clocks.
@pytest.mark.date_sensitive
def test_seed_adds_one_engagement_at_every_step(seeded):
    engagements = [engagement(title) for title in TITLES]

    assert all(engagements), "a demo engagement is missing"
    assert [e.current_step for e in engagements] == STEPS
    assert sorted(e.current_step.number for e in engagements) == [step.number for step in Step]
    for e in engagements:
        # Each demo engagement got to its step through the real step moves, so its history shows each move.
        moves = [(change.from_step, change.to_step) for change in e.step_changes if change.from_step is not None]
        assert moves == [(step, step.next) for step in Step if step.number < e.current_step.number], e.title
        for passed in (step for step in Step if step.number < e.current_step.number):
            assert steps.missing_to_leave(e, passed) == [], (e.title, passed)


@pytest.mark.parametrize("title", TITLES)
def test_every_demo_engagement_has_a_described_challenge_hooks_and_a_level_with_its_rationale(seeded, title):
    e = engagement(title)

    assert e.lead_organisation.kind is OrganisationKind.PUBLIC_SECTOR
    assert e.lead_user.role is Role.LEAD
    for text in (e.summary, e.challenge_statement, e.why_now, e.level_rationale):
        assert len(text.split()) >= 8, f"{title}: too little text for a realistic example: {text!r}"
    assert e.hooks and all(hook.title.strip() for hook in e.hooks)
    assert e.level is not None
    assert e.recommended_level is not None
    assert e.guide_answers
    assert e.themes
    assert e.start_date < e.end_date
    assert e.budget_pence is not None


def test_the_engagements_past_gathering_collaborators_have_collaborators_perspectives_and_ideas(seeded):
    for title in ("Mental health pathways", "Self-care policy", "Neighbourhood support in Langley",
                  "Staying well at home"):
        e = engagement(title)
        assert any(c.organisation.kind is OrganisationKind.VCFSE for c in e.collaborators), title
        assert e.perspectives and all(p.organisation or p.lens for p in e.perspectives), title
        assert e.ideas and all(i.proposed_by and i.imagined_impact for i in e.ideas), title
    urgent = engagement("Urgent care redesign")
    assert [c.organisation.name for c in urgent.collaborators] == ["Healthwatch Northbrook"]


def test_the_demo_has_a_signed_and_a_proposed_agreement_activity_insights_and_a_test_result(seeded):
    from engage.activity.models import Activity, Insight
    from engage.agreements.models import Agreement, AgreementStatus

    statuses = {a.engagement.title: a.status for a in db.session.scalars(select(Agreement))}
    assert statuses == {"Mental health pathways": AgreementStatus.SIGNED, "Self-care policy": AgreementStatus.SIGNED,
                        "Urgent care redesign": AgreementStatus.PROPOSED,
                        "Neighbourhood support in Langley": AgreementStatus.SIGNED,
                        "Staying well at home": AgreementStatus.SIGNED}
    activities = {title: 0 for title in TITLES} | dict(db.session.execute(
        select(Engagement.title, func.count(Activity.id)).join(Activity, Activity.engagement_id == Engagement.id)
        .group_by(Engagement.title)).all())
    assert activities == {"Mental health pathways": 1, "Self-care policy": 1, "Urgent care redesign": 0,
                          "Neighbourhood support in Langley": 3, "Staying well at home": 1,
                          "Trauma-informed front doors": 0}
    insights = db.session.scalars(select(Insight)).all()
    assert len(insights) == 12 and sum(i.system_blocker for i in insights) == 4
    [test] = engagement("Self-care policy").planned_tests
    assert test.is_resolved and test.result_what_it_showed


def test_the_engagement_at_the_test_step_has_one_result_in_and_one_test_still_running(seeded):
    e = engagement("Staying well at home")

    assert [t.is_resolved for t in e.planned_tests] == [True, False]
    assert steps.missing_to_leave(e) == ["Record a result for the test \u2018Fifteen extra minutes a visit\u2019, "
                                         "or drop it with a reason"]


def test_the_completed_engagement_is_published_with_a_correction_and_its_change_note(seeded):
    from engage.demo.engagements import CORRECTION_NOTE
    from engage.publication.services import versions_of

    e = engagement("Neighbourhood support in Langley")
    first, second, *_commitment_versions = versions_of(e.id)

    assert (first.number, first.change_note) == (1, "First publication.")
    assert (second.number, second.change_note) == (2, CORRECTION_NOTE)
    # The first version keeps what was first published; the correction is only in the second.
    assert "£3.86" in first.record["story"]["so_what"] and "£3.68" not in first.record["story"]["so_what"]
    assert "£3.68" in second.record["story"]["so_what"] and "£3.86" not in second.record["story"]["so_what"]
    assert [v["change_note"] for v in second.record["versions"]] == ["First publication.", CORRECTION_NOTE]
    record = second.record
    assert record["status"] == "completed" and record["agreement"]["signed_at"]
    assert all(record["story"].values())
    assert record["activity_summary"]["activities"] == 3 and record["insights"] and record["outputs"]
    assert all(t["status"] == "result" for t in record["tests"])
    assert all(m["status"] == "done" for m in record["agreement"]["milestones"])


@pytest.mark.date_sensitive
def test_after_publication_the_completed_engagement_has_three_commitments_each_change_a_version(seeded):
    from engage.clock import today
    from engage.commitments.services import commitments_of
    from engage.publication.services import versions_of

    e = engagement("Neighbourhood support in Langley")
    commitments = commitments_of(e)
    assert sorted(c.status.value for c in commitments) == ["done", "in_progress", "not_going_ahead"]
    assert all(c.updates and all(u.occurred_on <= today() for u in c.updates) for c in commitments)
    assert all((c.insights or c.ideas) and not c.is_overdue(today()) for c in commitments)
    notes = [v.change_note for v in versions_of(e.id)][2:]
    assert len(notes) == 3 + sum(len(c.updates) for c in commitments)
    assert sum(note.endswith("marked done") for note in notes) == 1
    assert sum(note.endswith("marked not going ahead") for note in notes) == 1
    latest = versions_of(e.id)[-1].record
    assert [c["status"] for c in latest["commitments"]] == [c.status.value for c in commitments]


def test_every_demo_engagement_passes_the_publication_check_and_only_the_first_step_is_private(seeded):
    from engage.publication.services import findings
    from engage.publication.visibility import is_public

    for title in TITLES:
        e = engagement(title)
        assert findings(e) == [], title
        assert is_public(e) is (e.current_step is not Step.CHALLENGE), title
        if is_public(e):
            assert len(e.get_involved.split()) >= 8, f"{title}: residents are not told how to get involved"


def test_the_engagement_at_the_story_step_has_a_planned_test_a_story_draft_and_an_output(seeded):
    e = engagement("Self-care policy")

    assert [(t.what, t.idea is not None) for t in e.planned_tests] == [
        ("Self-care champions join four existing groups", True)]
    assert e.story_we_asked and e.story_you_said and e.story_we_did
    [output] = e.outputs
    assert output.url.startswith("https://")


def test_the_demo_uses_the_default_vocabularies(seeded):
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 10
    assert engagement("Mental health pathways").area.name == "Kirkholt"
    assert engagement("Self-care policy").area.name == "Heywood"
    assert engagement("Neighbourhood support in Langley").area.name == "Langley"


def test_a_second_run_adds_nothing(app, seeded):
    before = counts()

    again = run(app)

    assert "Demo data: 0 organisations, 0 accounts and 0 engagements added." in again.output
    assert counts() == before


def _dashboard_titles(app, email: str) -> list[tuple[str, str]]:
    user = db.session.scalar(select(User).where(User.email == email))
    client = app.test_client()
    response = sign_in(client, user, DEMO_PASSWORD)
    assert response.status_code == 302, email
    page = BeautifulSoup(client.get("/dashboard").get_data(as_text=True), "html.parser")
    return [(card.select_one(".govuk-summary-card__title a").get_text(strip=True),
             card.select(".govuk-summary-list__value")[1].get_text(strip=True))
            for card in page.select(".engage-engagement-card")]


def test_the_demo_leads_sign_in_and_see_their_engagements_on_the_dashboard(app, seeded):
    assert sorted(_dashboard_titles(app, "lead@demo.example.org")) == [
        ("Mental health pathways", "3 of 6: Time together"),
        ("Neighbourhood support in Langley", "6 of 6: Completed and published"),
        ("Trauma-informed front doors", "1 of 6: Choose the challenge")]
    assert sorted(_dashboard_titles(app, "nhs.lead@demo.example.org")) == [
        ("Self-care policy", "5 of 6: Tell the story"),
        ("Staying well at home", "4 of 6: Test"),
        ("Urgent care redesign", "2 of 6: Gather collaborators and build relationships")]


def test_if_empty_seeds_an_empty_database_then_adds_nothing_but_still_prints_the_log_ins(app):
    first = run(app, "--if-empty")
    assert "Demo data: 7 organisations, 5 accounts and 6 engagements added." in first.output
    before = counts()

    again = run(app, "--if-empty")

    assert "The database already has accounts; demo data not added." in again.output
    assert counts() == before
    assert LOG_INS_HEADING in again.output
    for account in DEMO_ACCOUNTS:
        assert f"{account.role.label:<20} {account.email}" in again.output


def test_if_empty_leaves_a_database_with_other_accounts_alone_and_offers_no_log_ins_that_do_not_exist(
        app, make: Factories):
    make.user(role=Role.ADMIN, email="service.owner@example.org", password=None)
    before = counts()

    result = run(app, "--if-empty")

    assert "The database already has accounts; demo data not added." in result.output
    assert counts() == before
    assert LOG_INS_HEADING not in result.output
    assert "lead@demo.example.org" not in result.output
