"""What the workspace says is missing or wrong names each thing as people know it and takes them to where it is
put right: a publication check finding to the field holding it, with the finding marked there; each gate that
holds a move on to its task; a planned test by its title cut between words. axe-core runs in every state."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from engage.engagements import services as engagements
from engage.engagements.models import OutputKind, Step
from engage.extensions import db
from tests.browser.support import assert_accessible, sign_in
from tests.engagements.conftest import engagement_at, tell_story  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

PHONE = "07700 900123"
YOU_SAID = f"Waits are too long, and one carer asked us to ring her on {PHONE} about the evening clinic."
LONG_TEST = "Run a drop-in session at the Heywood community centre on three Tuesday evenings in March"


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_a_finding_is_named_in_words_and_links_to_its_field_with_the_finding_marked(page: Page,
                                                                                     engagement_at) -> None:  # noqa: F811
    engagement = engagement_at(Step.STORY)
    lead = engagement.lead_user
    tell_story(engagement, lead)
    engagements.update_engagement(engagement, actor=lead, expected_version=None, story_you_said=YOU_SAID)
    engagements.add_output(engagement, actor=lead, title="Annual report", kind=OutputKind.REPORT,
                           description="Questions to jo.whitworth@example.org please.",
                           url="https://example.org/report")
    db.session.commit()
    sign_in(page, lead)

    # The task list names the place in words, never as the record's keys, and links to the field.
    page.goto(f"/workspace/{engagement.slug}/")
    missing = page.locator("#what-is-missing")
    story_item = missing.get_by_role(
        "link", name=f"Remove or accept a UK phone number in the \u2018You said\u2019 part of the story: "
                     f"\u201c{PHONE}\u201d")
    expect(story_item).to_be_visible()
    expect(missing).to_contain_text("in the description of the output \u2018Annual report\u2019")
    expect(missing).not_to_contain_text("story.")
    expect(missing).not_to_contain_text("outputs[")
    assert_accessible(page)

    # The publication check: each finding in words, linked to where it is changed, quoted with the finding marked.
    page.goto(f"/workspace/{engagement.slug}/publication-check")
    findings = page.locator("#unresolved-findings")
    expect(findings).not_to_contain_text("story.you_said")
    expect(findings.locator("mark")).to_have_text(["jo.whitworth@example.org", PHONE])
    assert_accessible(page)

    findings.get_by_role("link", name="the \u2018You said\u2019 part of the story", exact=True).click()
    expect(heading(page)).to_have_text("Tell the story")
    assert page.url.endswith("#story_you_said")
    hint = page.locator("#story_you_said-hint")
    expect(hint).to_contain_text("The publication check found a UK phone number here")
    expect(hint.locator("mark")).to_have_text(PHONE)
    expect(hint.locator("mark")).to_be_in_viewport()
    expect(page.get_by_label("You said")).to_be_in_viewport()
    assert_accessible(page)

    # A text a page lists rather than holds in a field: quoted at the top of the page the link goes to.
    page.go_back()
    findings.get_by_role("link", name="the description of the output \u2018Annual report\u2019", exact=True).click()
    expect(heading(page)).to_have_text(re.compile("output", re.IGNORECASE))
    assert page.url.endswith("#publication-finding")
    inset = page.locator("#publication-finding")
    expect(inset).to_contain_text("The publication check found an e-mail address in the description of the output "
                                  "\u2018Annual report\u2019")
    expect(inset.locator("mark")).to_have_text("jo.whitworth@example.org")
    expect(inset).to_be_in_viewport()
    assert_accessible(page)

    # The page without the finding asked for shows no highlight.
    page.goto(f"/workspace/{engagement.slug}/story")
    expect(page.locator("mark")).to_have_count(0)


def test_a_move_on_with_gates_closed_lists_links_each_reaching_its_task(page: Page, engagement_at) -> None:  # noqa: F811
    engagement = engagement_at(Step.FRAME)
    sign_in(page, engagement.lead_user)
    task_list = f"/workspace/{engagement.slug}/"

    page.goto(task_list)
    page.get_by_role("button", name=re.compile("^Move on to ")).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("You cannot move on to \u2018Test\u2019 yet")
    expect(summary).not_to_contain_text(";")
    links = summary.get_by_role("link")
    expect(links).to_have_text(["Frame the challenge: add at least one perspective",
                                "Explore potential solutions: add at least one idea", "Plan at least one test"])
    assert_accessible(page)

    for name, reached in [("Frame the challenge: add at least one perspective", "Frame the challenge"),
                          ("Explore potential solutions: add at least one idea", "Explore potential solutions"),
                          ("Plan at least one test", "Plan tests")]:
        page.goto(task_list)
        page.get_by_role("button", name=re.compile("^Move on to ")).click()
        page.locator(".govuk-error-summary").get_by_role("link", name=name).click()
        expect(heading(page)).to_have_text(reached)
        assert_accessible(page)

    # The same list stands on the task list, each item linked the same way.
    page.goto(task_list)
    expect(page.locator("#what-is-missing").get_by_role("link")).to_have_count(3)
    page.locator("#what-is-missing").get_by_role("link", name="Plan at least one test").click()
    expect(heading(page)).to_have_text("Plan tests")


def test_a_long_test_title_is_cut_between_words_with_an_ellipsis(page: Page, engagement_at) -> None:  # noqa: F811
    engagement = engagement_at(Step.TEST)
    lead = engagement.lead_user
    engagements.add_planned_test(engagement, actor=lead, idea=None, what=LONG_TEST, how="Three evenings",
                                 success_measure="Twenty carers come")
    db.session.commit()
    sign_in(page, lead)

    page.goto(f"/workspace/{engagement.slug}/")
    item = page.locator("#what-is-missing").get_by_role("link", name=re.compile("Run a drop-in"))
    expect(item).to_have_text("Record a result for the test \u2018Run a drop-in session at the Heywood community "
                              "centre on\u2026\u2019, or drop it with a reason")
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("^Move on to ")).click()
    summary_item = page.locator(".govuk-error-summary").get_by_role("link", name=re.compile("Run a drop-in"))
    expect(summary_item).to_contain_text("centre on\u2026\u2019")
    assert_accessible(page)
    summary_item.click()
    expect(heading(page)).to_have_text("Plan tests")
    expect(page.get_by_text(LONG_TEST)).to_be_visible()
    assert_accessible(page)
