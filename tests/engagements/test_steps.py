"""The step gates say exactly what is missing, and every move on or step back is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from engage.audit.models import AuditEvent
from engage.database import utcnow
from engage.engagements import services, steps
from engage.engagements.models import (
    Collaborator,
    CollaboratorRole,
    Engagement,
    Hook,
    Idea,
    Lens,
    Level,
    Perspective,
    PlannedTest,
    Step,
)
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from tests.engagements.conftest import STORY, post
from tests.factories import sign_in, signed_agreement

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

STATEMENT = "Write the challenge statement"
SUMMARY = "Write a plain-English summary"
HOOK = "Add at least one hook: a strategy, plan, service change or policy the work can change"
LEVEL = "Choose the level of engagement"
RATIONALE = "Give the rationale for the level of engagement"
VCFSE = "Add at least one VCFSE organisation as a collaborator"
AGREEMENT = "Sign an expectation agreement with at least one VCFSE collaborator"
PERSPECTIVE = "Frame the challenge: add at least one perspective"
IDEA = "Explore potential solutions: add at least one idea"
TEST = "Plan at least one test"
STORY_MESSAGES = {
    "story_we_asked": "Write the \u201cWe asked\u201d section of the story",
    "story_you_said": "Write the \u201cYou said\u201d section of the story",
    "story_we_did": "Write the \u201cWe did\u201d section of the story",
    "story_so_what": "Write the \u201cSo what?\u201d section of the story",
    "story_what_now": "Write the \u201cWhat now?\u201d section of the story",
}


def _challenge_done() -> Engagement:
    """An unsaved engagement whose challenge step is complete; each test takes one thing away."""
    return Engagement(title="Urgent care", slug="urgent-care", challenge_statement="How should urgent care work?",
                      summary="Shaping urgent care with the people who use it.", level=Level.CO_DESIGN,
                      level_rationale="Time and budget for partners.", hooks=[Hook(title="Urgent care programme")],
                      why_now="", **dict.fromkeys(STORY, ""))


def _audit(action: str, engagement: Engagement) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.subject_type == "Engagement",
        AuditEvent.subject_id == engagement.id).order_by(AuditEvent.id)))


# The gates ---------------------------------------------------------------------------------------------

def test_a_new_engagement_is_told_everything_the_challenge_step_needs(make):
    engagement = services.open_engagement(title="Urgent care", actor=make.lead())

    assert steps.missing_to_leave(engagement) == [STATEMENT, SUMMARY, HOOK, LEVEL]


def test_a_fully_described_challenge_has_nothing_missing():
    assert steps.missing_to_leave(_challenge_done(), Step.CHALLENGE) == []


def _blank_statement(e): e.challenge_statement = "  \n "
def _blank_summary(e): e.summary = ""
def _no_hooks(e): e.hooks = []
def _no_level(e): e.level = None
def _blank_rationale(e): e.level_rationale = "   "


@pytest.mark.parametrize(("take_away", "expected"), [
    (_blank_statement, STATEMENT),
    (_blank_summary, SUMMARY),
    (_no_hooks, HOOK),
    (_no_level, LEVEL),
    (_blank_rationale, RATIONALE),
], ids=["statement", "summary", "hook", "level", "rationale"])
def test_the_challenge_gate_names_exactly_what_is_missing(take_away, expected):
    engagement = _challenge_done()
    take_away(engagement)

    assert steps.missing_to_leave(engagement, Step.CHALLENGE) == [expected]


def test_the_collaborators_gate_needs_a_vcfse_organisation_and_a_signed_agreement_with_it(make, engagement_at):
    engagement = engagement_at(Step.COLLABORATORS)
    assert engagement.id is not None, "a saved engagement, so the agreement half of the gate runs too"
    assert steps.missing_to_leave(engagement, Step.COLLABORATORS) == [VCFSE, AGREEMENT]

    council = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR)
    engagement.collaborators.append(Collaborator(organisation=council, role=CollaboratorRole.PUBLIC_SECTOR_PARTNER))
    assert steps.missing_to_leave(engagement, Step.COLLABORATORS) == [VCFSE, AGREEMENT], "a public-sector partner"

    charity = make.organisation(kind=OrganisationKind.VCFSE)
    engagement.collaborators.append(Collaborator(organisation=charity, role=CollaboratorRole.VCFSE_PARTNER))
    db.session.commit()
    assert steps.missing_to_leave(engagement, Step.COLLABORATORS) == [AGREEMENT], "a VCFSE partner, nothing signed"

    signed_agreement(engagement, lead=engagement.lead_user, partner=make.partner(organisation=charity))
    assert steps.missing_to_leave(engagement, Step.COLLABORATORS) == []


@pytest.mark.parametrize(("has", "expected"), [
    (set(), [PERSPECTIVE, IDEA, TEST]),
    ({"idea", "test"}, [PERSPECTIVE]),
    ({"perspective", "test"}, [IDEA]),
    ({"perspective", "idea"}, [TEST]),
    ({"perspective", "idea", "test"}, []),
], ids=["nothing", "no-perspective", "no-idea", "no-test", "all"])
def test_the_time_together_gate_needs_a_perspective_an_idea_and_a_test(has, expected):
    engagement = _challenge_done()
    if "perspective" in has:
        engagement.perspectives.append(Perspective(text="People wait too long.", lens=Lens.LIVED_EXPERIENCE))
    if "idea" in has:
        engagement.ideas.append(Idea(text="An evening clinic", proposed_by="Residents"))
    if "test" in has:
        engagement.planned_tests.append(PlannedTest(what="Open two evenings", how="Pilot", success_measure="Fewer"))

    assert steps.missing_to_leave(engagement, Step.FRAME) == expected


def test_the_story_gate_lists_every_unwritten_section_in_order():
    assert steps.missing_to_leave(_challenge_done(), Step.STORY) == list(STORY_MESSAGES.values())


@pytest.mark.parametrize("section", list(STORY_MESSAGES))
def test_the_story_gate_names_each_missing_section(section):
    engagement = _challenge_done()
    for field, text in STORY.items():
        setattr(engagement, field, text)
    setattr(engagement, section, " \n")

    assert steps.missing_to_leave(engagement, Step.STORY) == [STORY_MESSAGES[section]]


def test_a_told_story_has_nothing_missing():
    engagement = _challenge_done()
    for field, text in STORY.items():
        setattr(engagement, field, text)

    assert steps.missing_to_leave(engagement, Step.STORY) == []


# Moving on ---------------------------------------------------------------------------------------------

def test_move_on_refuses_with_what_is_missing_and_changes_nothing(make):
    lead = make.lead()
    engagement = services.open_engagement(title="Urgent care", actor=lead)
    services.add_hook(engagement, actor=lead, title="Urgent care programme")
    db.session.commit()
    version = engagement.version

    with pytest.raises(services.GateClosed) as refused:
        services.move_on(engagement, actor=lead)
    db.session.commit()

    assert refused.value.missing == [STATEMENT, SUMMARY, LEVEL]
    db.session.expire_all()
    assert engagement.current_step is Step.CHALLENGE
    assert engagement.version == version
    assert [(c.from_step, c.to_step) for c in engagement.step_changes] == [(None, Step.CHALLENGE)]
    assert _audit("engagement.step_changed", engagement) == []


def test_moving_on_through_every_step_records_who_when_and_where(engagement_at, make):
    lead = make.lead()
    before = utcnow() - timedelta(seconds=1)
    engagement = engagement_at(Step.COMPLETED, lead=lead)
    after = utcnow() + timedelta(seconds=1)
    db.session.expire_all()

    moves = [(c.from_step, c.to_step) for c in engagement.step_changes]
    assert moves == [(None, Step.CHALLENGE), (Step.CHALLENGE, Step.COLLABORATORS), (Step.COLLABORATORS, Step.FRAME),
                     (Step.FRAME, Step.TEST), (Step.TEST, Step.STORY), (Step.STORY, Step.COMPLETED)]
    for change in engagement.step_changes:
        assert change.actor_id == lead.id
        assert before <= change.occurred_at <= after
        assert not change.is_step_back
    assert [(e.data["from_step"], e.data["to_step"], e.actor_id)
            for e in _audit("engagement.step_changed", engagement)] == [
        ("challenge", "collaborators", lead.id), ("collaborators", "frame", lead.id), ("frame", "test", lead.id),
        ("test", "story", lead.id), ("story", "completed", lead.id)]


def test_there_is_no_moving_on_from_completed(engagement_at):
    engagement = engagement_at(Step.COMPLETED)

    with pytest.raises(services.GateClosed) as refused:
        services.move_on(engagement, actor=engagement.lead_user)

    assert refused.value.missing == ["The engagement is complete: there is no step after this one"]
    assert engagement.current_step is Step.COMPLETED


# Stepping back -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["", "   \n"])
def test_stepping_back_needs_a_reason(engagement_at, reason):
    engagement = engagement_at(Step.FRAME)

    with pytest.raises(services.EngagementError) as refused:
        services.step_back(engagement, actor=engagement.lead_user, reason=reason)

    assert (refused.value.field, refused.value.message) == ("reason", "Give the reason for stepping back")
    assert engagement.current_step is Step.FRAME


@pytest.mark.parametrize(("step", "message"), [
    (Step.CHALLENGE, "The engagement is at the first step: there is no step to go back to"),
    (Step.COMPLETED, "A completed engagement is corrected, not stepped back"),
])
def test_there_is_no_stepping_back_from_the_first_or_the_last_step(engagement_at, step, message):
    engagement = engagement_at(step)

    with pytest.raises(services.EngagementError) as refused:
        services.step_back(engagement, actor=engagement.lead_user, reason="Changed our minds")

    assert refused.value.message == message
    assert engagement.current_step is step


@pytest.mark.parametrize("step", [Step.COLLABORATORS, Step.FRAME, Step.TEST, Step.STORY])
def test_stepping_back_goes_to_the_previous_step_and_records_why(engagement_at, make, step):
    engagement = engagement_at(step)
    admin = make.admin()

    services.step_back(engagement, actor=admin, reason="  The partner has withdrawn  ")
    db.session.commit()
    db.session.expire_all()

    assert engagement.current_step is step.previous
    last = engagement.step_changes[-1]
    assert (last.from_step, last.to_step, last.reason, last.actor_id) == (
        step, step.previous, "The partner has withdrawn", admin.id)
    assert last.is_step_back
    event = _audit("engagement.step_changed", engagement)[-1]
    assert event.actor_id == admin.id
    assert event.data == {"from_step": step.value, "to_step": step.previous.value,
                          "reason": "The partner has withdrawn"}


def test_the_step_history_keeps_every_move_in_the_order_it_happened(engagement_at, client):
    engagement = engagement_at(Step.FRAME)
    lead = engagement.lead_user
    services.step_back(engagement, actor=lead, reason="Need a second VCFSE partner")
    services.move_on(engagement, actor=lead)
    db.session.commit()

    expected = [(None, Step.CHALLENGE, "Opened"), (Step.CHALLENGE, Step.COLLABORATORS, ""),
                (Step.COLLABORATORS, Step.FRAME, ""), (Step.FRAME, Step.COLLABORATORS, "Need a second VCFSE partner"),
                (Step.COLLABORATORS, Step.FRAME, "")]
    db.session.expire_all()
    assert [(c.from_step, c.to_step, c.reason) for c in engagement.step_changes] == expected
    ids = [c.id for c in engagement.step_changes]
    assert ids == sorted(ids)

    sign_in(client, lead)
    page = BeautifulSoup(client.get(f"/workspace/{engagement.slug}/history").get_data(as_text=True), "html.parser")
    rows = [[cell.get_text(strip=True) for cell in row.find_all("td")] for row in page.select("tbody tr")]
    assert [row[1:] for row in rows] == [
        ["Opened at Choose the challenge", lead.name, "Opened"],
        ["Moved on to Gather collaborators and build relationships", lead.name, ""],
        ["Moved on to Time together", lead.name, ""],
        ["Stepped back to Gather collaborators and build relationships", lead.name, "Need a second VCFSE partner"],
        ["Moved on to Time together", lead.name, ""],
    ]


# The same list in the workspace --------------------------------------------------------------------------

def test_the_workspace_shows_and_refuses_with_the_same_list(engagement_at, client):
    engagement = engagement_at(Step.FRAME)
    sign_in(client, engagement.lead_user)
    base = f"/workspace/{engagement.slug}"

    page = BeautifulSoup(client.get(base + "/").get_data(as_text=True), "html.parser")
    assert [li.get_text(strip=True) for li in page.select("#what-is-missing li")] == [PERSPECTIVE, IDEA, TEST]
    links = [(a.get_text(strip=True), a["href"]) for a in page.select("#what-is-missing li a")]
    assert links == [(PERSPECTIVE, base + "/perspectives"), (IDEA, base + "/ideas"), (TEST, base + "/tests")]

    refused = post(client, base + "/move-on", token_from=base + "/")
    assert refused.status_code == 302
    page = BeautifulSoup(client.get(base + "/").get_data(as_text=True), "html.parser")
    summary = page.select_one(".govuk-error-summary")
    assert summary.select_one(".govuk-error-summary__title").get_text(strip=True) == (
        "You cannot move on to \u2018Test\u2019 yet")
    assert [(a.get_text(strip=True), a["href"]) for a in summary.select("li a")] == links
    db.session.expire_all()
    assert engagement.current_step is Step.FRAME


# The order of the gates --------------------------------------------------------------------------------------

def _registered_gates() -> list[tuple[steps.Step, object, frozenset]]:
    return [(step, steps._GATES[step][name].check, steps._GATES[step][name].parts)
            for step in Step for name in steps.registered(step)]


def test_every_declared_gate_is_registered_once_the_application_is_made(app):
    assert steps.not_registered() == []
    assert {step: steps.registered(step) for step in Step} == {step: list(names) for step, names in steps.ORDER.items()}


def test_the_gates_are_asked_in_their_declared_order_whatever_order_they_were_registered_in(app, make,
                                                                                              monkeypatch):
    engagement = services.open_engagement(title="Urgent care", actor=make.lead())
    db.session.commit()
    before = {step: steps.missing_to_leave(engagement, step) for step in (Step.CHALLENGE, Step.COLLABORATORS)}
    assert before[Step.COLLABORATORS] == [VCFSE, AGREEMENT]

    # As if the packages had been imported the other way round: every gate registered again, last first.
    registrations = _registered_gates()
    monkeypatch.setattr(steps, "_GATES", {step: {} for step in Step})
    for step, check, parts in reversed(registrations):
        steps.gate(step, parts=parts)(check)

    assert {step: steps.registered(step) for step in Step} == {step: list(names) for step, names in steps.ORDER.items()}
    assert {step: steps.missing_to_leave(engagement, step) for step in before} == before


def test_a_gate_the_steps_do_not_declare_is_refused():
    def quorum_reached(engagement: Engagement) -> list[steps.Missing]:
        return []

    with pytest.raises(ValueError, match="quorum_reached is not declared as a gate of the frame step"):
        steps.gate(Step.FRAME)(quorum_reached)
    assert "quorum_reached" not in steps.registered(Step.FRAME)


def test_a_gate_may_only_keep_open_the_parts_it_was_registered_for(monkeypatch):
    def plan_checked(engagement: Engagement) -> list[steps.Missing]:
        return [steps.Missing("Check the plan", steps.Part.STORY)]

    monkeypatch.setitem(steps.ORDER, Step.FRAME, (*steps.ORDER[Step.FRAME], "plan_checked"))
    monkeypatch.setitem(steps._GATES, Step.FRAME, dict(steps._GATES[Step.FRAME]))
    steps.gate(Step.FRAME, parts=(steps.Part.PLANNED_TESTS,))(plan_checked)

    with pytest.raises(ValueError, match="not for a part it was registered for"):
        steps.missing_to_leave(_challenge_done(), Step.FRAME)
