"""Zoomed to 400% (WCAG 2.2, 1.4.10 Reflow): a 1280 x 1024 screen at 400% leaves 320 x 256 CSS px, and every key
page must still reflow into it: no sideways scrolling, and no line of text running past the edge of the window."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engage.accounts.models import User
from engage.demo.seed import DEMO_PASSWORD
from engage.extensions import db
from tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser

ZOOMED = {"width": 320, "height": 256}

# Every run of text on the page, as the browser laid it out, that starts left of the window or ends right of it.
# Text the page hides on purpose is left out: visually hidden labels (clipped to a pixel), the skip link until it
# is focused, and anything inside a closed disclosure or not displayed, which has no boxes at all.
_TEXT_OUTSIDE_THE_WINDOW = """() => {
  const width = document.documentElement.clientWidth;
  const hidden = ".govuk-visually-hidden, .govuk-skip-link, script, style, template, noscript";
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text || node.parentElement.closest(hidden)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const outside = [...range.getClientRects()].find(r => r.width > 0 && (r.left < -1 || r.right > width + 1));
    if (outside) {
      const el = node.parentElement;
      found.push(`${el.tagName.toLowerCase()}${el.className ? "." + [...el.classList].join(".") : ""}: `
                 + `"${text.slice(0, 60)}" runs from ${Math.round(outside.left)} to ${Math.round(outside.right)}px`);
    }
  }
  return found;
}"""


def assert_reflows(page: Page) -> None:
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    outside = page.evaluate(_TEXT_OUTSIDE_THE_WINDOW)
    problems = ([f"scrolls sideways: {scroll_width}px of content in {client_width}px"]
                if scroll_width > client_width + 1 else []) + outside
    assert not problems, f"{page.url} at 400% zoom:\n" + "\n".join(problems)



PUBLIC_PAGES = {
    "home": "/",
    "engagements": "/engagements",
    "completed record": "/engagements/neighbourhood-support-in-langley",
    "in-progress record": "/engagements/mental-health-pathways",
    "insights": "/insights",
    "report card": "/report-card",
    "sign-in": "/sign-in",
}

# The demo's lead, on an engagement at the third step.
WORKSPACE_PAGES = {
    "dashboard": "/dashboard",
    "task list": "/workspace/mental-health-pathways/",
    "activity form": "/workspace/mental-health-pathways/activity/new",
    "level page": "/workspace/mental-health-pathways/level",
}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_a_public_page_reflows_at_400_percent(new_page, demo, name: str) -> None:
    page = new_page(ZOOMED)
    response = page.goto(PUBLIC_PAGES[name])
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_reflows(page)
    assert_accessible(page)


@pytest.mark.parametrize("name", WORKSPACE_PAGES)
def test_a_workspace_page_reflows_at_400_percent(new_page, demo, name: str) -> None:
    page = new_page(ZOOMED)
    sign_in(page, db.session.scalar(select(User).where(User.email == "lead@demo.example.org")), DEMO_PASSWORD)
    response = page.goto(WORKSPACE_PAGES[name])
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_reflows(page)
    assert_accessible(page)
