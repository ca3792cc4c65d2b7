"""A partner logs an activity and its insight on a phone, and records a test result; every page on the way,
error states included, fits the screen and is checked with axe-core."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

from engage.activity.models import Activity
from engage.extensions import db
from tests.activity.conftest import build_scene
from tests.browser.conftest import PHONE
from tests.browser.support import assert_accessible, sign_in
from tests.browser.test_engagement_journey import (
    assert_no_sideways_scroll,
    error_summary,
    heading,
    snapshot,
    success_banner,
)

pytestmark = pytest.mark.browser
_shots = itertools.count(1)


def check(page: Page) -> None:
    snapshot(page, f"activity-{next(_shots):02d}")
    assert_no_sideways_scroll(page)
    assert_accessible(page)


def test_a_partner_logs_an_activity_and_an_insight_on_a_phone(page: Page, make) -> None:
    scene = build_scene(make)
    page.set_viewport_size(PHONE)
    sign_in(page, scene.partner)

    page.goto("/dashboard")
    check(page)
    page.get_by_role("link", name=scene.engagement.title).click()
    page.get_by_role("link", name="Log activity").click()
    expect(heading(page)).to_have_text("Activity log")
    check(page)
    page.get_by_role("link", name="Log an activity").click()
    expect(heading(page)).to_have_text("Log an activity")
    check(page)

    date = page.get_by_role("group", name="Date of the activity")
    date.get_by_label("Day").fill("1")
    date.get_by_label("Month").fill("1")
    date.get_by_label("Year").fill("2099")
    page.get_by_label("Community event").check()
    page.get_by_label("Title").fill("Fun day stall")
    page.get_by_label("How many people took part?").fill("-4")
    page.get_by_label("Volunteer hours").fill("two")
    page.get_by_role("button", name="Save activity").click()
    expect(error_summary(page)).to_contain_text("The date of the activity must be today or in the past")
    expect(error_summary(page)).to_contain_text("The number of people who took part must be 0 or more")
    expect(page.get_by_label("Title")).to_have_value("Fun day stall")
    check(page)

    error_summary(page).get_by_role("link", name="The number of people who took part must be 0 or more").click()
    expect(page.get_by_label("How many people took part?")).to_be_focused()
    date.get_by_label("Year").fill("2025")
    page.get_by_label("How many people took part?").fill("40")
    page.get_by_label("Volunteer hours").fill("2.5")
    page.get_by_label("Spend").fill("12.50")
    page.get_by_role("group", name="VCFSE networks").get_by_label("Carers network").fill("6")
    page.get_by_role("group", name="Protected characteristics (Equality Act 2010)").get_by_label("Age").fill("11")
    page.get_by_role("button", name="Save activity").click()
    expect(success_banner(page)).to_have_text("The activity has been logged. Add the insights it gathered.")
    expect(heading(page)).to_have_text("Fun day stall")
    check(page)

    page.get_by_role("link", name="Add an insight").click()
    expect(page.get_by_text("Do not include anyone\u2019s name: insights are anonymous by design.")).to_be_visible()
    page.get_by_role("button", name="Add insight").click()
    expect(error_summary(page)).to_contain_text("Write the insight")
    check(page)
    page.get_by_label("Insight").fill("The last bus leaves at six, so evening sessions miss people.")
    page.get_by_label("Communities affected").check()
    page.get_by_label("This is a system blocker").check()
    page.get_by_role("button", name="Add insight").click()
    expect(page.locator("#insights ~ .engage-item").first).to_contain_text("System blocker")
    check(page)

    db.session.expire_all()
    activity = db.session.query(Activity).one()
    assert (activity.participants, activity.volunteer_minutes, activity.spend_pence) == (40, 150, 1250)
    assert sorted(r.count for r in activity.reach) == [6, 11]

    page.goto(f"{scene.base}/tests")
    page.get_by_role("link", name="Record the result or drop the test").click()
    expect(heading(page)).to_have_text("Result of a test")
    check(page)
    page.get_by_role("button", name="Drop the test").click()
    expect(error_summary(page)).to_contain_text("Give the reason for dropping the test")
    check(page)
    page.get_by_label("What happened?").fill("Two evenings for four weeks.")
    page.get_by_label("What did it show?").fill("Fewer walk-ins at A&E on those evenings.")
    page.get_by_role("button", name="Save the result").click()
    expect(success_banner(page)).to_have_text("The result has been saved.")
    check(page)

    page.goto(f"{scene.base}/")
    expect(page.locator("#figures")).to_contain_text("People who took part")
    check(page)
    page.goto("/dashboard")
    expect(page.locator("#recent-activity ~ ul").first).to_contain_text("Fun day stall")
    check(page)
