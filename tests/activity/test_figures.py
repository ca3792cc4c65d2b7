"""The figures an engagement's activity adds up to, checked against sums worked out by hand."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from engage.activity import services
from engage.engagements import services as engagements
from engage.engagements.models import CollaboratorRole, Lens
from engage.extensions import db
from tests.activity.conftest import Scene, log


@pytest.fixture
def three_activities(scene: Scene) -> Scene:
    carers, age, disability = (scene.community(n) for n in ("Carers network", "Age", "Disability"))
    first = log(scene.engagement, scene.partner, participants=10, volunteer_minutes=150, staff_minutes=60,
                spend_pence=1050, reach={carers.id: 4, age.id: 6})
    log(scene.engagement, scene.lead, participants=25, volunteer_minutes=90, staff_minutes=30, spend_pence=0,
        reach={carers.id: 5, disability.id: 3})
    third = log(scene.engagement, scene.partner, participants=7, volunteer_minutes=0, staff_minutes=45,
                spend_pence=2500)
    for text, blocker in (("One", True), ("Two", False), ("Three", False)):
        services.add_insight(first, actor=scene.partner, text=text, lens=Lens.COMMUNITIES, themes=[],
                             organisation=None, system_blocker=blocker)
    services.add_insight(third, actor=scene.partner, text="Four", lens=Lens.WORKFORCE, themes=[], organisation=None,
                         system_blocker=True)
    # Another engagement's activity counts there, not here.
    other = engagements.open_engagement(title="Another engagement", actor=scene.lead)
    engagements.add_collaborator(other, actor=scene.lead, organisation=scene.charity,
                                 role=CollaboratorRole.VCFSE_PARTNER)
    db.session.commit()
    log(other, scene.partner, participants=100, volunteer_minutes=600, spend_pence=99_999,
        reach={carers.id: 50})
    return scene


def test_the_totals_reach_and_in_kind_value(app, three_activities: Scene, monkeypatch):
    monkeypatch.setitem(app.config, "IN_KIND_HOURLY_RATE_PENCE", 1500)

    figures = services.figures(three_activities.engagement)

    assert (figures.activities, figures.participants, figures.volunteer_minutes, figures.staff_minutes,
            figures.spend_pence) == (3, 42, 240, 135, 3550)
    assert (figures.volunteer_hours, figures.staff_hours) == (4, 2.25)
    assert (figures.insights, figures.system_blockers) == (4, 2)
    assert figures.in_kind_pence == 4 * 1500
    assert figures.reach == [("VCFSE networks", "Carers network", 9),
                             ("Protected characteristics (Equality Act 2010)", "Age", 6),
                             ("Protected characteristics (Equality Act 2010)", "Disability", 3)]


def test_in_kind_value_follows_the_configured_rate_to_the_penny(app, scene: Scene, monkeypatch):
    log(scene.engagement, scene.partner, volunteer_minutes=100)
    monkeypatch.setitem(app.config, "IN_KIND_HOURLY_RATE_PENCE", 1260)

    assert services.figures(scene.engagement).in_kind_pence == 2100  # 1⅔ hours at £12.60


def test_an_engagement_with_no_activity_adds_up_to_nothing(scene: Scene):
    figures = services.figures(scene.engagement)

    assert (figures.activities, figures.participants, figures.volunteer_minutes, figures.in_kind_pence,
            figures.insights, figures.system_blockers, figures.reach) == (0, 0, 0, 0, 0, 0, [])


def test_the_figures_stay_current_as_activity_changes(scene: Scene):
    activity = log(scene.engagement, scene.partner, participants=10)
    assert services.figures(scene.engagement).participants == 10

    data = services.ActivityInput(
        occurred_on=activity.occurred_on, kind=activity.kind, title=activity.title, description="", area=None,
        participants=12, volunteer_minutes=0, staff_minutes=0, spend_pence=0, milestone_id=None,
        planned_test_id=None, reach={scene.community("Age").id: 2})
    services.update_activity(activity, scene.engagement, actor=scene.partner, data=data)
    db.session.commit()

    figures = services.figures(scene.engagement)
    assert (figures.participants, figures.reach) == (
        12, [("Protected characteristics (Equality Act 2010)", "Age", 2)])


def test_the_task_list_shows_the_figures_card(app, three_activities: Scene, monkeypatch):
    monkeypatch.setitem(app.config, "IN_KIND_HOURLY_RATE_PENCE", 1500)
    scene = three_activities
    client = scene.client_for(app, scene.partner)

    page = BeautifulSoup(client.get(f"{scene.base}/").get_data(as_text=True), "html.parser")

    card = page.find(id="figures")
    rows = {row.dt.get_text(strip=True): row.dd.get_text(strip=True) for row in card.select(".govuk-summary-list__row")}
    assert rows == {"Activities": "3", "People who took part": "42", "Volunteer hours": "4", "Staff hours": "2.25",
                    "Spend": "£35.50", "In-kind value of volunteer time": "£60.00", "Insights": "4",
                    "System blockers": "2"}
    assert "£15.00 an hour" in card.get_text(" ", strip=True)
    reach = [(row.th.contents[0].strip(), row.td.get_text(strip=True)) for row in card.select("tbody tr")]
    assert reach == [("Carers network", "9"), ("Age", "6"), ("Disability", "3")]
    assert card.find("a", href=f"{scene.base}/activity")
