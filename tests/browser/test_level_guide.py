"""The level guide advises before the lead chooses: answering the questions shows the recommended level, why,
what it usually needs and where the engagement's dates or budget fall short, with script (as the answers
change) and without it (the "Show the advice" button), saving nothing until the lead saves the level."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from engage.engagements import services
from engage.engagements.models import Engagement
from engage.extensions import db
from tests.browser.conftest import DESKTOP, PageProblems
from tests.browser.support import assert_accessible, sign_in
from tests.browser.test_engagement_journey import error_summary, heading, snapshot, success_banner

pytestmark = pytest.mark.browser

# Co-design: input can change things, there is budget and time, but lived experience is not ready yet.
ANSWERS = {
    "Has the decision already been made?": "No",
    "Can people's input change what happens?": "Yes",
    "Is it a service that a specific community uses?": "Yes",
    "Is there budget for partners?": "Yes",
    "Is there time for at least 12 weeks of engagement?": "Yes",
    "Are people with lived experience ready and able to take part?": "No",
}
# Three weeks and £200: short of what co-design (10 weeks, £1,500) and co-production (12 weeks) need.
START, END, BUDGET_PENCE = date(2027, 3, 1), date(2027, 3, 22), 20_000


@pytest.fixture
def no_script_page(browser: Browser, live_server: str, page_problems: PageProblems) -> Iterator[Page]:
    """A page in a browser with JavaScript turned off, as some people's are."""
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page_problems.watch(page)
    yield page
    context.close()
    assert not page_problems.unexpected(), "\n".join(page_problems.unexpected())


def assert_accessible_as_shown(page: Page, checker: Page) -> None:
    """axe-core needs script, so the page as shown without script is copied, scripts left out, into a page
    that runs it (on the same site, so the styles load)."""
    html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.DOTALL)
    checker.goto("/")
    checker.set_content(html)
    assert checker.title() == page.title()
    assert_accessible(checker)


def _engagement(make) -> Engagement:
    lead = make.lead(name="Priya Shah")
    engagement = services.open_engagement(title="Urgent care redesign", actor=lead)
    services.update_engagement(engagement, actor=lead, expected_version=None, start_date=START, end_date=END,
                               budget_pence=BUDGET_PENCE)
    db.session.commit()
    return engagement


def _answer(page: Page, answers: dict[str, str]) -> None:
    for question, answer in answers.items():
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def _advice(page: Page):
    return page.locator("#level-advice")


def test_the_advice_follows_the_answers_before_the_lead_chooses(page: Page, make) -> None:
    engagement = _engagement(make)
    sign_in(page, engagement.lead_user)
    page.goto(f"/workspace/{engagement.slug}/level")
    expect(heading(page)).to_have_text("Choose the level of engagement")
    expect(_advice(page)).to_have_attribute("aria-live", "polite")
    expect(_advice(page)).to_contain_text("6 questions are still to answer")
    # Each level says what it usually needs, where the lead chooses it.
    expect(page.get_by_role("group", name="Which level will you work at?")).to_contain_text(
        "Usually needs at least 10 weeks and a budget of at least £1,500.")
    # The advice follows the answers, so the script puts the button away.
    expect(page.get_by_role("button", name="Show the advice")).to_be_hidden()

    _answer(page, dict(list(ANSWERS.items())[:5]))
    expect(_advice(page)).to_contain_text("1 question is still to answer")
    _answer(page, ANSWERS)
    advice = page.locator("#recommendation")
    expect(advice.get_by_role("heading")).to_have_text("The guide recommends: Co-design")
    expect(advice).to_contain_text("People with lived experience are not yet ready or able to take part.")
    expect(advice).to_contain_text("Co-design usually needs at least 10 weeks; the dates allow 3 weeks.")
    expect(advice).to_contain_text(
        "Co-design usually needs a budget of at least £1,500; the planned budget is £200.00.")
    expect(page.get_by_role("group", name="Which level will you work at?").get_by_role("radio", checked=True)
           ).to_have_count(0)
    snapshot(page, "level-guide-advice")
    assert_accessible(page)

    # Changing an answer changes the advice at once.
    page.get_by_role("group", name="Are people with lived experience ready and able to take part?").get_by_label(
        "Yes", exact=True).check()
    expect(advice.get_by_role("heading")).to_have_text("The guide recommends: Co-produce")
    expect(advice).to_contain_text("Co-produce usually needs at least 12 weeks; the dates allow 3 weeks.")
    # Choosing another level says what that level lacks too.
    page.get_by_label("Engage", exact=True).check()
    expect(_advice(page)).to_contain_text("You have chosen Engage, not the level the guide recommends")
    expect(_advice(page)).to_contain_text("Engage usually needs at least 8 weeks; the dates allow 3 weeks.")
    assert_accessible(page)

    db.session.expire_all()
    unsaved = db.session.get(Engagement, engagement.id)
    assert (unsaved.guide_answers or None, unsaved.level) == (None, None)

    page.get_by_label("Rationale").fill("A partner will run drop-ins while the group gets ready.")
    page.get_by_role("button", name="Save level").click()
    expect(success_banner(page)).to_have_text("The level of engagement is Engage.")
    expect(page.locator("#recommendation").get_by_role("heading")).to_have_text("The guide recommends: Co-produce")
    expect(page.get_by_text("Chosen level: Engage. This differs from the recommendation (Co-produce).")
           ).to_be_visible()
    assert_accessible(page)


def test_without_javascript_the_button_shows_the_advice_and_keeps_what_was_typed(
        no_script_page: Page, new_page: Callable[..., Page], make) -> None:
    page, checker = no_script_page, new_page()
    engagement = _engagement(make)
    sign_in(page, engagement.lead_user)
    page.goto(f"/workspace/{engagement.slug}/level")
    expect(page.locator("#recommendation")).to_have_count(0)

    _answer(page, ANSWERS)
    page.get_by_label("Co-produce", exact=True).check()
    page.get_by_label("Rationale").fill("The patient group wants to share delivery.")
    page.get_by_role("button", name="Show the advice").click()

    advice = page.locator("#recommendation")
    expect(advice.get_by_role("heading")).to_have_text("The guide recommends: Co-design")
    expect(advice).to_contain_text("co-production needs people with lived experience")
    expect(advice).to_contain_text("People with lived experience are not yet ready or able to take part.")
    expect(advice).to_contain_text("Co-design usually needs at least 10 weeks; the dates allow 3 weeks.")
    expect(_advice(page)).to_contain_text("Co-produce usually needs at least 12 weeks; the dates allow 3 weeks.")
    expect(error_summary(page)).to_have_count(0)
    for question, answer in ANSWERS.items():
        expect(page.get_by_role("group", name=question).get_by_label(answer, exact=True)).to_be_checked()
    expect(page.get_by_label("Co-produce", exact=True)).to_be_checked()
    expect(page.get_by_label("Rationale")).to_have_value("The patient group wants to share delivery.")
    assert_accessible_as_shown(page, checker)
    # After the check: a screenshot leaves a style element in a page without script, which the copy would carry.
    snapshot(page, "level-guide-advice-without-script")
    db.session.expire_all()
    saved = db.session.get(Engagement, engagement.id)
    assert (saved.guide_answers or None, saved.level, saved.level_rationale or None) == (None, None, None)

    # A question left unanswered is pointed out, and the rest is kept.
    page.goto(f"/workspace/{engagement.slug}/level")
    _answer(page, dict(list(ANSWERS.items())[1:]))
    page.get_by_role("button", name="Show the advice").click()
    expect(error_summary(page).get_by_role("link")).to_have_text(["Answer yes or no"])
    expect(_advice(page)).to_contain_text("1 question is still to answer")
    expect(page.get_by_role("group", name="Is there budget for partners?").get_by_label("Yes", exact=True)
           ).to_be_checked()
    assert_accessible_as_shown(page, checker)

    page.get_by_role("group", name="Has the decision already been made?").get_by_label("No", exact=True).check()
    page.get_by_label("Co-design", exact=True).check()
    page.get_by_label("Rationale").fill("Time and budget for partners; the group is not ready to co-produce.")
    page.get_by_role("button", name="Save level").click()
    expect(success_banner(page)).to_have_text("The level of engagement is Co-design.")
    expect(page.locator("#recommendation").get_by_role("heading")).to_have_text("The guide recommends: Co-design")
    expect(page.locator("#recommendation")).to_contain_text(
        "Co-design usually needs a budget of at least £1,500; the planned budget is £200.00.")
    assert_accessible_as_shown(page, checker)
