"""Signing in through the pages, as an administrator would."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import assert_accessible
from tests.factories import PASSWORD, code_in, latest_message_to

pytestmark = pytest.mark.browser


def test_administrator_signs_in_with_password_and_emailed_code(page: Page, make, live_server: str) -> None:
    admin = make.admin(name="Ada Admin")

    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert_accessible(page)
    page.get_by_label("Code").fill(code_in(latest_message_to(admin.email)))
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{live_server}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    expect(page.get_by_text("Signed in as Ada Admin")).to_be_visible()
    assert_accessible(page)


def test_empty_sign_in_shows_a_focused_error_summary_linking_to_each_field(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    links = summary.get_by_role("link")
    expect(links).to_have_text(["Enter your e-mail address", "Enter your password"])
    assert [links.nth(i).get_attribute("href") for i in range(2)] == ["#email", "#password"]
    assert_accessible(page)

    links.nth(1).click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
