"""A lead and a VCFSE partner agree expectations, sign, log activity and insight, and take the engagement
through the `collaborators` and `test` gates, each in their own browser, as people would. Every page on the
way, error states included, is checked with axe-core."""

from __future__ import annotations

import itertools
import os
import re
from datetime import date, timedelta

import pytest
from flask import current_app
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from engage.activity.models import Activity
from engage.agreements.models import Agreement
from engage.clock import today
from engage.engagements import level_guide
from engage.engagements import services as engagements
from engage.engagements.models import CollaboratorRole, Engagement, Lens
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from engage.vocabularies.services import load_defaults
from tests.activity.conftest import make_communities
from tests.browser.conftest import PHONE
from tests.browser.support import assert_accessible, sign_in
from tests.browser.test_engagement_journey import (
    assert_no_sideways_scroll,
    error_summary,
    heading,
    move_on,
    success_banner,
    task_status,
    what_is_missing,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("ENGAGE_SCREENSHOTS", "")
_shots = itertools.count(1)
SHA256 = re.compile(r"^[0-9a-f]{64}$")
LEVEL_ANSWERS = {"decision_made": False, "input_can_change": True, "specific_community": True,
                 "partner_budget": True, "enough_time": True, "lived_experience_ready": False}

# Every field of the draft, by its label on the page, with what the lead types.
DRAFT = {
    "Purpose": "Change the urgent care plan so families in Kirkholt get the right care first time.",
    "What the VCFSE partner will deliver": "Four community conversations and a street survey.",
    "Who it will reach": "Around 80 parents and carers of young children in Kirkholt.",
    "How we will know it has been delivered": "Conversations held, survey returned, a short report written.",
    "What the public-sector partner commits": "Funding, a room at the health centre and a clinician at each session.",
    "When the funding is paid": "Half on signing, half when the report is received.",
    "Access to decision-makers": "The urgent care programme board hears the findings in person.",
    "Feeding back how insight was used": "A \u2018you said, we did\u2019 note within three months of the report.",
    "Realistic timescales": "Twelve weeks from signing.",
    "How activity is reported": "Each activity logged in this service within a week.",
    "Data protection, consent, anonymity and safeguarding": "No names recorded; consent asked for photos; the "
                                                            "hub's safeguarding policy applies.",
    "Publication": "This agreement is published on the engagement's public record, without contact details.",
    "How disagreements are settled": "Raised with the programme lead, then the CVS chief officer.",
}


def snapshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/agreement-{next(_shots):02d}-{name}.png", full_page=True)


def check_phone(page: Page, name: str) -> None:
    snapshot(page, name)
    assert_no_sideways_scroll(page)
    assert_accessible(page)


def agreement_status(page: Page) -> Locator:
    return page.locator("main p", has_text="Status:").locator(".govuk-tag")


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def test_lead_and_partner_agree_sign_and_log_activity_through_both_gates(new_page, make) -> None:
    load_defaults()
    make_communities()
    council = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR, name="Rochdale Borough Council")
    hub = make.organisation(kind=OrganisationKind.VCFSE, name="Kirkholt Community Hub")
    lead = make.lead(name="Priya Shah", organisation=council)
    make.lead(name="Dev Malik", organisation=council)
    partner = make.partner(name="Sam Byrne", organisation=hub)
    make.partner(name="Alex Ingham", organisation=hub)

    # The first step is done through the services: its pages have a journey of their own.
    engagement = engagements.open_engagement(title="Urgent care in Kirkholt", actor=lead)
    engagements.update_challenge(
        engagement, actor=lead, expected_version=None, title=engagement.title,
        summary="Designing urgent care with families in Kirkholt.",
        challenge_statement="How can families in Kirkholt get the right urgent care, first time?",
        why_now="The urgent treatment centre is being redesigned.", area=None, themes=[], start_date=None,
        end_date=None, budget_pence=None)
    engagements.add_hook(engagement, actor=lead, title="Urgent and emergency care plan")
    engagements.choose_level(engagement, actor=lead, expected_version=None, answers=LEVEL_ANSWERS,
                             level=level_guide.recommend(LEVEL_ANSWERS).level, rationale="Time and budget allow.")
    engagements.move_on(engagement, actor=lead)
    engagements.add_collaborator(engagement, actor=lead, organisation=hub, role=CollaboratorRole.VCFSE_PARTNER)
    db.session.commit()
    slug, engagement_id = engagement.slug, engagement.id
    milestone_due = today() + timedelta(days=90)

    # 1. The lead drafts the agreement. ------------------------------------------------------------------
    lead_page = new_page()
    sign_in(lead_page, lead)
    expect(heading(lead_page)).to_have_text("Your engagements")
    assert_accessible(lead_page)
    lead_page.goto(f"/workspace/{slug}/")
    expect(lead_page.get_by_text("Step 2 of 6: Gather collaborators and build relationships")).to_be_visible()
    expect(what_is_missing(lead_page)).to_have_text(
        ["Sign an expectation agreement with at least one VCFSE collaborator"])
    expect(task_status(lead_page, "Agree expectations")).to_have_text("Not yet started")
    assert_accessible(lead_page)

    lead_page.get_by_role("link", name="Agree expectations").click()
    expect(heading(lead_page)).to_have_text("Expectation agreements")
    expect(lead_page.get_by_text("No agreements yet.")).to_be_visible()
    assert_accessible(lead_page)
    lead_page.get_by_role("button", name="Start a draft").click()
    expect(error_summary(lead_page)).to_be_focused()
    expect(error_summary(lead_page).get_by_role("link")).to_have_text(["Choose the VCFSE partner"])
    assert_accessible(lead_page)
    lead_page.get_by_label("VCFSE partner").select_option(label="Kirkholt Community Hub")
    lead_page.get_by_role("button", name="Start a draft").click()

    expect(success_banner(lead_page)).to_have_text("A draft agreement has been started.")
    expect(heading(lead_page)).to_have_text("Draft agreement with Kirkholt Community Hub")
    assert_accessible(lead_page)
    for label, text in DRAFT.items():
        lead_page.get_by_label(label, exact=True).fill(text)
    lead_page.get_by_label("Funding for the VCFSE partner").fill("£1,500.50")
    review = lead_page.get_by_role("group", name="Review date")
    review.get_by_label("Day").fill("1")
    review.get_by_label("Month").fill("3")
    review.get_by_label("Year").fill("2027")
    # Only members of each organisation are offered as its signatory.
    public_signatory = lead_page.get_by_label("Signatory for Rochdale Borough Council")
    vcfse_signatory = lead_page.get_by_label("Signatory for Kirkholt Community Hub")
    expect(public_signatory.locator("option")).to_have_text(["Not chosen yet", "Dev Malik", "Priya Shah"])
    expect(vcfse_signatory.locator("option")).to_have_text(["Not chosen yet", "Alex Ingham", "Sam Byrne"])
    public_signatory.select_option(label="Priya Shah")
    vcfse_signatory.select_option(label="Sam Byrne")
    snapshot(lead_page, "draft")
    lead_page.get_by_role("button", name="Save draft").click()

    expect(success_banner(lead_page)).to_have_text("The draft has been saved.")
    expect(heading(lead_page)).to_have_text("Expectation agreement with Kirkholt Community Hub")
    expect(agreement_status(lead_page)).to_have_text("Draft")
    content = lead_page.locator(".engage-agreement")
    for text in DRAFT.values():
        expect(content).to_contain_text(text)
    row = content.locator(".govuk-summary-list__row")
    expect(row.filter(has_text="Funding for the VCFSE partner").locator("dd")).to_have_text("£1,500.50")
    expect(row.filter(has_text="Review date").locator("dd")).to_have_text("1 March 2027")
    expect(row.filter(has_text="Signatory for the public-sector partner").locator("dd")).to_have_text("Priya Shah")
    expect(row.filter(has_text="Signatory for the VCFSE partner").locator("dd")).to_have_text("Sam Byrne")
    # Everything is written but a milestone: the page says so before anyone tries to propose it.
    before_proposing = lead_page.locator(".govuk-inset-text", has_text="Before it can be proposed for signing")
    expect(before_proposing.locator("li")).to_have_text(["Add at least one milestone with a due date"])
    assert_accessible(lead_page)

    lead_page.get_by_role("button", name="Propose for signing").click()
    expect(error_summary(lead_page)).to_contain_text(
        "The agreement cannot be proposed yet: Add at least one milestone with a due date.")
    expect(agreement_status(lead_page)).to_have_text("Draft")
    snapshot(lead_page, "cannot-propose")
    assert_accessible(lead_page)

    # A milestone, first with a date that does not exist.
    lead_page.get_by_role("link", name="Milestones").click()
    expect(heading(lead_page)).to_have_text("Milestones")
    expect(lead_page.get_by_text("No milestones yet.")).to_be_visible()
    assert_accessible(lead_page)
    lead_page.get_by_label("Milestone").fill("First community conversation held")
    due = lead_page.get_by_role("group", name="Due date")
    due.get_by_label("Day").fill("31")
    due.get_by_label("Month").fill("2")
    due.get_by_label("Year").fill("2027")
    lead_page.get_by_role("button", name="Add milestone").click()
    expect(error_summary(lead_page)).to_be_focused()
    expect(error_summary(lead_page).get_by_role("link")).to_have_text(["Due date must be a real date"])
    expect(due).to_contain_text("Due date must be a real date")
    expect(lead_page.get_by_label("Milestone")).to_have_value("First community conversation held")
    expect(due.get_by_label("Day")).to_have_value("31")
    snapshot(lead_page, "milestone-error")
    assert_accessible(lead_page)
    error_summary(lead_page).get_by_role("link").click()
    expect(due.get_by_label("Day")).to_be_focused()

    due.get_by_label("Day").fill(str(milestone_due.day))
    due.get_by_label("Month").fill(str(milestone_due.month))
    due.get_by_label("Year").fill(str(milestone_due.year))
    lead_page.get_by_role("button", name="Add milestone").click()
    expect(success_banner(lead_page)).to_have_text("The milestone has been added.")
    expect(lead_page.locator(".engage-item")).to_have_text(
        [re.compile(f"First community conversation held, due {long_date(milestone_due)}")])
    assert_accessible(lead_page)
    lead_page.get_by_role("link", name="Back to the agreement").click()

    expect(before_proposing).to_have_count(0)
    assert_accessible(lead_page)
    lead_page.get_by_role("button", name="Propose for signing").click()
    expect(success_banner(lead_page)).to_have_text(
        "The agreement is proposed. Its content is frozen, and both signatories can now sign it.")
    expect(agreement_status(lead_page)).to_have_text("Proposed")
    fingerprint = lead_page.locator("code.engage-secret")
    expect(fingerprint).to_have_text(SHA256)
    db.session.expire_all()
    agreement = db.session.scalar(select(Agreement).where(Agreement.engagement_id == engagement_id))
    expect(fingerprint).to_have_text(agreement.content_hash)
    expect(lead_page.get_by_text("Not signed yet.")).to_be_visible()
    # Frozen: nothing on the page changes the draft, and the form itself turns people away.
    expect(lead_page.get_by_role("link", name="Change the draft")).to_have_count(0)
    expect(lead_page.get_by_role("button", name="Propose for signing")).to_have_count(0)
    snapshot(lead_page, "proposed")
    assert_accessible(lead_page)
    agreement_url = lead_page.url
    lead_page.goto(f"/workspace/{slug}/agreements/{agreement.id}/edit")
    expect(lead_page).to_have_url(agreement_url)
    expect(error_summary(lead_page)).to_contain_text(
        "This agreement is proposed, so it cannot be changed. Make a variation instead.")
    assert_accessible(lead_page)

    # 2. The lead reads and signs, first mistyping their name. ---------------------------------------------
    lead_page.get_by_role("link", name="Read and sign").click()
    expect(heading(lead_page)).to_have_text("Sign the agreement")
    expect(lead_page.get_by_text("You are signing for Rochdale Borough Council (public-sector partner).")
           ).to_be_visible()
    content = lead_page.locator(".engage-agreement")
    for text in [*DRAFT.values(), "£1,500.50", "1 March 2027", "Priya Shah", "Sam Byrne"]:
        expect(content).to_contain_text(text)
    expect(lead_page.get_by_role("table").filter(has_text="Milestones")).to_contain_text(
        "First community conversation held")
    expect(lead_page.locator("code.engage-secret")).to_have_text(agreement.content_hash)
    assert_accessible(lead_page)
    lead_page.get_by_label("Type your full name to sign").fill("Priya")
    lead_page.get_by_role("button", name="Sign the agreement").click()
    expect(error_summary(lead_page)).to_be_focused()
    expect(error_summary(lead_page).get_by_role("link")).to_have_text(
        ["Type your full name exactly as it appears on your account"])
    expect(lead_page.get_by_label("Type your full name to sign")).to_have_value("Priya")
    snapshot(lead_page, "sign-error")
    assert_accessible(lead_page)
    lead_page.get_by_label("Type your full name to sign").fill("Priya Shah")
    lead_page.get_by_role("button", name="Sign the agreement").click()
    expect(success_banner(lead_page)).to_have_text(
        "You have signed. The agreement comes into force when the other party signs.")
    expect(agreement_status(lead_page)).to_have_text("Proposed")
    expect(lead_page.get_by_role("link", name="Read and sign")).to_have_count(0)
    signatures = lead_page.locator("h2:has-text('Signatures') ~ ul.govuk-list li")
    expect(signatures).to_have_text([re.compile(r"^Public-sector partner: signed by Priya Shah on ")])
    assert_accessible(lead_page)

    # 3. The partner finds the agreement waiting on their dashboard, and signs. -----------------------------
    partner_page = new_page()
    sign_in(partner_page, partner)
    partner_page.goto("/dashboard")
    waiting = partner_page.locator("#awaiting-signature + ul li")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("Urgent care in Kirkholt")
    assert_accessible(partner_page)
    waiting.get_by_role("link", name="Sign the expectation agreement between Rochdale Borough Council and "
                                     "Kirkholt Community Hub").click()
    expect(heading(partner_page)).to_have_text("Sign the agreement")
    expect(partner_page.get_by_text("You are signing for Kirkholt Community Hub (VCFSE partner).")).to_be_visible()
    assert_accessible(partner_page)
    partner_page.get_by_label("Type your full name to sign").fill("Sam Byrne")
    partner_page.get_by_role("button", name="Sign the agreement").click()
    expect(success_banner(partner_page)).to_have_text(
        "You have signed. Both parties have now signed: the agreement is in force.")
    expect(agreement_status(partner_page)).to_have_text("Signed")
    expect(partner_page.locator("h2:has-text('Signatures') ~ ul.govuk-list li")).to_have_text([
        re.compile(r"^Public-sector partner: signed by Priya Shah on "),
        re.compile(r"^VCFSE partner: signed by Sam Byrne on "),
    ])
    snapshot(partner_page, "signed")
    assert_accessible(partner_page)
    partner_page.goto("/dashboard")
    expect(partner_page.get_by_text("No agreements are waiting for you to sign.")).to_be_visible()
    assert_accessible(partner_page)

    # 4. The collaborators gate is passed; time together is planned; the test gate names what is missing. ---
    lead_page.goto(f"/workspace/{slug}/")
    expect(task_status(lead_page, "Agree expectations")).to_have_text("Completed")
    expect(what_is_missing(lead_page)).to_have_count(0)
    assert_accessible(lead_page)
    move_on(lead_page)
    expect(success_banner(lead_page)).to_have_text("The engagement has moved on to \u2018Time together\u2019.")
    assert_accessible(lead_page)
    # The pages of this step have a journey of their own.
    engagement = db.session.get(Engagement, engagement_id)
    engagements.add_perspective(engagement, actor=lead, text="Parents do not know what is open in the evening.",
                                organisation=hub, lens=Lens.LIVED_EXPERIENCE)
    idea = engagements.add_idea(engagement, actor=lead, text="A weekly nurse drop-in at the hub",
                                proposed_by="Parents at the coffee morning", organisation=hub,
                                imagined_impact="Fewer evening visits to A&E.")
    engagements.add_planned_test(engagement, actor=lead, idea=idea, what="A nurse drop-in for four Tuesdays",
                                 how="Run it at the hub and ask three questions.",
                                 success_measure="At least 20 families say they would use it again.")
    db.session.commit()
    lead_page.reload()
    expect(what_is_missing(lead_page)).to_have_count(0)
    move_on(lead_page)
    expect(success_banner(lead_page)).to_have_text("The engagement has moved on to \u2018Test\u2019.")
    expect(lead_page.get_by_text("Step 4 of 6: Test")).to_be_visible()
    expect(what_is_missing(lead_page)).to_have_text([
        "Record a result for the test \u2018A nurse drop-in for four Tuesdays\u2019, or drop it with a reason",
        "Log at least one activity",
    ])
    assert_accessible(lead_page)

    # 5. The partner logs activity on a phone, against the milestone they signed up to. ---------------------
    partner_page.set_viewport_size(PHONE)
    partner_page.get_by_role("link", name="Urgent care in Kirkholt").click()
    expect(heading(partner_page)).to_have_text("Urgent care in Kirkholt")
    # A partner sees the task list, but moving the engagement on is for the lead.
    expect(partner_page.get_by_role("button", name=re.compile("^Move on to "))).to_have_count(0)
    check_phone(partner_page, "partner-task-list")
    partner_page.get_by_role("link", name="Log activity").click()
    expect(heading(partner_page)).to_have_text("Activity log")
    expect(partner_page.get_by_text("No activity has been logged yet.")).to_be_visible()
    check_phone(partner_page, "activity-log")
    partner_page.get_by_role("link", name="Log an activity").click()
    expect(heading(partner_page)).to_have_text("Log an activity")
    check_phone(partner_page, "log-activity-form")

    day = today() - timedelta(days=2)
    when = partner_page.get_by_role("group", name="Date of the activity")
    when.get_by_label("Day").fill(str(day.day))
    when.get_by_label("Month").fill(str(day.month))
    when.get_by_label("Year").fill(str(day.year))
    partner_page.get_by_label("Workshop").check()
    partner_page.get_by_label("Title").fill("Coffee morning at the hub")
    partner_page.get_by_label("What happened").fill("Parents talked about **evenings** and the walk-in centre.")
    partner_page.get_by_label("How many people took part?").fill("18")
    partner_page.get_by_label("Volunteer hours").fill("3")
    partner_page.get_by_label("Staff hours").fill("1.5")
    partner_page.get_by_label("Spend").fill("24.80")
    # Reach is folded into a disclosure per community group: the partner opens the groups they need.
    partner_page.locator("summary", has_text="VCFSE networks").click()
    partner_page.locator("summary", has_text="Protected characteristics (Equality Act 2010)").click()
    partner_page.get_by_role("group", name="VCFSE networks").get_by_label("Carers network").fill("5")
    partner_page.get_by_role("group", name="Protected characteristics (Equality Act 2010)").get_by_label(
        "Age").fill("7")
    milestone = partner_page.get_by_label("Which agreement milestone does it serve?")
    expect(milestone.locator("option")).to_have_text([
        "None", f"First community conversation held (agreement with Kirkholt Community Hub, due "
                f"{long_date(milestone_due)})"])
    milestone.select_option(index=1)
    partner_page.get_by_label("Which planned test does it serve?").select_option(
        label="A nurse drop-in for four Tuesdays")
    partner_page.get_by_role("button", name="Save activity").click()

    expect(success_banner(partner_page)).to_have_text("The activity has been logged. Add the insights it gathered.")
    expect(heading(partner_page)).to_have_text("Coffee morning at the hub")
    details = partner_page.locator("dl.govuk-summary-list .govuk-summary-list__row")
    expect(details.filter(has_text="Agreement milestone").locator("dd")).to_have_text(
        "First community conversation held")
    expect(details.filter(has_text="Planned test").locator("dd")).to_have_text("A nurse drop-in for four Tuesdays")
    expect(details.filter(has_text="People who took part").locator("dd")).to_have_text("18")
    expect(partner_page.get_by_role("table", name="People reached, by community").locator("tbody tr")).to_have_text(
        [re.compile(r"Carers network.*5$", re.S), re.compile(r"Age.*7$", re.S)])
    check_phone(partner_page, "activity")

    # Two insights: the second a system blocker.
    partner_page.get_by_role("link", name="Add an insight").click()
    expect(heading(partner_page)).to_have_text("Add an insight")
    check_phone(partner_page, "insight")
    partner_page.get_by_label("Insight").fill("Parents would use a drop-in if it were open after school.")
    partner_page.get_by_label("People who love and care for them").check()
    partner_page.get_by_role("button", name="Add insight").click()
    expect(success_banner(partner_page)).to_have_text("The insight has been added.")
    check_phone(partner_page, "first-insight")
    partner_page.get_by_role("link", name="Add an insight").click()
    expect(heading(partner_page)).to_have_text("Add an insight")
    check_phone(partner_page, "second-insight")
    partner_page.get_by_label("Insight").fill("The last bus leaves at six, so evening sessions miss people.")
    partner_page.get_by_label("Communities affected").check()
    partner_page.get_by_label("Attributed to").select_option(label="Kirkholt Community Hub")
    partner_page.get_by_label("This is a system blocker").check()
    partner_page.get_by_role("button", name="Add insight").click()
    expect(success_banner(partner_page)).to_have_text("The insight has been added.")
    insights = partner_page.locator("#insights ~ .engage-item")
    expect(insights).to_have_count(2)
    expect(insights.nth(0)).not_to_contain_text("System blocker")
    expect(insights.nth(1)).to_contain_text("The last bus leaves at six")
    expect(insights.nth(1)).to_contain_text("System blocker")
    check_phone(partner_page, "insights")

    # The result of the planned test, found from the task list.
    partner_page.goto(f"/workspace/{slug}/")
    expect(task_status(partner_page, "Log activity")).to_have_text("Completed")
    check_phone(partner_page, "task-list")
    partner_page.get_by_role("link", name="Record test results").click()
    expect(heading(partner_page)).to_have_text("Plan tests")
    check_phone(partner_page, "tests")
    partner_page.get_by_role("link", name="Record the result or drop the test").click()
    expect(heading(partner_page)).to_have_text("Result of a test")
    expect(partner_page.get_by_role("link", name="Coffee morning at the hub")).to_be_visible()
    check_phone(partner_page, "result")
    partner_page.get_by_role("button", name="Save the result").click()
    expect(error_summary(partner_page).get_by_role("link")).to_have_text(["Say what happened", "Say what it showed"])
    check_phone(partner_page, "result-error")
    partner_page.get_by_label("What happened?").fill("Twenty-six families came over the four Tuesdays.")
    partner_page.get_by_label("What did it show?").fill("More than 20 families said they would use it again.")
    partner_page.get_by_role("button", name="Save the result").click()
    expect(success_banner(partner_page)).to_have_text("The result has been saved.")
    expect(partner_page.get_by_text("Result recorded")).to_be_visible()
    check_phone(partner_page, "result-saved")

    db.session.expire_all()
    activity = db.session.scalar(select(Activity))
    assert (activity.participants, activity.volunteer_minutes, activity.staff_minutes, activity.spend_pence) == (
        18, 180, 90, 2480)
    assert activity.milestone.title == "First community conversation held"

    # 6. The lead sees the figures, nothing missing, and moves on to the story. -----------------------------
    lead_page.goto(f"/workspace/{slug}/")
    expect(what_is_missing(lead_page)).to_have_count(0)
    expect(lead_page.get_by_text("Everything this step needs is done.")).to_be_visible()
    expect(task_status(lead_page, "Log activity")).to_have_text("Completed")
    expect(task_status(lead_page, "Record test results")).to_have_text("Completed")
    figures = lead_page.locator("#figures .govuk-summary-list__row")
    expect(figures.locator("dt")).to_have_text([
        "Activities", "People who took part", "Volunteer hours", "Staff hours", "Spend",
        "In-kind value of volunteer time", "Insights", "System blockers"])
    expect(figures.locator("dd").nth(0)).to_have_text("1")
    expect(figures.locator("dd").nth(1)).to_have_text("18")
    expect(figures.locator("dd").nth(2)).to_have_text("3")
    expect(figures.locator("dd").nth(3)).to_have_text("1.5")
    expect(figures.locator("dd").nth(4)).to_have_text("£24.80")
    in_kind_pence = 3 * current_app.config["IN_KIND_HOURLY_RATE_PENCE"]
    expect(figures.locator("dd").nth(5)).to_have_text(f"£{in_kind_pence // 100:,}.{in_kind_pence % 100:02d}")
    expect(figures.locator("dd").nth(6)).to_have_text("2")
    expect(figures.locator("dd").nth(7)).to_have_text("1")
    expect(lead_page.locator("#figures table tbody tr")).to_have_count(2)
    snapshot(lead_page, "figures")
    assert_accessible(lead_page)
    move_on(lead_page)
    expect(success_banner(lead_page)).to_have_text("The engagement has moved on to \u2018Tell the story\u2019.")
    expect(lead_page.get_by_text("Step 5 of 6: Tell the story")).to_be_visible()
    assert_accessible(lead_page)

    # 7. The printable agreement: the content and signatures, and nothing to press. -------------------------
    lead_page.goto(agreement_url)
    expect(lead_page.get_by_role("button", name="Make a variation")).to_be_visible()
    assert_accessible(lead_page)
    lead_page.get_by_role("link", name="Printable version").click()
    expect(lead_page).to_have_url(re.compile(r"\?print=1$"))
    main = lead_page.locator("main")
    expect(heading(lead_page)).to_have_text("Expectation agreement with Kirkholt Community Hub")
    expect(main.locator(".engage-agreement")).to_contain_text(DRAFT["Purpose"])
    expect(main.locator("code.engage-secret")).to_have_text(agreement.content_hash)
    expect(main.get_by_text(re.compile(r"^VCFSE partner: signed by Sam Byrne on "))).to_be_visible()
    expect(main.locator("button, .govuk-button, form")).to_have_count(0)
    for name in ("Close the agreement", "Printable version", "Read and sign", "Update a milestone"):
        expect(main.get_by_text(name)).to_have_count(0)
    snapshot(lead_page, "printable")
    assert_accessible(lead_page)
    # On paper the header's sign-out button and the menus go too: nothing on the page is for pressing.
    lead_page.emulate_media(media="print")
    expect(lead_page.get_by_role("button")).to_have_count(0)
    expect(lead_page.get_by_role("navigation")).to_have_count(0)
    expect(lead_page.get_by_role("heading", name="Signatures")).to_be_visible()
