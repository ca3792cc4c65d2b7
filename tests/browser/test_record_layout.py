"""The public record on a desktop uses its width: the "On this page" contents list sits in the right-hand column
and stays in view while the record is read, the key figures come first and say what each sum counts, and the
page is much shorter than it was. On a phone the contents list comes before the content and scrolls away."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE
from tests.browser.support import assert_accessible
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.public.page_records import PublicWorld, build_world

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
DEMO_RECORD = "/engagements/neighbourhood-support-in-langley"
# The demo's completed record (ten versions, three commitments, a signed agreement) measured 14,313 CSS px high
# at 1280 px wide before the contents list moved beside the content: contents list above the content, every
# agreement term, commitment update and version in full. It is now about 11,350 px, with the key figures added;
# the bound leaves room for small changes of wording while still failing the old layout by some 2,600 px.
OLD_DEMO_HEIGHT = 14_313
MOST_OF_OLD_HEIGHT = 0.82



@pytest.fixture
def world(app, engagement_at, make, tmp_path, monkeypatch) -> PublicWorld:  # noqa: F811 - the fixture above
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return build_world(engagement_at, make, uploads_dir=tmp_path / "uploads")


def _box(page: Page, selector: str) -> dict[str, float]:
    return page.locator(selector).first.evaluate(
        "el => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, "
        "right: r.right}; }")


def _in_view(page: Page, selector: str) -> bool:
    box = _box(page, selector)
    return box["top"] >= 0 and box["bottom"] <= page.viewport_size["height"]


def _scroll_to(page: Page, fraction: float) -> None:
    page.evaluate(f"window.scrollTo(0, document.documentElement.scrollHeight * {fraction})")
    page.wait_for_function(f"window.scrollY > 0 || {fraction} === 0")


def assert_contents_beside_content_while_scrolling(page: Page) -> None:
    contents = page.get_by_role("navigation", name="On this page")
    expect(contents).to_be_visible()
    for fraction in (0.55, 0.8, 1.0):
        _scroll_to(page, fraction)
        assert _in_view(page, ".engage-contents"), f"the contents list scrolled out of view at {fraction:.0%}"
        nav, content = _box(page, ".engage-contents"), _box(page, "#at-a-glance + .engage-key-figures")
        assert nav["left"] >= content["right"], "the contents list is not beside the content"
    # The list still works from down there.
    contents.get_by_role("link", name="About this engagement").click()
    expect(page.locator("#about")).to_be_in_viewport()
    assert _in_view(page, ".engage-contents")


def assert_key_figures_come_first(page: Page, first_section: str) -> None:
    figures = page.locator(".engage-key-figures")
    expect(figures).to_be_visible()
    assert _box(page, ".engage-key-figures")["bottom"] <= _box(page, first_section)["top"]
    follows = figures.evaluate(
        f"el => !!(el.compareDocumentPosition(document.querySelector('{first_section}')) & "
        "Node.DOCUMENT_POSITION_FOLLOWING)")
    assert follows, f"the key figures are not before {first_section} in the page"


def figure(page: Page, label: str):
    return page.locator(".engage-key-figures__item").filter(
        has=page.locator(".engage-key-figures__label", has_text=label))


def test_the_demo_record_is_shorter_with_its_contents_list_beside_it(page: Page, demo) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(DEMO_RECORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Neighbourhood support in Langley")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < OLD_DEMO_HEIGHT * MOST_OF_OLD_HEIGHT, (
        f"the record is {height}px high: not materially shorter than the {OLD_DEMO_HEIGHT}px it was")

    assert_key_figures_come_first(page, "#story")
    expect(figure(page, "Commitments made")).to_contain_text("1 in progress, 1 done, 1 not going ahead")
    expect(figure(page, "Funding agreed")).to_contain_text("£1,500.00 For Common Ground Northbrook")
    expect(figure(page, "Spent on activities")).to_contain_text("of the £1,500.00 funding agreed")
    assert_accessible(page)

    assert_contents_beside_content_while_scrolling(page)
    assert_accessible(page)

    # What is one click away is still there: the agreement's terms, a commitment's updates, older versions.
    page.get_by_text("Read the agreed terms in full").click()
    expect(page.locator("#agreement-terms")).to_contain_text("How disagreements are settled")
    page.get_by_text("2 updates on this commitment").first.click()
    expect(page.get_by_text("The locality board agreed to fund the session")).to_be_visible()
    page.get_by_text("7 earlier versions").click()
    expect(page.get_by_role("table", name="Earlier versions of this record")
           .get_by_role("link", name="Version 1", exact=True)).to_be_visible()
    assert_accessible(page)


def test_an_in_progress_and_a_completed_record_show_key_figures_and_keep_their_contents_in_view(
        page: Page, world: PublicWorld) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"/engagements/{world.completed.slug}")
    assert_key_figures_come_first(page, "#story")
    expect(figure(page, "Dates")).to_contain_text("5 January 2026 to 30 April 2026")
    expect(figure(page, "People who took part")).to_contain_text("12")
    expect(figure(page, "Insights gathered")).to_contain_text("1 system blocker")
    expect(figure(page, "Budget planned")).to_contain_text("£12,000.00 For the whole engagement")
    # "Spent" alone said nothing of the funding it is spent from.
    expect(figure(page, "Spent on activities")).to_contain_text("£25.00 As the partners logged it, of the £1,500.00 "
                                                                "funding agreed")
    assert_accessible(page)
    assert_contents_beside_content_while_scrolling(page)

    page.goto(f"/engagements/{world.in_progress.slug}")
    assert_key_figures_come_first(page, "#about")
    expect(figure(page, "Step")).to_contain_text("3 of 6 Time together")
    expect(figure(page, "Progress updates")).to_contain_text("1")
    expect(page.locator(".engage-key-figures")).not_to_contain_text("Spent")
    assert_accessible(page)
    assert_contents_beside_content_while_scrolling(page)


def test_on_a_phone_the_contents_list_comes_first_and_scrolls_away(page: Page, world: PublicWorld) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"/engagements/{world.completed.slug}")
    nav, figures = _box(page, ".engage-contents"), _box(page, ".engage-key-figures")
    assert nav["bottom"] <= figures["top"], "on a phone the contents list should sit above the content"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _scroll_to(page, 1.0)
    assert not _in_view(page, ".engage-contents"), "on a phone the contents list should not follow the reader"
    assert_accessible(page)
