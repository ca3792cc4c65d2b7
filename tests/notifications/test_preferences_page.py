"""The preferences page: each signed-in person chooses, for each kind of e-mail, straight away, in a weekly
summary or never; only for themselves; with CSRF; saved, confirmed and audited; reachable from their account."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engage.accounts.models import Role, User
from engage.audit.models import AuditEvent
from engage.extensions import db
from engage.notifications.kinds import KINDS
from engage.notifications.models import Frequency, NotificationPreference
from engage.notifications.services import notify
from tests.factories import Factories, csrf_token, sign_in, tampered
from tests.notifications.conftest import messages_to

pytestmark = pytest.mark.date_sensitive

PATH = "/account/notifications"
ALL_STRAIGHT_AWAY = {kind: "immediate" for kind in KINDS}


def _choices(user: User) -> dict[str, Frequency]:
    db.session.expire_all()
    return dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.frequency)
                                   .where(NotificationPreference.user_id == user.id)).tuples().all())


def _checked(page: str) -> dict[str, str]:
    """Which radio is checked in each group, as the browser shows it."""
    checked = {}
    for tag in re.findall(r"<input[^>]*type=\"radio\"[^>]*>", page):
        if "checked" in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            checked[name] = re.search(r'value="([^"]+)"', tag).group(1)
    return checked


@pytest.fixture
def signed_in_client(app, make: Factories):
    def build(role: Role = Role.LEAD):
        user = make.user(role=role)
        client = app.test_client()
        assert sign_in(client, user).status_code == 302
        return client, user

    return build


def test_anonymous_visitors_are_sent_to_sign_in(client) -> None:
    # The POST carries the visitor's own valid token (from the sign-in page), so only the sign-in rule stops it.
    posted = client.post(PATH, data={**ALL_STRAIGHT_AWAY, "csrf_token": csrf_token(client, "/sign-in")})
    for response in (client.get(PATH), posted):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=/account/notifications")


@pytest.mark.parametrize("role", [Role.PARTNER, Role.LEAD, Role.ADMIN])
def test_every_signed_in_role_sees_and_changes_their_own_choices(signed_in_client, role: Role) -> None:
    client, user = signed_in_client(role)
    page = client.get(PATH)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Choose which e-mails you get" in text
    assert "Broken links to outputs" in text and "Overdue milestones" in text
    assert _checked(text) == ALL_STRAIGHT_AWAY  # nothing chosen yet: straight away
    for description in ("A milestone in an agreement you signed is due within 7 days",
                        "An engagement you lead has had no activity or update for 30 days",
                        "A link to an output of an engagement you lead has stopped working"):
        assert description in text
    for label in ("Straight away", "In a weekly summary", "Never"):
        assert text.count(label) == len(KINDS)
    assert "Security e-mails are always sent and cannot be turned off" in text

    chosen = {**ALL_STRAIGHT_AWAY, "broken_link": "off", "quiet_engagement": "weekly"}
    response = client.post(PATH, data={**chosen, "csrf_token": csrf_token(client, PATH)})
    assert response.status_code == 302 and response.headers["Location"] == PATH
    confirmed = client.get(PATH).get_data(as_text=True)
    assert "Your e-mail choices have been saved." in confirmed
    assert _checked(confirmed) == chosen
    assert _choices(user)["broken_link"] is Frequency.OFF
    assert _choices(user)["quiet_engagement"] is Frequency.WEEKLY
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "notifications.preferences_changed"))
    assert event.actor_id == user.id and event.subject_id == user.id
    assert event.data["changes"] == {"broken_link": {"from": "immediate", "to": "off"},
                                     "quiet_engagement": {"from": "immediate", "to": "weekly"}}


def test_the_account_page_links_to_the_choices(signed_in_client) -> None:
    client, _ = signed_in_client()
    assert f'href="{PATH}"' in client.get("/account/").get_data(as_text=True)


def test_a_post_without_a_valid_csrf_token_changes_nothing(signed_in_client) -> None:
    client, user = signed_in_client()
    assert client.post(PATH, data={**ALL_STRAIGHT_AWAY, "broken_link": "off"}).status_code == 400
    token = csrf_token(client, PATH)
    response = client.post(PATH, data={**ALL_STRAIGHT_AWAY, "broken_link": "off", "csrf_token": tampered(token)})
    assert response.status_code == 400
    assert _choices(user) == {}


def test_a_missing_or_made_up_answer_is_shown_as_an_error_and_the_rest_is_kept(signed_in_client) -> None:
    client, user = signed_in_client()
    answers = {**ALL_STRAIGHT_AWAY, "broken_link": "weekly", "quiet_engagement": "hourly"}
    del answers["milestone_overdue"]
    response = client.post(PATH, data={**answers, "csrf_token": csrf_token(client, PATH)})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "There is a problem" in text
    assert "Choose when to get e-mails about this" in text
    assert "<title>Error:" in text
    assert _checked(text)["broken_link"] == "weekly"  # what was chosen is kept
    assert _choices(user) == {}


def test_no_way_to_see_or_change_another_persons_choices(app, signed_in_client, make: Factories) -> None:
    other = make.partner()
    db.session.add(NotificationPreference(user_id=other.id, kind="broken_link", frequency=Frequency.WEEKLY))
    db.session.commit()
    client, user = signed_in_client()
    # The page takes no one's id: the only choices it shows are the signed-in person's own.
    assert _checked(client.get(f"{PATH}?user_id={other.id}").get_data(as_text=True))["broken_link"] == "immediate"
    for path in (f"{PATH}/{other.id}", f"/account/{other.id}/notifications"):
        assert client.get(path).status_code == 404
    client.post(f"{PATH}?user_id={other.id}", data={**ALL_STRAIGHT_AWAY, "broken_link": "off",
                                                   "user_id": str(other.id), "csrf_token": csrf_token(client, PATH)})
    assert _choices(other) == {"broken_link": Frequency.WEEKLY}
    assert _choices(user)["broken_link"] is Frequency.OFF


def test_the_choice_decides_what_notify_does(signed_in_client) -> None:
    client, user = signed_in_client()
    client.post(PATH, data={**ALL_STRAIGHT_AWAY, "broken_link": "off", "quiet_engagement": "weekly",
                            "csrf_token": csrf_token(client, PATH)})
    before = len(messages_to(user.email))
    db.session.expire_all()
    user = db.session.get(User, user.id)
    for kind, key in (("broken_link", "a"), ("quiet_engagement", "b"), ("milestone_overdue", "c")):
        notify(user, kind=kind, key=key, subject=f"About {kind}", body="Something happened.")
    db.session.commit()
    assert [m.subject for m in messages_to(user.email)[before:]] == ["About milestone_overdue"]
