"""A lead records what happens after publication, in the browser: adds two commitments (after one refused
with the error summary), marks one done with an update, and sees it on the public record, in the version
history and in the Atom feed; a resident who confirmed they follow the record gets one e-mail for it through
a real SMTP server, and addresses never confirmed, or unsubscribed, get nothing. axe-core checks every new
page, error states included."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from playwright.sync_api import Page, expect

from engage.clock import today
from engage.commitments.models import Commitment, CommitmentStatus
from engage.extensions import db
from engage.following.updates import send_follower_updates
from engage.mail.services import deliver_due_messages
from engage.publication.services import versions_of
from tests.browser.support import assert_accessible, sign_in
from tests.commitments.conftest import INSIGHT, Completed, completed  # noqa: F401 - the fixture
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.following.conftest import follow_and_confirm, messages_to, sign_up, unsubscribe_link_in
from tests.public.test_open_data import ATOM

pytestmark = pytest.mark.browser

FIRST = "Keep the evening clinic open on Tuesdays and Thursdays"
SECOND = "Publish the clinic's waiting times each month"
FOLLOWER = "follows.the.clinic@example.net"
NEVER_CONFIRMED = "never.confirmed@example.net"
UNSUBSCRIBED = "changed.their.mind@example.net"


def followers_of(app, engagement) -> None:
    """One resident who confirmed, one who never did, and one who confirmed and then unsubscribed."""
    path = f"/follow/engagement/{engagement.slug}"
    follow_and_confirm(app, path, FOLLOWER)
    assert sign_up(app.test_client(), path, NEVER_CONFIRMED).status_code == 302
    follow_and_confirm(app, path, UNSUBSCRIBED)
    [*_, confirmed] = messages_to(UNSUBSCRIBED)
    assert app.test_client().post(unsubscribe_link_in(confirmed)).status_code == 200


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def fill_date(page: Page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def add_commitment(page: Page, action: str, organisation: str, due, *, insight: bool = False) -> None:
    page.get_by_role("link", name="Add a commitment").click()
    expect(heading(page)).to_have_text("Add a commitment")
    page.get_by_label("What will happen?").fill(action)
    page.get_by_label("Organisation responsible").select_option(label=organisation)
    fill_date(page, "Due date", due)
    if insight:
        page.get_by_label(INSIGHT).check()
    page.get_by_role("button", name="Save commitment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"\u2018{action}\u2019 is added")


def test_a_lead_adds_commitments_marks_one_done_and_the_public_record_feed_history_and_followers_show_it(
        page: Page, completed: Completed, app, smtp_server) -> None:  # noqa: F811
    engagement = completed.engagement
    followers_of(app, engagement)
    deliver_due_messages()  # the confirmation e-mails
    smtp_server.messages.clear()
    sign_in(page, completed.lead)

    page.goto(f"/workspace/{engagement.slug}/")
    page.get_by_role("link", name="What happens next: commitments").click()
    expect(heading(page)).to_have_text("What happens next")
    expect(page.get_by_text("No commitments yet.")).to_be_visible()
    assert_accessible(page)

    # Refused first: the error summary takes focus and the form keeps what was typed.
    page.get_by_role("link", name="Add a commitment").click()
    assert_accessible(page)
    page.get_by_label("What will happen?").fill(FIRST)
    page.get_by_role("button", name="Save commitment").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose the organisation responsible")
    expect(summary).to_contain_text("Enter the date it is due")
    expect(page.get_by_label("What will happen?")).to_have_value(FIRST)
    assert_accessible(page)
    summary.get_by_role("link", name="Enter the date it is due").click()
    expect(page.get_by_role("group", name="Due date").get_by_label("Day")).to_be_focused()
    page.get_by_label("Organisation responsible").select_option(label=engagement.lead_organisation.name)
    fill_date(page, "Due date", today().replace(year=today().year + 1))
    page.get_by_label(INSIGHT).check()
    page.get_by_role("button", name="Save commitment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"\u2018{FIRST}\u2019 is added")

    add_commitment(page, SECOND, completed.partner_organisation.name, today().replace(year=today().year + 2))
    expect(page.locator(".govuk-summary-card")).to_have_count(2)
    assert_accessible(page)

    # Marking the first done: a note is needed, and the update is dated today by default.
    page.get_by_role("link", name=f"Post an update on {FIRST}").click()
    expect(heading(page)).to_have_text("Post an update")
    expect(page.get_by_role("group", name="When did it happen?").get_by_label("Day")).to_have_value(
        str(today().day))
    assert_accessible(page)
    page.get_by_label("Done", exact=True).check()
    page.get_by_role("button", name="Post update").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what has happened")
    assert_accessible(page)
    page.get_by_label("What has happened?").fill("The clinic is staffed on both evenings for **all of next year**.")
    page.get_by_label("Done", exact=True).check()
    page.get_by_role("button", name="Post update").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"\u2018{FIRST}\u2019 is done.")
    db.session.expire_all()
    done = db.session.query(Commitment).filter_by(action=FIRST).one()
    assert done.status is CommitmentStatus.DONE and done.done_on == today()
    notes = [v.change_note for v in versions_of(engagement.id)]
    assert notes[1:] == [f"Commitment '{FIRST}' added", f"Commitment '{SECOND}' added",
                         f"Commitment '{FIRST}' marked done"]

    # What residents see.
    page.get_by_role("link", name="See them on the public record").click()
    section = page.locator(".engage-commitment").filter(has_text=FIRST)
    expect(section).to_contain_text("Done on")
    expect(section.locator(".govuk-tag")).to_have_text("Done")
    expect(section).to_contain_text("all of next year")
    expect(section).to_contain_text(INSIGHT)
    expect(page.locator(".engage-commitment").filter(has_text=SECOND).locator(".govuk-tag")).to_have_text("Planned")
    expect(page.get_by_text("Version 4, published")).to_be_visible()
    expect(page.get_by_role("table", name="Versions of this record")).to_contain_text(
        f"Commitment '{FIRST}' marked done")
    assert_accessible(page)

    feed = page.request.get("/feed.atom")
    assert feed.ok
    entries = ElementTree.fromstring(feed.body()).findall(f"{ATOM}entry")  # noqa: S314 - the service's own output
    assert entries[0].findtext(f"{ATOM}summary").startswith(f"Commitment '{FIRST}' marked done")
    assert entries[0].findtext(f"{ATOM}id").endswith(f"/engagements/{engagement.slug}/versions/4")

    # The hourly job, run twice as a restarted scheduler might: one e-mail to the one confirmed follower.
    for _ in range(2):
        send_follower_updates()
        deliver_due_messages()
    sent = [m for m in smtp_server.messages if m["To"] != completed.lead.email]
    assert [m["To"] for m in sent] == [FOLLOWER]
    assert f"Commitment '{FIRST}' marked done" in sent[0].get_content()
