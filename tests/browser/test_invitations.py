"""An administrator invites a partner; the partner accepts the invitation and creates their account."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from engage.accounts import services as accounts
from engage.accounts.models import Role
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from tests.browser.support import assert_accessible, sign_in
from tests.factories import PASSWORD, latest_message_to, link_in

pytestmark = pytest.mark.browser


def test_administrator_invites_a_vcfse_partner(page: Page, make) -> None:
    admin = make.admin()
    make.organisation(kind=OrganisationKind.VCFSE, name="Riverside Food Bank")
    sign_in(page, admin)

    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("link", name="Invite someone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite someone")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Amira Okafor")
    page.get_by_label("E-mail address").fill("amira@riverside.example.org")
    page.get_by_label("VCFSE partner").check()
    page.get_by_label("Organisation").select_option(label="Riverside Food Bank (VCFSE)")
    page.get_by_role("button", name="Send invitation").click()

    banner = page.get_by_role("alert").filter(has_text="Success")
    expect(banner.locator(".govuk-notification-banner__heading")).to_have_text(
        "Invitation sent to Amira Okafor. The link works for 7 days.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Amira Okafor")
    status = page.locator(".govuk-summary-list__row").filter(has=page.get_by_text("Status", exact=True))
    expect(status.locator(".govuk-summary-list__value")).to_have_text("Invited")
    assert_accessible(page)

    invitation = latest_message_to("amira@riverside.example.org")
    assert invitation is not None, "no invitation e-mail in the outbox"
    assert link_in(invitation).startswith("/invitation/")


def test_invited_partner_creates_an_account_and_saves_recovery_codes(
        new_page: Callable[..., Page], make, app: Flask) -> None:
    admin = make.admin()
    organisation = make.organisation(kind=OrganisationKind.VCFSE, name="Northbrook Youth Trust")
    with app.test_request_context():  # the invitation link is built with url_for
        accounts.invite_user(email="sam@youth-trust.example.org", name="Sam Patel", role=Role.PARTNER,
                             organisation=organisation, actor=admin)
        db.session.commit()
    link = link_in(latest_message_to("sam@youth-trust.example.org"))

    # The invitee's own browser, with no cookies from anyone else.
    page = new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    expect(page.get_by_text("as a vcfse partner for Northbrook Youth Trust")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Create a password", exact=True).fill("password123")
    page.get_by_label("Confirm your password", exact=True).fill("password123")
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose a password that is harder to guess")
    assert_accessible(page)

    page.get_by_label("Create a password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm your password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    expect(page.get_by_role("list", name="Your recovery codes").get_by_role("listitem")).to_have_count(10)
    assert_accessible(page)

    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text("Signed in as Sam Patel")).to_be_visible()
    assert_accessible(page)
