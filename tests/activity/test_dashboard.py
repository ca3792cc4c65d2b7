"""The dashboard tells a partner what needs them: agreements to sign, milestones overdue or due
within the reminder period, and the activity they logged most recently."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from engage import clock
from engage.accounts import services as accounts
from engage.agreements import services as agreements
from engage.agreements.models import MilestoneStatus
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from tests.activity.conftest import Scene, agreement_with, log

pytestmark = pytest.mark.date_sensitive


def _dashboard(app, scene: Scene, user) -> BeautifulSoup:
    client = scene.client_for(app, user)
    return BeautifulSoup(client.get("/dashboard").get_data(as_text=True), "html.parser")


def _items_after(page: BeautifulSoup, heading_id: str) -> list[str]:
    """The link texts in the list that follows a heading, up to the next h2."""
    texts = []
    for element in page.find(id=heading_id).find_next_siblings():
        if element.name == "h2":
            break
        texts += [a.get_text(" ", strip=True) for a in element.select("a")]
    return texts


def test_agreements_awaiting_my_signature_link_to_the_signing_page(app, scene: Scene):
    half_signed = agreement_with(scene, [("Report", clock.today() + timedelta(days=60))], partner_signs=False)
    unsigned = agreement_with(scene, [("Report", clock.today() + timedelta(days=60))], lead_signs=False,
                              partner_signs=False)

    partner_page = _dashboard(app, scene, scene.partner)
    lead_page = _dashboard(app, scene, scene.lead)

    links = partner_page.find(id="awaiting-signature").find_next("ul").select("a")
    assert [a["href"] for a in links] == [
        f"{scene.base}/agreements/{half_signed.id}/sign", f"{scene.base}/agreements/{unsigned.id}/sign"]
    assert links[0].get_text(" ", strip=True) == (
        f"Sign the expectation agreement between {scene.lead.organisation.name} and Common Ground")
    # The lead has signed one of them already.
    assert [a["href"] for a in lead_page.find(id="awaiting-signature").find_next("ul").select("a")] == [
        f"{scene.base}/agreements/{unsigned.id}/sign"]
    client = scene.client_for(app, scene.partner)
    assert client.get(links[0]["href"]).status_code == 200


def test_someone_who_is_not_a_signatory_has_nothing_to_sign(app, scene: Scene):
    agreement_with(scene, [("Report", clock.today() + timedelta(days=60))], partner_signs=False)
    colleague = scene.make.partner(organisation=scene.charity)

    page = _dashboard(app, scene, colleague)

    assert "No agreements are waiting for you to sign." in page.get_text(" ", strip=True)


def test_an_agreement_its_signatory_can_no_longer_sign_is_not_waiting_for_them(app, scene: Scene):
    # Named for Common Ground, then moved to another organisation: signing is refused them, so the dashboard
    # does not ask them to sign.
    agreement_with(scene, [("Report", clock.today() + timedelta(days=60))], partner_signs=False)
    elsewhere = scene.make.organisation(kind=OrganisationKind.VCFSE, name="Kirkholt Residents")
    accounts.change_role(scene.partner, role=scene.partner.role, organisation=elsewhere, actor=scene.make.admin())
    db.session.commit()

    page = _dashboard(app, scene, scene.partner)

    assert "No agreements are waiting for you to sign." in page.get_text(" ", strip=True)


def test_milestones_overdue_and_due_within_the_reminder_period(app, scene: Scene):
    """The dashboard's "due soon" is the milestone reminders' period (MILESTONE_DUE_SOON_DAYS, 7 by default):
    one setting, so it lists what people have been reminded of."""
    assert app.config["MILESTONE_DUE_SOON_DAYS"] == 7
    today = clock.today()
    agreement = agreement_with(scene, [
        ("Overdue conversation", today - timedelta(days=3)),
        ("Done already", today - timedelta(days=1)),
        ("Due today", today),
        ("Due in five days", today + timedelta(days=5)),
        ("Due in seven days", today + timedelta(days=7)),
        ("Due in eight days", today + timedelta(days=8)),
    ])
    done = next(m for m in agreement.milestones if m.title == "Done already")
    agreements.set_milestone_status(done, actor=scene.lead, status=MilestoneStatus.DONE)
    db.session.commit()
    unsigned = agreement_with(scene, [("Not agreed yet", today - timedelta(days=1))], partner_signs=False)
    assert unsigned.milestones

    for person in (scene.partner, scene.lead):
        page = _dashboard(app, scene, person)
        section = page.find(id="milestones")
        headings = [h.get_text(strip=True) for h in section.find_next_siblings("h3")]
        assert headings == ["Overdue", "Due in the next 7 days"]
        overdue, soon = (h.find_next("ul") for h in section.find_next_siblings("h3"))
        assert [a.get_text(strip=True) for a in overdue.select("a")] == ["Overdue conversation"]
        assert "3 days ago" in overdue.get_text(" ", strip=True)
        assert [a.get_text(strip=True) for a in soon.select("a")] == [
            "Due today", "Due in five days", "Due in seven days"]
        assert overdue.a["href"] == f"{scene.base}/agreements/{agreement.id}"


def test_due_soon_follows_the_reminder_setting_when_it_is_changed(app, scene: Scene, monkeypatch):
    monkeypatch.setitem(app.config, "MILESTONE_DUE_SOON_DAYS", 10)
    today = clock.today()
    agreement_with(scene, [("Due in seven days", today + timedelta(days=7)),
                           ("Due in ten days", today + timedelta(days=10)),
                           ("Due in eleven days", today + timedelta(days=11))])

    page = _dashboard(app, scene, scene.partner)

    [heading] = page.find(id="milestones").find_next_siblings("h3")
    assert heading.get_text(strip=True) == "Due in the next 10 days"
    assert [a.get_text(strip=True) for a in heading.find_next("ul").select("a")] == [
        "Due in seven days", "Due in ten days"]


def test_nothing_due_says_the_reminder_period_it_looked_over(app, scene: Scene, monkeypatch):
    monkeypatch.setitem(app.config, "MILESTONE_DUE_SOON_DAYS", 1)
    agreement_with(scene, [("Due in two days", clock.today() + timedelta(days=2))])

    page = _dashboard(app, scene, scene.partner)

    assert "No milestones are overdue or due in the next 1 day." in page.get_text(" ", strip=True)


def test_milestones_of_engagements_my_organisation_is_not_part_of_are_not_shown(app, scene: Scene):
    agreement_with(scene, [("Overdue conversation", clock.today() - timedelta(days=3))])
    outsider = scene.make.partner(organisation=scene.make.organisation(kind=OrganisationKind.VCFSE))

    page = _dashboard(app, scene, outsider)

    assert "No milestones are overdue or due in the next 7 days." in page.get_text(" ", strip=True)
    assert "Overdue conversation" not in page.get_text()


def test_my_recent_activity_is_the_last_five_i_logged(app, scene: Scene):
    for n in range(1, 7):
        log(scene.engagement, scene.partner, title=f"Session {n}", participants=n)
    log(scene.engagement, scene.lead, title="The lead's session")

    page = _dashboard(app, scene, scene.partner)

    assert _items_after(page, "recent-activity") == [f"Session {n}" for n in (6, 5, 4, 3, 2)]
    first = page.find(id="recent-activity").find_next("li")
    assert first.a["href"].startswith(f"{scene.base}/activity/")
    assert "Workshop" in first.get_text(" ", strip=True) and "6 people" in first.get_text(" ", strip=True)


def test_the_engagements_my_organisation_collaborates_on_are_still_listed(app, scene: Scene):
    page = _dashboard(app, scene, scene.partner)

    assert [a.get_text(strip=True) for a in page.select(".engage-engagement-card .govuk-summary-card__title a")] == [
        scene.engagement.title]


def test_an_administrator_without_an_organisation_sees_none_of_the_partner_sections(app, scene: Scene):
    page = _dashboard(app, scene, scene.make.admin())

    for heading in ("awaiting-signature", "milestones", "recent-activity"):
        assert page.find(id=heading) is None
