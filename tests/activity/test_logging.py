"""A partner logs an activity on a phone: every field is stored, hours as minutes and pounds as pence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from engage import clock
from engage.activity.models import ActivityKind
from engage.agreements import services as agreements
from engage.audit.models import AuditEvent
from engage.extensions import db
from tests.activity.conftest import Scene, form_data, log, newest_activity, post

pytestmark = pytest.mark.date_sensitive


def test_every_field_is_stored_with_hours_as_minutes_and_pounds_as_pence(app, scene: Scene):
    test = scene.engagement.planned_tests[0]
    heywood = scene.area("Heywood")
    carers, age = scene.community("Carers network"), scene.community("Age")
    client = scene.client_for(app, scene.partner)

    response = post(client, f"{scene.base}/activity/new", form_data(
        occurred_on=["3", "2", "2025"], kind="community_event", title="Heywood fun day",
        description="A stall at the **fun day**.", area=str(heywood.id), participants="1,250",
        volunteer_hours="2.5", staff_hours="0.25", spend="£1,045.50", planned_test=str(test.id),
        **{f"reach_{carers.id}": "12", f"reach_{age.id}": "40"}))

    activity = newest_activity()
    assert response.status_code == 302
    assert response.headers["Location"] == f"{scene.base}/activity/{activity.id}"
    assert (activity.occurred_on.isoformat(), activity.kind, activity.title, activity.description) == (
        "2025-02-03", ActivityKind.COMMUNITY_EVENT, "Heywood fun day", "A stall at the **fun day**.")
    assert (activity.area_id, activity.participants, activity.volunteer_minutes, activity.staff_minutes,
            activity.spend_pence) == (heywood.id, 1250, 150, 15, 104550)
    assert (activity.planned_test_id, activity.milestone_id) == (test.id, None)
    assert {r.community_id: r.count for r in activity.reach} == {carers.id: 12, age.id: 40}
    assert (activity.organisation_id, activity.logged_by_id) == (scene.charity.id, scene.partner.id)
    assert db.session.query(AuditEvent).filter_by(action="activity.logged", subject_id=activity.id).count() == 1


def test_blank_numbers_are_zero_and_no_reach_is_recorded(app, scene: Scene):
    client = scene.client_for(app, scene.partner)

    post(client, f"{scene.base}/activity/new", form_data(participants="", volunteer_hours="", staff_hours="",
                                                        spend=""))

    activity = newest_activity()
    assert (activity.participants, activity.volunteer_minutes, activity.staff_minutes, activity.spend_pence) == (
        0, 0, 0, 0)
    assert activity.reach == []


def test_the_milestone_choices_are_those_of_the_engagements_signed_agreements(app, scene: Scene):
    draft = agreements.start_agreement(scene.engagement, actor=scene.lead, vcfse=scene.charity)
    agreements.add_milestone(draft, actor=scene.lead, title="Draft milestone", due_date=clock.today())
    db.session.commit()
    milestone = scene.agreement.milestones[0]
    client = scene.client_for(app, scene.partner)
    path = f"{scene.base}/activity/new"

    page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")

    due = milestone.due_date
    assert [o.get_text() for o in page.select("#milestone option")] == [
        "None", f"Final report (agreement with Common Ground, due {due.day} {due:%B %Y})"]
    assert post(client, path, form_data(milestone=str(milestone.id))).status_code == 302
    assert newest_activity().milestone_id == milestone.id


def test_the_form_suits_a_phone(app, scene: Scene):
    client = scene.client_for(app, scene.partner)

    page = BeautifulSoup(client.get(f"{scene.base}/activity/new").get_data(as_text=True), "html.parser")

    assert [i["name"] for i in page.select("#occurred_on input")] == ["occurred_on"] * 3
    assert page.find("input", id="participants")["inputmode"] == "numeric"
    assert page.find("input", id="volunteer_hours")["inputmode"] == "decimal"
    assert page.find("input", id="staff_hours")["inputmode"] == "decimal"
    assert page.find("input", id="spend")["inputmode"] == "decimal"
    assert [r["value"] for r in page.select("input[name=kind]")] == [k.value for k in ActivityKind]
    assert "Markdown" in page.find(id="description-hint").get_text()
    assert "name" in page.find(id="description-hint").get_text()
    # Reach: one number box per community, in a fieldset for each group.
    legends = [legend.get_text(strip=True) for legend in page.select("fieldset legend")]
    assert {"VCFSE networks", "Under-represented groups", "Protected characteristics (Equality Act 2010)"} <= set(
        legends)
    for community in scene.communities:
        box = page.find("input", id=f"reach_{community.id}")
        assert box["inputmode"] == "numeric"
        assert box.find_parent("fieldset").legend.get_text(strip=True) == community.group.label
    # Every box has a label, so that it is announced and easy to tap.
    for box in page.select("main input[type=text]"):
        assert page.find("label", attrs={"for": box["id"]}), box["id"]


def test_the_log_lists_activity_newest_first_with_who_what_when_and_how_many(app, scene: Scene):
    today = clock.today()
    log(scene.engagement, scene.partner, title="Older", occurred_on=today - timedelta(days=10), participants=3)
    log(scene.engagement, scene.lead, title="Newer", occurred_on=today - timedelta(days=1), participants=1)
    client = scene.client_for(app, scene.lead)

    page = BeautifulSoup(client.get(f"{scene.base}/activity").get_data(as_text=True), "html.parser")

    items = page.select(".engage-item")
    assert [i.h2.get_text(strip=True) for i in items] == ["Newer", "Older"]
    older = items[1].get_text(" ", strip=True)
    assert "Workshop" in older and "3 people took part" in older
    assert "Jo Whitworth" in older and "Common Ground" in older
    assert "1 person took part" in items[0].get_text(" ", strip=True)
    link = items[1].h2.a["href"]
    assert client.get(link).status_code == 200


def test_the_activity_page_shows_everything_with_the_description_as_markdown(app, scene: Scene):
    client = scene.client_for(app, scene.partner)
    age = scene.community("Age")
    post(client, f"{scene.base}/activity/new", form_data(
        description="We talked about **waits**.\n\n<script>alert(1)</script>", **{f"reach_{age.id}": "9"}))
    activity = newest_activity()

    html = client.get(f"{scene.base}/activity/{activity.id}").get_data(as_text=True)
    page = BeautifulSoup(html, "html.parser")

    text = page.get_text(" ", strip=True)
    assert "<strong>waits</strong>" in html and "<script>alert" not in html
    for expected in ("Coffee morning at the library", "Workshop", "Jo Whitworth, Common Ground", "14", "2.5", "3",
                     "£45.50", "Age", "9"):
        assert expected in text
    assert page.find("a", string="Add an insight")

