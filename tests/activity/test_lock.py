"""The person who logged an activity may change it for 14 days, by the server's clock; then it is locked
until an administrator unlocks it. Refusals and unlocking are both audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, update

from engage.activity import permissions as activity_permissions
from engage.activity import services
from engage.activity.models import Activity
from engage.audit.models import AuditEvent
from engage.database import utcnow
from engage.engagements.models import Lens
from engage.extensions import db
from engage.templating import format_datetime
from tests.activity.conftest import Scene, form_data, log, post
from tests.factories import csrf_token

pytestmark = pytest.mark.date_sensitive


def _age(activity: Activity, days: float) -> None:
    db.session.execute(update(Activity).where(Activity.id == activity.id)
                       .values(created_at=utcnow() - timedelta(days=days)))
    db.session.commit()
    db.session.expire_all()


def _fresh(activity_id: int) -> Activity:
    db.session.expire_all()
    return db.session.get(Activity, activity_id)


def _events(action: str, activity: Activity) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.subject_type == "Activity", AuditEvent.subject_id == activity.id)))


@pytest.fixture
def logged(scene: Scene) -> Activity:
    return log(scene.engagement, scene.partner, title="Coffee morning", participants=10)


def test_thirteen_days_on_the_person_who_logged_it_can_still_change_it(app, scene: Scene, logged: Activity):
    _age(logged, 13)
    client = scene.client_for(app, scene.partner)
    path = f"{scene.base}/activity/{logged.id}/change"

    page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    assert page.find(id="title")["value"] == "Coffee morning"
    assert page.find(id="participants")["value"] == "10"

    response = post(client, path, form_data(title="Coffee morning (changed)", participants="12"))

    assert response.status_code == 302
    assert (_fresh(logged.id).title, _fresh(logged.id).participants) == ("Coffee morning (changed)", 12)
    assert len(_events("activity.updated", logged)) == 1


def test_fifteen_days_on_a_change_is_refused_with_a_clear_message_and_audited(app, scene: Scene, logged: Activity):
    client = scene.client_for(app, scene.partner)
    path = f"{scene.base}/activity/{logged.id}/change"
    token = csrf_token(client, path)  # the form was opened while it could still be changed
    _age(logged, 15)
    ends = activity_permissions.edit_window_ends(_fresh(logged.id))

    response = client.post(path, data={**form_data(title="Too late"), "csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"] == f"{scene.base}/activity/{logged.id}"
    page = BeautifulSoup(client.get(response.headers["Location"]).get_data(as_text=True), "html.parser")
    summary = page.select_one(".govuk-error-summary").get_text(" ", strip=True)
    assert f"You can no longer change this activity: you could change it until {format_datetime(ends)}" in summary
    assert f"You could change this until {format_datetime(ends)}" in page.find(id="locked").get_text(" ", strip=True)
    assert not page.find("a", string="Add an insight")
    assert _fresh(logged.id).title == "Coffee morning"
    (refused,) = _events("activity.edit_refused", logged)
    assert (refused.actor_id, refused.data) == (scene.partner.id, {"reason": "locked"})


def test_a_locked_activitys_change_page_sends_the_person_back_with_the_reason(app, scene: Scene, logged: Activity):
    _age(logged, 15)
    client = scene.client_for(app, scene.partner)

    response = client.get(f"{scene.base}/activity/{logged.id}/change", follow_redirects=True)

    assert "You can no longer change this activity" in response.get_data(as_text=True)
    assert 'id="title"' not in response.get_data(as_text=True)


def test_insights_cannot_be_added_or_removed_once_locked(app, scene: Scene, logged: Activity):
    insight = services.add_insight(logged, actor=scene.partner, text="Evenings suit carers.", lens=Lens.CARERS,
                                   themes=[], organisation=None, system_blocker=False)
    db.session.commit()
    client = scene.client_for(app, scene.partner)
    token = csrf_token(client, f"{scene.base}/activity/{logged.id}")
    _age(logged, 15)

    added = client.post(f"{scene.base}/activity/{logged.id}/insights",
                        data={"text": "Late", "lens": "carers", "organisation": "", "csrf_token": token})
    removed = client.post(f"{scene.base}/activity/{logged.id}/insights/{insight.id}/remove",
                          data={"csrf_token": token})

    assert (added.status_code, removed.status_code) == (302, 302)
    assert [i.text for i in _fresh(logged.id).insights] == ["Evenings suit carers."]
    assert len(_events("activity.edit_refused", logged)) == 2


def test_the_window_is_measured_in_utc_so_a_clock_change_neither_shortens_nor_lengthens_it(scene: Scene,
                                                                                         logged: Activity):
    # Logged at 12:00 UTC the day before the clocks go forward in London: 14 days is 336 hours whatever the
    # wall clock in the borough shows.
    from datetime import UTC, datetime

    logged.created_at = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    db.session.commit()

    assert activity_permissions.edit_window_ends(_fresh(logged.id)) == datetime(2026, 4, 11, 12, 0, tzinfo=UTC)


def test_an_administrator_unlocks_it_for_fourteen_days_and_that_is_audited(app, scene: Scene, logged: Activity,
                                                                           make):
    _age(logged, 30)
    admin = make.admin()
    admin_client = scene.client_for(app, admin)
    show = f"{scene.base}/activity/{logged.id}"

    page = BeautifulSoup(admin_client.get(show).get_data(as_text=True), "html.parser")
    button = page.find("button", string="Unlock for 14 days")
    assert button is not None
    response = post(admin_client, button.find_parent("form")["action"], token_from=show)

    assert response.status_code == 302
    activity = _fresh(logged.id)
    assert abs(activity.unlocked_until - (utcnow() + timedelta(days=14))) < timedelta(minutes=1)
    (unlocked,) = _events("activity.unlocked", logged)
    assert unlocked.actor_id == admin.id

    partner_client = scene.client_for(app, scene.partner)
    changed = post(partner_client, f"{scene.base}/activity/{logged.id}/change", form_data(title="Corrected"))
    assert changed.status_code == 302
    assert _fresh(logged.id).title == "Corrected"
    assert "Unlock for 14 days" not in admin_client.get(show).get_data(as_text=True)


def test_only_an_administrator_sees_the_unlock_button_and_only_once_locked(app, scene: Scene, logged: Activity):
    show = f"{scene.base}/activity/{logged.id}"
    partner_client = scene.client_for(app, scene.partner)
    lead_client = scene.client_for(app, scene.lead)

    _age(logged, 15)

    assert "Unlock for 14 days" not in partner_client.get(show).get_data(as_text=True)
    assert "Unlock for 14 days" not in lead_client.get(show).get_data(as_text=True)
    refused = post(lead_client, f"{show}/unlock", token_from=show)
    assert refused.status_code == 403
    assert _fresh(logged.id).unlocked_until is None


def test_someone_else_in_the_same_organisation_cannot_change_it(app, scene: Scene, logged: Activity, make):
    colleague = make.partner(organisation=scene.charity)
    client = scene.client_for(app, colleague)

    page = client.get(f"{scene.base}/activity/{logged.id}").get_data(as_text=True)
    response = post(client, f"{scene.base}/activity/{logged.id}/change", form_data(title="Not mine"),
                    token_from=f"{scene.base}/activity/{logged.id}")

    assert "Only the person who logged an activity can change it" in page
    assert response.status_code == 403
    assert _fresh(logged.id).title == "Coffee morning"


def test_the_service_refuses_a_locked_change_whatever_the_page_does(scene: Scene, logged: Activity, make):
    _age(logged, 15)
    with pytest.raises(services.ActivityLocked):
        services.update_activity(_fresh(logged.id), scene.engagement, actor=scene.partner, data=None)
    db.session.commit()
    with pytest.raises(services.ActivityError):
        services.unlock(_fresh(logged.id), actor=scene.lead)
    assert len(_events("activity.edit_refused", logged)) == 1
