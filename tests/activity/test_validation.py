"""Activity that cannot be right is refused with a plain-English message beside the field, and everything
typed is kept so that nothing has to be entered twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from engage import clock
from engage.activity import services
from engage.activity.models import Activity
from engage.extensions import db
from tests.activity.conftest import Scene, form_data, post

pytestmark = pytest.mark.date_sensitive


def _activities() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Activity.id)))


def _submit(app, scene: Scene, **overrides):
    client = scene.client_for(app, scene.partner)
    response = post(client, f"{scene.base}/activity/new", form_data(**overrides))
    return response, BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _summary(page) -> list[tuple[str, str]]:
    return [(a.get_text(strip=True), a["href"]) for a in page.select(".govuk-error-summary a")]


def _field_error(page, field_id: str) -> str:
    error = page.find(id=f"{field_id}-error")
    assert error is not None, f"no message beside {field_id}"
    return error.get_text(strip=True).removeprefix("Error:")


CASES = [
    # field, typed, message
    ("participants", "-3", "The number of people who took part must be 0 or more"),
    ("participants", "twelve", "Enter the number of people who took part as a whole number, like 12"),
    ("participants", "2.5", "Enter the number of people who took part as a whole number, like 12"),
    ("participants", "10000001", "The number of people who took part must be 1,000,000 or fewer"),
    ("volunteer_hours", "-1", "Volunteer hours must be 0 or more"),
    ("volunteer_hours", "two", "Enter volunteer hours as a number, like 2 or 2.5"),
    ("volunteer_hours", "2:30", "Enter volunteer hours as a number, like 2 or 2.5"),
    ("staff_hours", "-0.5", "Staff hours must be 0 or more"),
    ("staff_hours", "1e3", "Enter staff hours as a number, like 2 or 2.5"),
    ("staff_hours", "100001", "Staff hours must be 100,000 or fewer"),
    ("spend", "-20", "Spend must be £0 or more"),
    ("spend", "twenty pounds", "Enter the spend in pounds, like 45 or 45.50"),
    ("spend", "12.345", "Enter the spend in pounds, like 45 or 45.50"),
    ("spend", "1000000.01", "Spend must be £1,000,000 or less"),
    ("spend", "100000000", "Spend must be £1,000,000 or less"),
    ("title", "", "Enter a title for the activity"),
    ("title", "x" * 201, "The title must be 200 characters or fewer"),
    ("description", "y" * 10_001, "What happened must be 10,000 characters or fewer"),
    ("kind", "", "Choose what kind of activity it was"),
    ("kind", "rave", "Choose what kind of activity it was"),
]


@pytest.mark.parametrize(("field", "typed", "message"), CASES, ids=[f"{c[0]}={c[1][:12]}" for c in CASES])
def test_a_wrong_value_gets_a_clear_message_and_is_kept(app, scene: Scene, field, typed, message):
    response, page = _submit(app, scene, **{field: typed})

    assert response.status_code == 200
    assert page.title.get_text(strip=True).startswith("Error: ")
    assert (message, f"#{field}") in _summary(page) or (message, f"#{field}-0") in _summary(page)
    assert _field_error(page, field) == message
    if field not in ("kind",):
        box = page.find(id=field)
        kept = box.get_text() if box.name == "textarea" else box.get("value", "")
        assert kept == typed
    # Everything else typed is kept too.
    assert page.find(id="title").get("value") == (typed if field == "title" else "Coffee morning at the library")
    assert page.find(id="spend").get("value") == (typed if field == "spend" else "45.50")
    assert _activities() == 0


def test_a_negative_or_wrong_count_of_people_reached_is_refused_and_kept(app, scene: Scene):
    carers, age = scene.community("Carers network"), scene.community("Age")

    _, page = _submit(app, scene, **{f"reach_{carers.id}": "-4", f"reach_{age.id}": "lots"})

    assert _field_error(page, f"reach_{carers.id}") == (
        "The number reached in \u2018Carers network\u2019 must be 0 or more")
    assert _field_error(page, f"reach_{age.id}") == (
        "Enter the number reached in \u2018Age\u2019 as a whole number, like 12")
    assert page.find(id=f"reach_{carers.id}")["value"] == "-4"
    assert page.find(id=f"reach_{age.id}")["value"] == "lots"
    assert _activities() == 0


def test_a_date_in_the_future_is_refused_but_today_is_accepted(app, scene: Scene):
    tomorrow = clock.today() + timedelta(days=1)

    _, page = _submit(app, scene, occurred_on=[str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)])

    assert ("The date of the activity must be today or in the past", "#occurred_on-day") in _summary(page)
    assert [i["value"] for i in page.select("#occurred_on input")] == [
        str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]
    assert page.find(id="title")["value"] == "Coffee morning at the library"
    assert _activities() == 0

    today = clock.today()
    response, _ = _submit(app, scene, occurred_on=[str(today.day), str(today.month), str(today.year)])
    assert response.status_code == 302
    assert _activities() == 1


@pytest.mark.parametrize(("parts", "message"), [
    (["", "", ""], "Enter the date of the activity"),
    (["3", "", "2025"], "Date of the activity must include a month"),
    (["31", "2", "2025"], "Date of the activity must be a real date"),
    (["3", "two", "2025"], "Date of the activity must be a real date"),
])
def test_a_missing_or_impossible_date_gets_one_message(app, scene: Scene, parts, message):
    _, page = _submit(app, scene, occurred_on=parts)

    assert [text for text, href in _summary(page) if href == "#occurred_on-day"] == [message]
    assert [i.get("value", "") for i in page.select("#occurred_on input")] == parts


def test_the_service_refuses_what_the_form_would_have_caught(scene: Scene):
    # A request made without the form, or a form that misses a case, still cannot store a negative count or
    # a future date.
    base = dict(kind=services.ActivityKind.WORKSHOP, title="A workshop", description="", area=None,
                participants=1, volunteer_minutes=0, staff_minutes=0, spend_pence=0, milestone_id=None,
                planned_test_id=None, reach={})
    refusals = [
        (dict(occurred_on=clock.today() + timedelta(days=1)), "occurred_on"),
        (dict(occurred_on=clock.today(), participants=-1), "participants"),
        (dict(occurred_on=clock.today(), spend_pence=-1), "spend"),
        (dict(occurred_on=clock.today(), reach={scene.communities[0].id: -1}), "reach"),
        (dict(occurred_on=clock.today(), reach={999_999: 1}), "reach"),
        (dict(occurred_on=clock.today(), planned_test_id=999_999), "planned_test"),
        (dict(occurred_on=clock.today(), milestone_id=999_999), "milestone"),
    ]
    for overrides, field in refusals:
        with pytest.raises(services.ActivityError) as refused:
            services.log_activity(scene.engagement, actor=scene.partner,
                                  data=services.ActivityInput(**{**base, **overrides}))
        assert refused.value.field == field
        db.session.rollback()
    assert _activities() == 0
