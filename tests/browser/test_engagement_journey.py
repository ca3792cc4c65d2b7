"""A lead takes an engagement from the challenge to the story in the browser, as a person would, and every
page on the way (error states included) is checked with axe-core."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from engage.activity.services import record_test_result
from engage.engagements.models import Engagement
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from engage.vocabularies.services import load_defaults
from tests.browser.conftest import PHONE
from tests.browser.support import assert_accessible, sign_in
from tests.factories import log_activity, signed_agreement

pytestmark = pytest.mark.browser

# Set to a folder to keep full-page screenshots of the journey, to look at them by eye.
SCREENSHOTS = os.environ.get("ENGAGE_SCREENSHOTS", "")


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def success_banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success .govuk-notification-banner__heading")


def error_summary(page: Page) -> Locator:
    return page.locator(".govuk-error-summary")


def what_is_missing(page: Page) -> Locator:
    return page.locator("#what-is-missing li")


def task_status(page: Page, title: str) -> Locator:
    task = page.locator(".govuk-task-list__item").filter(has=page.get_by_role("link", name=title, exact=True))
    return task.locator(".govuk-task-list__status")


def move_on(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^Move on to ")).click()


def back_to_task_list(page: Page) -> None:
    page.get_by_role("link", name="Back to the task list").click()
    expect(page.locator("#what-is-missing, .govuk-task-list").first).to_be_visible()


def snapshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


# The elements that reach past the right edge of the window, innermost last, to say what to fix.
_OVERFLOWING = """
() => [...document.querySelectorAll("body *")]
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(-5)
  .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`
                    + ` (right edge at ${Math.round(element.getBoundingClientRect().right)}px)`)
"""


def assert_no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (f"{page.url} scrolls sideways at {widths[1]}px: it is {widths[0]}px wide; "
                                    f"too wide: {page.evaluate(_OVERFLOWING)}")


def test_lead_takes_an_engagement_from_challenge_to_story(page: Page, make) -> None:
    load_defaults()
    db.session.commit()
    council = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR, name="Rochdale Borough Council")
    hub = make.organisation(kind=OrganisationKind.VCFSE, name="Kirkholt Community Hub")
    lead = make.lead(name="Priya Shah", organisation=council)
    sign_in(page, lead)

    # Your engagements: nothing yet, and a way to open one.
    page.get_by_role("link", name="Your engagements").click()
    expect(heading(page)).to_have_text("Your engagements")
    expect(page.get_by_text("You are not part of any engagement yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Open an engagement").click()
    expect(heading(page)).to_have_text("Open an engagement")
    assert_accessible(page)
    page.get_by_role("button", name="Open the engagement").click()
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text(["Enter a title for the engagement"])
    assert_accessible(page)
    page.get_by_label("What is the engagement called?").fill("Urgent care in Kirkholt")
    page.get_by_role("button", name="Open the engagement").click()

    # The task list says what is missing before the engagement can leave the first step.
    expect(success_banner(page)).to_have_text(
        "\u2018Urgent care in Kirkholt\u2019 is open. Start by describing the challenge.")
    expect(heading(page)).to_have_text("Urgent care in Kirkholt")
    expect(page.get_by_text("Step 1 of 6: Choose the challenge")).to_be_visible()
    expect(what_is_missing(page)).to_have_text([
        "Write the challenge statement",
        "Write a plain-English summary",
        "Add at least one hook: a strategy, plan, service change or policy the work can change",
        "Choose the level of engagement",
    ])
    expect(task_status(page, "Describe the challenge")).to_have_text("Not yet started")
    snapshot(page, "01-task-list")
    assert_accessible(page)

    move_on(page)
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page)).to_contain_text("You cannot move on to \u2018Gather collaborators and build "
                                                "relationships\u2019 yet")
    expect(error_summary(page).get_by_role("link")).to_have_text([
        "Write the challenge statement", "Write a plain-English summary",
        "Add at least one hook: a strategy, plan, service change or policy the work can change",
        "Choose the level of engagement"])
    expect(page.get_by_text("Step 1 of 6: Choose the challenge")).to_be_visible()
    assert_accessible(page)

    # Describe the challenge, first with a date that does not exist.
    page.get_by_role("link", name="Describe the challenge").click()
    expect(heading(page)).to_have_text("Describe the challenge")
    assert_accessible(page)
    page.get_by_label("Challenge statement").fill("How can people in Kirkholt get the right urgent care, first time?")
    page.get_by_label("Why now?").fill("The urgent treatment centre is being redesigned this year.")
    page.get_by_label("Plain-English summary").fill(
        "We want to hear how people in Kirkholt use urgent care, and design a better service with them.")
    page.get_by_label("Area").select_option(label="Kirkholt (Rochdale)")
    page.get_by_label("Having services that meet needs").check()
    page.get_by_label("Neighbourhood and environment").check()
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("31")
    start.get_by_label("Month").fill("2")
    start.get_by_label("Year").fill("2027")
    end = page.get_by_role("group", name="End date")
    end.get_by_label("Month").fill("9")
    end.get_by_label("Year").fill("2027")
    page.get_by_label("Planned budget").fill("£2,500")
    page.get_by_role("button", name="Save").click()

    expect(error_summary(page)).to_be_focused()
    date_errors = error_summary(page).get_by_role("link")
    expect(date_errors).to_have_text(["Start date must be a real date", "End date must include a day"])
    expect(start).to_contain_text("Start date must be a real date")
    expect(end).to_contain_text("End date must include a day")
    snapshot(page, "02-challenge-date-error")
    assert_accessible(page)
    # What was typed is kept, so nothing has to be typed again.
    expect(start.get_by_label("Day")).to_have_value("31")
    expect(end.get_by_label("Month")).to_have_value("9")
    expect(page.get_by_label("Planned budget")).to_have_value("£2,500")
    expect(page.get_by_label("Neighbourhood and environment")).to_be_checked()
    # Each link in the error summary puts the cursor in the first box of the date it is about.
    date_errors.nth(0).click()
    expect(start.get_by_label("Day")).to_be_focused()
    date_errors.nth(1).click()
    expect(end.get_by_label("Day")).to_be_focused()

    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("6")
    end.get_by_label("Day").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(success_banner(page)).to_have_text("The challenge has been saved.")
    expect(task_status(page, "Describe the challenge")).to_have_text("Completed")
    expect(what_is_missing(page)).to_have_text([
        "Add at least one hook: a strategy, plan, service change or policy the work can change",
        "Choose the level of engagement",
    ])
    assert_accessible(page)

    # What was saved comes back when the page is opened again.
    page.get_by_role("link", name="Describe the challenge").click()
    expect(page.get_by_label("Area")).to_have_value(
        page.get_by_label("Area").locator("option", has_text="Kirkholt (Rochdale)").get_attribute("value"))
    expect(page.get_by_label("Having services that meet needs")).to_be_checked()
    expect(page.get_by_label("Culture and social life")).not_to_be_checked()
    expect(start.get_by_label("Day")).to_have_value("1")
    expect(start.get_by_label("Month")).to_have_value("6")
    expect(end.get_by_label("Year")).to_have_value("2027")
    expect(page.get_by_label("Planned budget")).to_have_value("2500.00")
    back_to_task_list(page)

    # The hook: the plan the work can change.
    page.get_by_role("link", name="Add the hooks").click()
    expect(heading(page)).to_have_text("The hooks")
    expect(page.get_by_text("No hooks yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Strategy, plan, service change or policy").fill("Urgent and emergency care plan")
    page.get_by_label("Link (optional)").fill("https://example.org/urgent-care-plan")
    page.get_by_role("button", name="Add hook").click()
    expect(success_banner(page)).to_have_text("The hook has been added.")
    expect(page.get_by_role("link", name="Urgent and emergency care plan")).to_have_attribute(
        "href", "https://example.org/urgent-care-plan")
    assert_accessible(page)
    back_to_task_list(page)

    # The level guide recommends co-design; the lead chooses co-production and must say why.
    page.locator(".govuk-task-list").get_by_role("link", name="Choose the level of engagement").click()
    expect(heading(page)).to_have_text("Choose the level of engagement")
    assert_accessible(page)
    answers = {
        "Has the decision already been made?": "No",
        "Can people's input change what happens?": "Yes",
        "Is it a service that a specific community uses?": "Yes",
        "Is there budget for partners?": "Yes",
        "Is there time for at least 12 weeks of engagement?": "Yes",
        "Are people with lived experience ready and able to take part?": "No",
    }
    for question, answer in answers.items():
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_role("group", name="Which level will you work at?").get_by_label("Co-produce").check()
    page.get_by_role("button", name="Save level").click()

    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text([
        "The guide recommends Co-design. Explain why you chose a different level from the one the guide recommends"])
    expect(page.locator("#recommendation")).to_contain_text("The guide recommends: Co-design")
    expect(page.locator("#recommendation")).to_contain_text("co-production needs people with lived experience")
    for question, answer in answers.items():
        expect(page.get_by_role("group", name=question).get_by_label(answer, exact=True)).to_be_checked()
    expect(page.get_by_label("Co-produce")).to_be_checked()
    snapshot(page, "03-level-error")
    assert_accessible(page)
    error_summary(page).get_by_role("link").click()
    expect(page.get_by_label("Rationale")).to_be_focused()

    page.get_by_label("Rationale").fill(
        "The Kirkholt patient group has members with lived experience of urgent care who want to share delivery.")
    page.get_by_role("button", name="Save level").click()
    expect(success_banner(page)).to_have_text("The level of engagement is Co-produce.")
    expect(page.get_by_text("Chosen level: Co-produce. This differs from the recommendation (Co-design).")
           ).to_be_visible()
    assert_accessible(page)
    back_to_task_list(page)

    # Step 1 is done: move on to gathering collaborators.
    expect(what_is_missing(page)).to_have_count(0)
    expect(page.get_by_text("Everything this step needs is done.")).to_be_visible()
    move_on(page)
    # The first move on makes the engagement public: the page shows what residents will see before it is done.
    expect(heading(page)).to_have_text("What will be public")
    expect(page.locator("#public-summary dd")).to_contain_text("Kirkholt")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Make it public: move on to ")).click()
    expect(success_banner(page)).to_have_text(
        "The engagement has moved on to \u2018Gather collaborators and build relationships\u2019.")
    expect(page.get_by_text("Step 2 of 6: Gather collaborators and build relationships")).to_be_visible()
    expect(what_is_missing(page)).to_have_text(["Add at least one VCFSE organisation as a collaborator",
                                                "Sign an expectation agreement with at least one VCFSE collaborator"])
    assert_accessible(page)

    move_on(page)
    expect(error_summary(page).get_by_role("link")).to_have_text([
        "Add at least one VCFSE organisation as a collaborator",
        "Sign an expectation agreement with at least one VCFSE collaborator"])
    expect(page.get_by_text("Step 2 of 6")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Gather collaborators", exact=True).click()
    expect(heading(page)).to_have_text("Gather collaborators")
    assert_accessible(page)
    page.get_by_label("Organisation").select_option(label="Kirkholt Community Hub (VCFSE)")
    page.get_by_label("VCFSE partner").check()
    page.get_by_role("button", name="Add collaborator").click()
    expect(success_banner(page)).to_have_text("Kirkholt Community Hub is now a collaborator.")
    row = page.get_by_role("table", name="Collaborators").get_by_role("row").nth(1)
    expect(row.get_by_role("cell")).to_have_text(["Kirkholt Community Hub", "VCFSE partner", re.compile("Remove")])
    assert_accessible(page)
    back_to_task_list(page)
    # The expectation agreement is signed outside this journey (its own browser test drives those pages).
    expect(what_is_missing(page)).to_have_text(["Sign an expectation agreement with at least one VCFSE collaborator"])
    engagement = db.session.scalar(select(Engagement))
    signed_agreement(engagement, lead=lead, partner=make.partner(organisation=hub, name="Sam Byrne"))
    page.reload()
    move_on(page)
    expect(success_banner(page)).to_have_text("The engagement has moved on to \u2018Time together\u2019.")
    expect(what_is_missing(page)).to_have_text([
        "Frame the challenge: add at least one perspective",
        "Explore potential solutions: add at least one idea",
        "Plan at least one test",
    ])
    assert_accessible(page)

    # Time together: a perspective, an idea and a test of it.
    page.get_by_role("link", name="Frame the challenge", exact=True).click()
    expect(heading(page)).to_have_text("Frame the challenge")
    assert_accessible(page)
    page.get_by_label("Perspective").fill("Parents do not know which service is open in the evening.")
    page.get_by_label("Attributed to").select_option(label="Kirkholt Community Hub")
    page.get_by_label("Lens").select_option(label="People with lived experience")
    page.get_by_role("button", name="Add perspective").click()
    expect(success_banner(page)).to_have_text("The perspective has been added.")
    expect(page.get_by_text("Parents do not know which service is open in the evening.")).to_be_visible()
    assert_accessible(page)
    back_to_task_list(page)

    page.get_by_role("link", name="Explore potential solutions", exact=True).click()
    expect(heading(page)).to_have_text("Explore potential solutions")
    assert_accessible(page)
    page.get_by_label("Idea", exact=True).fill("A weekly drop-in at the community hub with a nurse.")
    page.get_by_label("Who proposed it?").fill("Parents at the Kirkholt coffee morning")
    page.get_by_label("Organisation credited (optional)").select_option(label="Kirkholt Community Hub")
    page.get_by_label("Imagined impact").fill("Fewer evening visits to A&E for minor illness.")
    page.get_by_role("button", name="Add idea").click()
    expect(success_banner(page)).to_have_text("The idea has been added.")
    expect(page.get_by_text("Proposed by Parents at the Kirkholt coffee morning (Kirkholt Community Hub)")
           ).to_be_visible()
    assert_accessible(page)
    back_to_task_list(page)

    page.get_by_role("link", name="Plan tests").click()
    expect(heading(page)).to_have_text("Plan tests")
    assert_accessible(page)
    page.get_by_label("Which idea does it test?").select_option(
        label="A weekly drop-in at the community hub with a nurse.")
    page.get_by_label("What will you test?").fill("A nurse drop-in for four Tuesdays")
    page.get_by_label("How will you test it?").fill("Run it at the hub and ask everyone who comes three questions.")
    page.get_by_label("What would show it works?").fill("At least 20 families come and say they would use it again.")
    page.get_by_role("button", name="Add test").click()
    expect(success_banner(page)).to_have_text("The test has been planned.")
    expect(page.get_by_role("heading", name="A nurse drop-in for four Tuesdays")).to_be_visible()
    assert_accessible(page)
    back_to_task_list(page)

    expect(what_is_missing(page)).to_have_count(0)
    move_on(page)
    expect(success_banner(page)).to_have_text("The engagement has moved on to \u2018Test\u2019.")
    expect(page.get_by_text("Step 4 of 6: Test")).to_be_visible()
    assert_accessible(page)
    # Results and activity are recorded outside this journey (their own browser tests drive those pages).
    expect(what_is_missing(page)).to_have_text([
        "Record a result for the test \u2018A nurse drop-in for four Tuesdays\u2019, or drop it with a reason",
        "Log at least one activity"])
    db.session.expire_all()
    engagement = db.session.get(Engagement, engagement.id)
    record_test_result(engagement.planned_tests[0], actor=lead, what_happened="Twenty-six families came.",
                       what_it_showed="People would use it again.")
    db.session.commit()
    log_activity(engagement, partner=lead)
    page.reload()
    move_on(page)
    expect(success_banner(page)).to_have_text("The engagement has moved on to \u2018Tell the story\u2019.")
    expect(page.get_by_text("Step 5 of 6: Tell the story")).to_be_visible()
    assert_accessible(page)

    # Part of the story: the task list then names exactly the sections still to write.
    page.get_by_role("link", name="Tell the story").click()
    expect(heading(page)).to_have_text("Tell the story")
    assert_accessible(page)
    page.get_by_label("We asked").fill("We asked families in Kirkholt where they go when a child is ill at night.")
    page.get_by_label("You said").fill("You said you did not know what was open, so you went to A&E.")
    page.get_by_role("button", name="Save story").click()
    expect(success_banner(page)).to_have_text("The story has been saved.")
    expect(task_status(page, "Tell the story")).to_have_text("Incomplete")
    expect(what_is_missing(page)).to_have_text([
        "Write the \u201cWe did\u201d section of the story",
        "Write the \u201cSo what?\u201d section of the story",
        "Write the \u201cWhat now?\u201d section of the story",
    ])
    assert_accessible(page)

    # Step back, first without a reason, then with one; and forward again.
    page.get_by_role("link", name="Step back to \u2018Test\u2019").click()
    expect(heading(page)).to_have_text("Step back to \u2018Test\u2019")
    assert_accessible(page)
    page.get_by_role("button", name="Step back").click()
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text(["Give the reason"])
    assert_accessible(page)
    error_summary(page).get_by_role("link").click()
    expect(page.get_by_label("Why are you stepping back?")).to_be_focused()
    page.get_by_label("Why are you stepping back?").fill("The hub can run two more drop-ins before we write it up.")
    page.get_by_role("button", name="Step back").click()
    expect(success_banner(page)).to_have_text("The engagement has stepped back to \u2018Test\u2019.")
    expect(page.get_by_text("Step 4 of 6: Test")).to_be_visible()
    assert_accessible(page)
    move_on(page)
    expect(success_banner(page)).to_have_text("The engagement has moved on to \u2018Tell the story\u2019.")

    # The step history lists every move, with who made it, when, and why.
    page.get_by_role("link", name="Step history").click()
    expect(heading(page)).to_have_text("Step history")
    rows = page.get_by_role("table", name="Every move, oldest first").locator("tbody tr")
    expect(rows.locator("td:nth-child(2)")).to_have_text([
        "Opened at Choose the challenge",
        "Moved on to Gather collaborators and build relationships",
        "Moved on to Time together",
        "Moved on to Test",
        "Moved on to Tell the story",
        "Stepped back to Test",
        "Moved on to Tell the story",
    ])
    expect(rows.locator("td:nth-child(3)")).to_have_text(["Priya Shah"] * 7)
    expect(rows.locator("td:nth-child(1)")).to_have_text([re.compile(r"^\d{1,2} \w+ \d{4} at \d{1,2}:\d\d[ap]m$")] * 7)
    expect(rows.nth(5).locator("td:nth-child(4)")).to_have_text(
        "The hub can run two more drop-ins before we write it up.")
    snapshot(page, "04-history")
    assert_accessible(page)


def test_task_list_and_forms_fit_a_phone_screen(page: Page, make) -> None:
    load_defaults()  # the long theme names are part of what has to fit
    db.session.commit()
    lead = make.lead(name="Priya Shah")
    page.set_viewport_size(PHONE)
    sign_in(page, lead)
    page.goto("/workspace/new")
    page.get_by_label("What is the engagement called?").fill("Urgent care redesign for families in Kirkholt")
    page.get_by_role("button", name="Open the engagement").click()
    expect(heading(page)).to_have_text("Urgent care redesign for families in Kirkholt")
    assert_no_sideways_scroll(page)
    snapshot(page, "05-phone-task-list")
    assert_accessible(page)

    page.get_by_role("link", name="Describe the challenge").click()
    page.get_by_role("group", name="Start date").get_by_label("Day").fill("31")
    page.get_by_role("group", name="Start date").get_by_label("Month").fill("2")
    page.get_by_role("group", name="Start date").get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save").click()
    expect(error_summary(page)).to_be_visible()
    assert_no_sideways_scroll(page)
    snapshot(page, "06-phone-challenge-error")
    assert_accessible(page)

    back_to_task_list(page)
    page.locator(".govuk-task-list").get_by_role("link", name="Choose the level of engagement").click()
    expect(heading(page)).to_have_text("Choose the level of engagement")
    snapshot(page, "07-phone-level")
    assert_no_sideways_scroll(page)
    assert_accessible(page)
