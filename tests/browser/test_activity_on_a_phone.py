"""A partner logs an activity and its insight on a phone, and records a test result; every page on the way,
error states included, fits the screen and is checked with axe-core."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from engage.activity.models import Activity
from engage.activity.services import active_communities
from engage.extensions import db
from engage.vocabularies.defaults import COMMUNITIES
from engage.vocabularies.models import Community, CommunityGroup
from engage.vocabularies.services import save_community
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


def toggle(page: Page, group_label: str) -> None:
    """Open or close a group of reach counts, as a partner would, by its summary."""
    page.locator("summary", has_text=group_label).click()


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
    toggle(page, "VCFSE networks")
    page.get_by_role("group", name="VCFSE networks").get_by_label("Carers network").fill("6")
    toggle(page, "Protected characteristics (Equality Act 2010)")
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


NARROWEST = {"width": 320, "height": 640}  # WCAG 2.2 reflow: 320 CSS pixels wide


def _visible_reach_boxes(page: Page) -> int:
    return page.locator("input[name^='reach_']").evaluate_all(
        "(inputs) => inputs.filter((input) => input.checkVisibility()).length")


def _group(page: Page, group: CommunityGroup) -> Locator:
    return page.locator(f"#reach-{group.value}")


def _all_default_communities() -> list[Community]:
    """The communities a new installation starts with (22 of them), which make the form long on a phone."""
    taken = {c.name for c in active_communities()}
    for group, names in COMMUNITIES:
        for name in names:
            if name not in taken:
                save_community(None, name=name, group=CommunityGroup(group))
    db.session.commit()
    return active_communities()


def test_reach_is_folded_into_groups_a_partner_opens_on_a_phone(page: Page, make) -> None:
    scene = build_scene(make)
    communities = _all_default_communities()
    in_group = Counter(c.group for c in communities)
    page.set_viewport_size(NARROWEST)
    sign_in(page, scene.partner)
    page.goto(f"{scene.base}/activity/new")
    expect(heading(page)).to_have_text("Log an activity")

    # Every group starts closed, so none of the reach boxes is in the way.
    assert _visible_reach_boxes(page) == 0
    folded_height = page.evaluate("document.documentElement.scrollHeight")
    check(page)

    toggle(page, "Under-represented groups")
    expect(_group(page, CommunityGroup.UNDER_REPRESENTED)).to_have_attribute("open", "")
    assert _visible_reach_boxes(page) == in_group[CommunityGroup.UNDER_REPRESENTED]
    expect(_group(page, CommunityGroup.UNDER_REPRESENTED)).to_contain_text(
        "People from groups that engagement often misses.")
    check(page)

    # With every group open the form is as long as it was before the groups: folded, it is much shorter.
    for group in (CommunityGroup.NETWORK, CommunityGroup.PROTECTED_CHARACTERISTIC):
        toggle(page, group.label)
    assert _visible_reach_boxes(page) == len(communities)
    assert folded_height < page.evaluate("document.documentElement.scrollHeight") - 60 * len(communities)
    # A partner types a count in one group and a mistake in another, then closes both.
    under_represented = next(c for c in communities if c.group is CommunityGroup.UNDER_REPRESENTED)
    protected = next(c for c in communities if c.group is CommunityGroup.PROTECTED_CHARACTERISTIC)
    page.get_by_label(under_represented.name, exact=True).fill("7")
    page.get_by_label(protected.name, exact=True).fill("lots")
    for group in CommunityGroup:
        toggle(page, group.label)
    assert _visible_reach_boxes(page) == 0

    # The title is missing: the form comes back with the count kept and the groups that hold numbers open.
    page.get_by_role("button", name="Save activity").click()
    expect(error_summary(page)).to_contain_text("Enter a title for the activity")
    mistake = f"Enter the number reached in \u2018{protected.name}\u2019 as a whole number, like 12"
    expect(error_summary(page)).to_contain_text(mistake)
    expect(page.get_by_label(under_represented.name, exact=True)).to_have_value("7")
    expect(page.get_by_label(protected.name, exact=True)).to_have_value("lots")
    expect(_group(page, CommunityGroup.NETWORK)).not_to_have_attribute("open", "")
    assert _visible_reach_boxes(page) == (in_group[CommunityGroup.UNDER_REPRESENTED]
                                          + in_group[CommunityGroup.PROTECTED_CHARACTERISTIC])
    check(page)

    error_summary(page).get_by_role("link", name=mistake).click()
    expect(page.get_by_label(protected.name, exact=True)).to_be_focused()

    # Saved, then changed: the group that holds a number opens, the others stay folded.
    page.get_by_label(protected.name, exact=True).fill("")
    date = page.get_by_role("group", name="Date of the activity")
    date.get_by_label("Day").fill("1")
    date.get_by_label("Month").fill("1")
    date.get_by_label("Year").fill("2025")
    page.get_by_label("Outreach").check()
    page.get_by_label("Title").fill("Drop-in at the food bank")
    page.get_by_role("button", name="Save activity").click()
    expect(heading(page)).to_have_text("Drop-in at the food bank")
    activity = db.session.scalars(select(Activity).order_by(Activity.id.desc())).first()
    assert {(r.community_id, r.count) for r in activity.reach} == {(under_represented.id, 7)}
    page.goto(f"{scene.base}/activity/{activity.id}/change")
    expect(page.get_by_label(under_represented.name, exact=True)).to_have_value("7")
    assert _visible_reach_boxes(page) == in_group[CommunityGroup.UNDER_REPRESENTED]
    check(page)
