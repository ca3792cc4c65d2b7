"""The report card in a real browser, with the demo data: axe-core finds nothing, every chart loads as an image
with alt text under the site's real Content-Security-Policy, bad dates get the error summary, it fits a phone,
and printed it leaves out the navigation and the date form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from engage.reporting.charts import CHARTS
from tests.browser.conftest import PHONE, PageProblems
from tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser



def test_the_report_card_is_accessible_with_its_charts_loaded(page: Page, demo) -> None:
    page.goto("/")
    page.get_by_role("link", name="Report card").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report card")
    expect(page.locator(".govuk-body-l")).to_contain_text("24 November 2025")
    expect(page.locator(".govuk-inset-text")).to_contain_text("still choosing its challenge is not public yet")

    for name, chart in CHARTS.items():
        image = page.locator(f"#chart-{name} img")
        expect(image).to_have_attribute("alt", f"Bar chart of {chart.title.lower()}. "
                                               "The same numbers are in the table next to it.")
        image.scroll_into_view_if_needed()
        expect(image).to_be_visible()
        loaded = image.evaluate("img => img.complete && img.naturalWidth > 0")
        assert loaded, f"the {name} chart did not load"
        expect(page.locator(f"#chart-{name} table caption")).to_have_text(chart.title)
    expect(page.get_by_role("link", name="Neighbourhood support in Langley").first).to_be_visible()
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"the report card scrolls sideways on a phone: {scroll_width}px wide"


def type_date(page: Page, legend: str, day_month_year: str) -> None:
    boxes = page.get_by_role("group", name=legend)
    for label, value in zip(("Day", "Month", "Year"), day_month_year.split(), strict=True):
        boxes.get_by_label(label).fill(value)


def test_bad_dates_show_the_error_summary_and_keep_what_was_typed(page: Page, page_problems: PageProblems,
                                                                   demo) -> None:
    # The page with the error summary is answered 400 Bad Request, which the browser notes in its console.
    page_problems.allow("status of 400")
    page.goto("/report-card")
    start = page.get_by_role("group", name="Start date")
    type_date(page, "Start date", "31 2 2026")
    page.get_by_role("button", name="Show the figures").click()

    expect(page).to_have_title(re.compile(r"^Error: Report card "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Start date must be a real date")
    expect(start.get_by_label("Day")).to_have_value("31")
    assert_accessible(page)

    summary.get_by_role("link", name="Start date must be a real date").click()
    expect(start.get_by_label("Day")).to_be_focused()

    type_date(page, "Start date", "1 1 2026")
    type_date(page, "End date", "30 6 2026")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.locator(".govuk-body-l")).to_contain_text("1 January 2026")
    expect(page.locator("#chart-levels img")).to_have_attribute(
        "src", "/report-card/charts/levels.svg?from=2026-01-01&to=2026-06-30")
    assert_accessible(page)


def test_printed_it_leaves_out_the_navigation_and_the_form(page: Page, demo) -> None:
    page.goto("/report-card")
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator(".engage-report-card__form")).to_be_hidden()
    expect(page.locator(".engage-footer")).to_be_hidden()
    expect(page.locator("#chart-levels img")).to_be_visible()
    # Each chart keeps its table with it rather than splitting across pages.
    assert page.locator(".engage-chart").first.evaluate("el => getComputedStyle(el).breakInside") == "avoid"
    link_after = page.locator(".engage-report-card a").first.evaluate(
        "a => getComputedStyle(a, '::after').content")
    assert link_after in ("none", "normal")
