"""'Your engagements' at 320 CSS px (a small phone, or a desktop zoomed to 400%): one card per engagement, with
everything the table used to say (the engagement, who leads it, its step and what needs doing), and nothing wider
than the screen, however long the engagements' and organisations' names are."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import Locator, Page, expect

from engage.engagements import services as engagements
from engage.engagements.models import CollaboratorRole, Step
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from tests.browser.support import assert_accessible, sign_in
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.factories import log_activity, proposed_agreement

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
# Long names as people give them: a run-together brand name is one word the browser cannot break at a space.
LEAD_ORGANISATION = "Northbrook Metropolitan Borough Council and NHS Northbrook Integrated Care Partnership"
PARTNER_ORGANISATION = "NorthbrookTogetherCollaborative: Voluntary, Community, Faith and Social Enterprise Alliance"
TITLES = ("Co-producing the neighbourhood mental-wellbeing, loneliness and social-prescribing pathways 2026 to 2027",
          "Urgent and emergency care redesign with carers, young people and people who rarely take part")


def row(card: Locator, key: str) -> Locator:
    return card.locator(".govuk-summary-list__row").filter(has=card.page.get_by_text(key, exact=True))


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url} is {width}px wide at a {NARROW['width']}px viewport"


@pytest.fixture
def people(make, engagement_at):  # noqa: F811 - the fixture imported above
    # A fixed day, so that the milestone below is due within the reminder period whatever the real date.
    with time_machine.travel(datetime(2026, 11, 25, 10, tzinfo=UTC)):
        lead_org = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR, name=LEAD_ORGANISATION)
        partner_org = make.organisation(kind=OrganisationKind.VCFSE, name=PARTNER_ORGANISATION)
        lead, partner = make.lead(organisation=lead_org), make.partner(organisation=partner_org)
        first = engagement_at(Step.COLLABORATORS, lead=lead, title=TITLES[0])
        engagements.add_collaborator(first, actor=lead, organisation=partner_org, role=CollaboratorRole.VCFSE_PARTNER)
        db.session.commit()
        proposed_agreement(first, lead=lead, partner=partner)
        second = engagement_at(Step.TEST, lead=lead, title=TITLES[1], partner_organisation=partner_org)
        log_activity(second, partner=partner)
        yield lead, partner


@pytest.mark.parametrize("who", ["lead", "partner"])
def test_your_engagements_fit_320_px_and_still_say_everything(new_page, people, who: str) -> None:
    person = dict(zip(("lead", "partner"), people, strict=True))[who]
    page = new_page(NARROW)
    sign_in(page, person)
    page.goto("/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your engagements")
    assert_fits(page)

    cards = page.locator(".engage-engagement-card")
    expect(cards).to_have_count(2)
    for title, step in zip(reversed(TITLES), ("4 of 6: Test", "2 of 6: Gather collaborators"), strict=True):
        card = cards.filter(has=page.get_by_role("link", name=title))
        expect(card).to_be_visible()
        expect(row(card, "Led by").locator("dd")).to_have_text(LEAD_ORGANISATION)
        expect(row(card, "Step").locator("dd")).to_contain_text(step)
        expect(row(card, "What needs doing").locator("dd")).not_to_be_empty()
    if who == "partner":
        expect(page.locator("#awaiting-signature + ul")).to_contain_text(PARTNER_ORGANISATION)
        expect(page.locator("#recent-activity + ul")).to_contain_text("Community conversation")
    assert_accessible(page)

    # The engagement's name is the way in, as it was in the table.
    page.get_by_role("link", name=TITLES[1]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLES[1])
