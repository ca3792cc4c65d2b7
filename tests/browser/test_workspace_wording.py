"""Where first-time leads and partners stumbled over words and ways through: a way from the workspace to what
residents see, holding back as its own task, and copy that reads as written (capitals, spaces, plurals, titles
that say what a filtered page shows)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from engage.engagements.models import Lens, Step
from engage.extensions import db
from tests.browser.support import assert_accessible, sign_in
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.factories import proposed_agreement
from tests.public.page_records import build_world

pytestmark = pytest.mark.browser


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_the_task_list_links_to_what_residents_see_and_holding_back_is_a_task_of_its_own(
        page: Page, engagement_at) -> None:  # noqa: F811
    engagement = engagement_at(Step.COLLABORATORS)
    sign_in(page, engagement.lead_user)

    page.goto(f"/workspace/{engagement.slug}/")
    expect(page.locator("#public-view")).not_to_contain_text("Residents cannot see")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^See what residents see")).click()
    expect(page).to_have_url(re.compile(f"/engagements/{engagement.slug}$"))
    expect(heading(page)).to_have_text(engagement.title)

    page.goto(f"/workspace/{engagement.slug}/")
    page.get_by_role("link", name="Hold back from public view").click()
    expect(heading(page)).to_have_text("Hold back from public view")
    page.get_by_label("Why must it be held back from public view?").fill("A partner asked for a week to check names.")
    page.get_by_role("button", name="Hold back from public view").click()
    expect(page.locator("#public-view")).to_have_text("Residents cannot see this engagement while it is held back.")
    expect(page.get_by_role("link", name=re.compile("^See what residents see"))).to_have_count(0)
    assert_accessible(page)


def test_an_engagement_at_the_first_step_says_residents_cannot_see_it_yet(page: Page, engagement_at) -> None:  # noqa: F811
    engagement = engagement_at(Step.CHALLENGE)
    sign_in(page, engagement.lead_user)
    page.goto(f"/workspace/{engagement.slug}/")
    expect(page.locator("#public-view")).to_have_text(
        "Residents cannot see this engagement yet: it becomes public when it moves on from this first step.")
    history = page.get_by_role("link", name=re.compile("^Step history")).locator("xpath=ancestor::li")
    expect(history).to_contain_text(re.compile(r"\b1 change\b"))
    expect(history).not_to_contain_text("1 changes")


def test_the_signing_page_names_the_vcfse_partner_with_its_capitals(page: Page, engagement_at, make) -> None:  # noqa: F811
    engagement = engagement_at(Step.FRAME)
    partner = make.partner(organisation=engagement.collaborators[0].organisation)
    agreement = proposed_agreement(engagement, lead=engagement.lead_user, partner=partner)
    db.session.commit()
    sign_in(page, partner)
    page.goto(f"/workspace/{engagement.slug}/agreements/{agreement.id}/sign")
    expect(page.get_by_text(re.compile(r"You are signing for .+ \(VCFSE partner\)\."))).to_be_visible()
    assert_accessible(page)


def test_the_report_card_keeps_a_space_between_its_sentences(page: Page, engagement_at, make) -> None:  # noqa: F811
    build_world(engagement_at, make)
    page.goto("/report-card")
    note = page.locator(".govuk-inset-text")
    expect(note).to_contain_text("not included. 1 engagement still choosing its challenge is not public yet")
    expect(note).not_to_contain_text(re.compile(r"\.\S"))


def test_the_insight_library_title_says_which_insights_are_shown(page: Page, engagement_at, make) -> None:  # noqa: F811
    world = build_world(engagement_at, make)
    page.goto(f"/insights?theme={world.theme.slug}&lens={Lens.CARERS.value}")
    expect(page).to_have_title(re.compile(f"^Insights about {re.escape(world.theme.name)}, "
                                          "from people who love and care for them \u2013 Insight library"))
    assert_accessible(page)
