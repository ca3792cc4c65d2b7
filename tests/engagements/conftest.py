"""Engagements built through the real services, at whichever step a test needs."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup

from engage.accounts.models import User
from engage.engagements import level_guide, services
from engage.engagements.models import CollaboratorRole, Engagement, Lens, Step
from engage.extensions import db
from engage.organisations.models import Organisation, OrganisationKind
from tests.factories import Factories, csrf_token, log_activity, signed_agreement

LEVEL_ANSWERS = {"decision_made": False, "input_can_change": True, "specific_community": True,
                 "partner_budget": True, "enough_time": True, "lived_experience_ready": False}

STORY = {
    "story_we_asked": "How should urgent care work in the evenings?",
    "story_you_said": "Waits are too long and the walk-in centre closes too early.",
    "story_we_did": "Opened the clinic on two evenings a week.",
    "story_so_what": "Fewer people went to A&E for minor injuries.",
    "story_what_now": "The evening clinic continues for a year.",
}


def parsed(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def error_summary(page: BeautifulSoup) -> list[tuple[str, str]]:
    """The GOV.UK error summary's links: where each points and what it says."""
    summary = page.select_one(".govuk-error-summary")
    assert summary is not None, "no error summary on the page"
    return [(link["href"], link.get_text(strip=True)) for link in summary.select(".govuk-error-summary__list a")]


def describe_challenge(engagement: Engagement, actor: User) -> None:
    services.update_challenge(
        engagement, actor=actor, expected_version=None, title=engagement.title,
        summary="Shaping urgent care with the people who use it.",
        challenge_statement="How should urgent care work for people in the borough?",
        why_now="The urgent care programme starts in spring.", area=None, themes=[], start_date=None,
        end_date=None, budget_pence=None)
    services.add_hook(engagement, actor=actor, title="Urgent care redesign programme")
    services.choose_level(engagement, actor=actor, expected_version=None, answers=LEVEL_ANSWERS,
                          level=level_guide.recommend(LEVEL_ANSWERS).level,
                          rationale="There is time and budget for partners.")


def gather_collaborators(engagement: Engagement, actor: User, organisation: Organisation, make: Factories) -> None:
    services.add_collaborator(engagement, actor=actor, organisation=organisation, role=CollaboratorRole.VCFSE_PARTNER)
    db.session.commit()
    signed_agreement(engagement, lead=actor, partner=make.partner(organisation=organisation))


def run_tests(engagement: Engagement, actor: User) -> None:
    """Resolve every planned test and log an activity: what the `test` gate asks for."""
    from engage.activity import services as activity

    for test in engagement.planned_tests:
        activity.record_test_result(test, actor=actor, what_happened="Ran for four weeks.",
                                    what_it_showed="Fewer walk-ins at A&E on clinic evenings.")
    db.session.commit()
    log_activity(engagement, partner=actor)


def plan_time_together(engagement: Engagement, actor: User) -> None:
    services.add_perspective(engagement, actor=actor, text="People wait too long.", organisation=None,
                             lens=Lens.LIVED_EXPERIENCE)
    idea = services.add_idea(engagement, actor=actor, text="A walk-in evening clinic",
                             proposed_by="Residents in Kirkholt", organisation=None,
                             imagined_impact="Fewer A&E visits")
    services.add_planned_test(engagement, actor=actor, idea=idea, what="Open on two evenings",
                              how="A four-week pilot", success_measure="Fewer walk-ins at A&E")


def tell_story(engagement: Engagement, actor: User) -> None:
    services.update_engagement(engagement, actor=actor, expected_version=None, **STORY)


EngagementAt = Callable[..., Engagement]



@pytest.fixture
def engagement_at(make: Factories) -> EngagementAt:
    """`engagement_at(Step.FRAME)` opens an engagement and takes it, through the services, to that step.

    `lead` (a public-sector lead) and `partner_organisation` (the VCFSE collaborator) are made when not given.
    """

    def build(step: Step = Step.CHALLENGE, *, lead: User | None = None, title: str = "Urgent care redesign",
              partner_organisation: Organisation | None = None) -> Engagement:
        lead = lead or make.lead()
        engagement = services.open_engagement(title=title, actor=lead)
        preparation = {
            Step.CHALLENGE: lambda: describe_challenge(engagement, lead),
            Step.COLLABORATORS: lambda: gather_collaborators(
                engagement, lead, partner_organisation or make.organisation(kind=OrganisationKind.VCFSE), make),
            Step.FRAME: lambda: plan_time_together(engagement, lead),
            Step.TEST: lambda: run_tests(engagement, lead),
            Step.STORY: lambda: tell_story(engagement, lead),
        }
        while engagement.current_step is not step:
            preparation[engagement.current_step]()
            services.move_on(engagement, actor=lead)
        db.session.commit()
        return engagement

    return build


def post(client, path: str, data: dict | None = None, *, token_from: str | None = None):
    """Submit a form as a browser would, with the CSRF token of the page it came from."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, token_from or path)})


def version_in(page: str) -> int:
    """The engagement version a form carries in its hidden field."""
    match = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', page) or re.search(
        r'<input[^>]*value="(\d+)"[^>]*name="version"', page)
    assert match, "no version field in the form"
    return int(match.group(1))
