"""A resident follows a published record by e-mail from its page, without an account: they confirm with the
link in the e-mail a real local SMTP server received, a new version is published, the follower-updates job runs
and exactly one e-mail arrives; they stop the e-mails with its link. Every page on the way is checked with
axe-core, on a desktop and the sign-up on a phone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from engage.extensions import db
from engage.following.updates import send_follower_updates
from engage.mail.services import deliver_due_messages
from engage.publication import services as publishing
from tests.browser.conftest import PHONE, PageProblems
from tests.browser.support import assert_accessible
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.public.page_records import PublicWorld, build_world

pytestmark = pytest.mark.browser

RESIDENT = "asha.resident@example.net"
NOTE = "Commitment 'Extend evening opening' marked done"


@pytest.fixture
def world(engagement_at, make) -> PublicWorld:  # noqa: F811 - the fixture imported above
    return build_world(engagement_at, make)


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def link_in(message, start: str) -> str:
    match = re.search(rf"http://localhost({re.escape(start)}\S+)", message.get_content())
    assert match, f"no {start} link in the e-mail"
    return match.group(1)


def test_a_resident_follows_a_record_confirms_by_email_and_gets_one_email_for_a_new_version(
        page: Page, world: PublicWorld, smtp_server, page_problems: PageProblems) -> None:
    title = world.completed.title
    page.goto(f"/engagements/{world.completed.slug}")
    page.get_by_role("link", name=f"Get e-mails about '{title}'").click()
    expect(heading(page)).to_have_text(f"Get e-mails about '{title}'")
    assert_accessible(page)

    page.get_by_role("button", name="Get e-mails").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your e-mail address")
    assert_accessible(page)

    page.get_by_label("E-mail address").fill(RESIDENT)
    page.get_by_role("button", name="Get e-mails").click()
    expect(heading(page)).to_have_text("Check your e-mail")
    expect(page.get_by_text(RESIDENT)).to_have_count(0)
    assert_accessible(page)

    deliver_due_messages()
    [confirmation] = smtp_server.messages
    assert confirmation["To"] == RESIDENT
    page.goto(link_in(confirmation, "/follow/confirm/"))
    expect(page).to_have_url(re.compile(r"/follow/confirm$"))
    expect(heading(page)).to_have_text(f"Confirm you want e-mails about '{title}'")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    expect(heading(page)).to_have_text(f"You are following '{title}'")
    assert_accessible(page)

    # A commitment changes: a new version of the record is published, and the hourly job runs.
    publishing.publish(world.completed, actor=world.completed.lead_user, change_note=NOTE)
    db.session.commit()
    send_follower_updates()
    deliver_due_messages()
    send_follower_updates()
    deliver_due_messages()
    updates = smtp_server.messages[1:]
    assert len(updates) == 1, [m["Subject"] for m in updates]
    [update] = updates
    assert update["To"] == RESIDENT and update["Subject"] == f"Record updated: {title}"
    assert f"What changed: {NOTE}" in update.get_content()
    assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The version the e-mail links to, then stopping the e-mails with the e-mail's own link.
    page.goto(link_in(update, f"/engagements/{world.completed.slug}/versions/"))
    expect(page.get_by_role("cell", name=NOTE)).to_be_visible()
    page.goto(link_in(update, "/follow/unsubscribe/"))
    expect(heading(page)).to_have_text(f"Stop e-mails about '{title}'")
    assert_accessible(page)
    page.get_by_role("button", name="Stop these e-mails").click()
    expect(heading(page)).to_have_text(f"You will not get any more e-mails about '{title}'")
    assert_accessible(page)

    # The link again: a plain page (answered 404, which the browser reports), and nothing changes.
    page_problems.allow("status of 404")
    page.goto(link_in(update, "/follow/unsubscribe/"))
    expect(heading(page)).to_have_text("This link does not work")
    assert_accessible(page)


def test_a_resident_follows_an_area_from_the_filtered_list_on_a_phone(
        new_page: Callable[..., Page], world: PublicWorld) -> None:
    page = new_page(PHONE)
    page.goto(f"/engagements?area={world.area.slug}")
    page.get_by_role("link", name=f"Get e-mails about engagements in {world.area.label}").click()
    expect(heading(page)).to_have_text(f"Get e-mails about engagements in {world.area.name}")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("not an address")
    page.get_by_role("button", name="Get e-mails").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an e-mail address in the correct format")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill(RESIDENT)
    page.get_by_role("button", name="Get e-mails").click()
    expect(heading(page)).to_have_text("Check your e-mail")
    assert_accessible(page)
