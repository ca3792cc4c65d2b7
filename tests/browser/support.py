"""What browser tests do often: check a page with axe-core, and sign in as a person would."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from engage.accounts.models import User
from tests.factories import PASSWORD, code_in, latest_message_to

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_axe = Axe()


def assert_accessible(page: Page) -> None:
    """No WCAG 2.0, 2.1 or 2.2 level A or AA violations that axe-core can find on the page as it is now."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                      "resultTypes": ["violations"]})
    violations = results.response["violations"]
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {', '.join(map(str, node['target']))}" for node in violation["nodes"])
        message = "\n".join(lines)
        print(message)
        pytest.fail(message, pytrace=False)


def sign_in(page: Page, user: User, password: str = PASSWORD) -> None:
    """Sign in through the pages with e-mail, password and the code e-mailed to the person."""
    page.goto("/sign-in")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    page.get_by_label("Code").fill(code_in(latest_message_to(user.email)))
    page.get_by_role("button", name="Continue").click()
