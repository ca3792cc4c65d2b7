"""Accessibility after interaction, not only on load: audits of other participation platforms found their
problems in what a page becomes once used (a menu opened on a phone, a disclosure opened, an error shown), so
axe-core runs again on each of those states."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE
from tests.browser.support import assert_accessible, sign_in
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.public.page_records import build_world

pytestmark = pytest.mark.browser


def open_the_menu(page: Page) -> None:
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")


def test_the_menu_opened_on_a_phone_is_accessible_for_residents_and_for_partners(
        new_page, engagement_at) -> None:  # noqa: F811
    resident = new_page(PHONE)
    resident.goto("/")
    open_the_menu(resident)
    expect(resident.get_by_role("link", name="Engagements", exact=True)).to_be_visible()
    assert_accessible(resident)

    engagement = engagement_at()
    lead = new_page(PHONE)
    sign_in(lead, engagement.lead_user)
    lead.goto(f"/workspace/{engagement.slug}/")
    open_the_menu(lead)
    assert_accessible(lead)


def test_the_records_disclosures_are_accessible_once_opened(page: Page, engagement_at, make) -> None:  # noqa: F811
    world = build_world(engagement_at, make)
    page.goto(f"/engagements/{world.completed.slug}")
    terms = page.locator("#agreement-terms")
    terms.locator("summary").click()
    expect(terms).to_have_attribute("open", "")
    expect(terms.locator(".govuk-details__text")).to_be_visible()
    assert_accessible(page)


def test_error_states_of_the_public_filters_are_accessible(page: Page, page_problems, engagement_at,  # noqa: F811
                                                           make) -> None:
    page_problems.allow("status of 400")  # a refused filter is answered 400, as it should be
    build_world(engagement_at, make)
    page.goto("/report-card")
    page.get_by_label("Day").first.fill("31")
    page.get_by_label("Month").first.fill("2")
    page.get_by_label("Year").first.fill("2026")
    page.get_by_role("button", name=re.compile("^Show")).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert_accessible(page)

    page.goto("/engagements?year=1066")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
