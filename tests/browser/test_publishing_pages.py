"""A lead clears the publication check and publishes a correction in the browser, with axe-core on every
page of the way, error states included."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from engage.engagements import services as engagements
from engage.engagements.models import Step
from engage.extensions import db
from engage.publication import services as publishing
from tests.browser.support import assert_accessible, sign_in
from tests.engagements.conftest import engagement_at, tell_story  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_a_lead_accepts_a_finding_completes_and_publishes_a_correction(page: Page, engagement_at) -> None:  # noqa: F811
    engagement = engagement_at(Step.STORY)
    lead = engagement.lead_user
    tell_story(engagement, lead)
    engagements.update_engagement(engagement, actor=lead, expected_version=None,
                                  story_what_now="Book the next session on 01706 123456.")
    db.session.commit()
    sign_in(page, lead)

    page.goto(f"/workspace/{engagement.slug}/")
    expect(page.locator("#what-is-missing")).to_contain_text(
        "Remove or accept a UK phone number in the \u2018What now?\u2019 part of the story")
    page.get_by_role("link", name="Publication check").click()
    expect(heading(page)).to_have_text("Publication check")
    expect(page.locator("#unresolved-findings mark")).to_have_text("01706 123456")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("^Accept with a reason")).click()
    expect(heading(page)).to_have_text("Accept a UK phone number")
    assert_accessible(page)
    page.get_by_role("button", name="Accept and publish it").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason it is right to publish this")
    assert_accessible(page)
    page.get_by_label("Why is it right to publish this?").fill("The community centre's public booking line.")
    page.get_by_role("button", name="Accept and publish it").click()
    expect(page.locator("#unresolved-findings")).to_have_text("Nothing. The check passes.")
    expect(page.locator("#accepted-findings")).to_contain_text("The community centre's public booking line.")
    assert_accessible(page)

    page.get_by_role("link", name="Back to the task list").click()
    page.get_by_role("button", name=re.compile("^Move on to ")).click()
    expect(page.get_by_text("Step 6 of 6: Completed and published")).to_be_visible()
    assert_accessible(page)

    # A correction with nothing corrected is refused; a real one is published as version 2.
    page.get_by_role("link", name="Publish a correction").click()
    expect(heading(page)).to_have_text("Publish a correction")
    assert_accessible(page)
    page.get_by_label("What has changed?").fill("Nothing yet.")
    page.get_by_role("button", name="Publish the correction").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Nothing in the record has changed since version 1")
    assert_accessible(page)

    page.goto(f"/workspace/{engagement.slug}/story")
    page.get_by_label("We did").fill("Opened the clinic on three evenings a week.")
    page.get_by_role("button", name="Save story").click()
    page.get_by_role("link", name="Publish a correction").click()
    page.get_by_label("What has changed?").fill("Corrected the number of evenings.")
    page.get_by_role("button", name="Publish the correction").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Version 2 of the public record is published.")
    assert [v.number for v in publishing.versions_of(engagement.id)] == [1, 2]

    page.get_by_role("link", name="See the public record").click()
    expect(page.get_by_text("Version 2, published")).to_be_visible()
    expect(page.get_by_role("table", name="Versions of this record")).to_contain_text(
        "Corrected the number of evenings.")
