"""The pages anyone can read: accessible, usable at a phone's width and with a keyboard, under the real CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, PageProblems
from tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    ("/", "Co-operative Engagement"),
    ("/accessibility", "Accessibility statement for Co-operative Engagement"),
    ("/privacy", "Privacy notice"),
]


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES, ids=["home", "accessibility", "privacy"])
def test_public_page_is_accessible_and_fits_a_phone_screen(page: Page, path: str, heading: str) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"{path} scrolls sideways on a phone: {scroll_width}px wide"


def test_skip_link_is_the_first_thing_focused_and_moves_focus_to_the_main_content(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()

    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()


def test_content_security_policy_is_enforced_and_blocks_injected_inline_script(
        page: Page, page_problems: PageProblems) -> None:
    response = page.goto("/")
    assert response is not None
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]

    # The two reports of the block are what this test expects; any other problem still fails it.
    page_problems.allow("CSP violation: script-src")
    page_problems.allow("violates the following Content Security Policy directive 'script-src")
    with page.expect_console_message(lambda message: "CSP violation" in message.text):
        page.evaluate("""() => {
          const script = document.createElement("script");
          script.textContent = "window.injectedScriptRan = true";
          document.body.append(script);
        }""")
    assert page.evaluate("window.injectedScriptRan") is None


def test_accessibility_check_runs_under_the_real_csp_and_reports_what_it_finds(page: Page) -> None:
    page.goto("/")
    page.evaluate("""() => {
      const input = document.createElement("input");
      input.type = "text";
      input.id = "unlabelled";
      document.querySelector("main").append(input);
    }""")
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    assert "- label (critical): Form elements must have labels" in str(failure.value)
    assert "#unlabelled" in str(failure.value)
