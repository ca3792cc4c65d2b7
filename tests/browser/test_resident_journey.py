"""A resident, without signing in, finds a completed engagement by search, reads what was asked, said and
done, opens an earlier version and downloads the CSV. Every public page on the way is checked with axe-core,
and the list and the record must fit a phone's screen without scrolling sideways."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from engage.engagements import services as engagements
from engage.extensions import db
from engage.publication import services as publishing
from tests.browser.conftest import PHONE, PageProblems
from tests.browser.support import assert_accessible
from tests.browser.test_engagement_journey import assert_no_sideways_scroll
from tests.engagements.conftest import STORY, engagement_at  # noqa: F401 - the fixture
from tests.public.page_records import (
    COMPLETED_TITLE,
    HELD_BACK_TITLE,
    IN_PROGRESS_TITLE,
    INSIGHT_TEXT,
    PublicWorld,
    build_world,
)

pytestmark = pytest.mark.browser

CORRECTED = "Opened the clinic on three evenings a week."


@pytest.fixture
def world(app, engagement_at, make, tmp_path, monkeypatch) -> PublicWorld:  # noqa: F811 - the fixture above
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    built = build_world(engagement_at, make, uploads_dir=tmp_path / "uploads")
    lead = built.completed.lead_user
    engagements.update_engagement(built.completed, actor=lead, expected_version=None, story_we_did=CORRECTED)
    publishing.publish(built.completed, actor=lead, change_note="Corrected the number of evenings.")
    db.session.commit()
    return built


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_a_resident_finds_reads_and_downloads_a_completed_engagement(page: Page, world: PublicWorld) -> None:
    # The home page: a search box, engagements to get involved in, and the latest records.
    page.goto("/")
    expect(heading(page)).to_have_text("Co-operative Engagement")
    expect(page.get_by_role("heading", name="Get involved")).to_be_visible()
    expect(page.get_by_role("link", name=IN_PROGRESS_TITLE)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Search engagements").fill("walk-in centre")
    page.get_by_role("button", name="Search").click()
    expect(heading(page)).to_have_text("Engagements")
    expect(page.locator("#result-count")).to_have_text("1 engagement")
    expect(page.get_by_label("Search", exact=True)).to_have_value("walk-in centre")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The record: what was asked, said and done, as corrected in version 2.
    page.get_by_role("link", name=COMPLETED_TITLE).click()
    expect(heading(page)).to_have_text(COMPLETED_TITLE)
    expect(page.get_by_text("Version 2, published")).to_be_visible()
    story = page.locator("#story ~ .engage-story-section")
    expect(page.get_by_role("heading", name="We asked")).to_be_visible()
    expect(story.nth(0)).to_have_text(STORY["story_we_asked"])
    expect(story.nth(1)).to_have_text(STORY["story_you_said"])
    expect(story.nth(2)).to_have_text(CORRECTED)
    expect(page.get_by_text(INSIGHT_TEXT)).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The earlier version, as first published, with a way back to the latest.
    versions = page.get_by_role("table", name="Versions of this record")
    expect(versions.get_by_role("row")).to_have_count(3)
    expect(versions).to_contain_text("Corrected the number of evenings.")
    versions.get_by_role("link", name="Version 1").click()
    expect(heading(page)).to_have_text(COMPLETED_TITLE)
    expect(page.get_by_text("This is version 1, published")).to_be_visible()
    expect(page.locator("#story ~ .engage-story-section").nth(2)).to_have_text(STORY["story_we_did"])
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Read the latest version (version 2)").click()
    expect(page.get_by_text("Version 2, published")).to_be_visible()

    # The open data: every public engagement as CSV, from the list page.
    page.get_by_role("link", name="Engagements", exact=True).first.click()
    expect(heading(page)).to_have_text("Engagements")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Every public engagement as a spreadsheet (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "engagements.csv"
    with open(download.path(), encoding="utf-8-sig") as downloaded:
        rows = list(csv.DictReader(io.StringIO(downloaded.read())))
    titles = {row["title"] for row in rows}
    assert titles == {COMPLETED_TITLE, IN_PROGRESS_TITLE}
    assert HELD_BACK_TITLE not in titles


def test_every_other_public_page_passes_axe_core(page: Page, world: PublicWorld) -> None:
    organisation = world.completed.collaborators[0].organisation
    pages = [
        (f"/engagements/{world.in_progress.slug}", IN_PROGRESS_TITLE, True),
        (f"/organisations/{organisation.slug}", organisation.name, True),
        ("/insights", "Insight library", True),
        ("/insights?blocker=yes&q=carers", "Insight library", True),
        ("/engagements?status=completed&per_page=1", "Engagements", True),
        ("/open-data", None, True),
    ]
    for path, title, check_phone in pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        if title:
            expect(heading(page)).to_have_text(title)
        assert_accessible(page)
        if check_phone:
            page.set_viewport_size(PHONE)
            assert_no_sideways_scroll(page)
            page.set_viewport_size({"width": 1280, "height": 900})


def test_a_bad_filter_shows_an_accessible_error_summary(page: Page, page_problems: PageProblems,
                                                       world: PublicWorld) -> None:
    # The browser reports the 400 status in the console: that is what this test asks for.
    page_problems.allow("the server responded with a status of 400")
    response = page.goto("/engagements?sort=title")
    assert response is not None and response.status == 400
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Unknown filter: sort")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)

    response = page.goto("/insights?lens=astrologers")
    assert response is not None and response.status == 400
    assert_accessible(page)


def test_pages_of_results_are_reached_with_the_pagination_links(page: Page, world: PublicWorld) -> None:
    page.goto("/engagements?per_page=1")
    expect(page.locator("#result-count")).to_have_text("2 engagements, showing 1 to 1")
    pagination = page.get_by_role("navigation", name="Pages of results")
    pagination.get_by_role("link", name="Next page").click()
    expect(page.locator("#result-count")).to_have_text("2 engagements, showing 2 to 2")
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    assert_accessible(page)
