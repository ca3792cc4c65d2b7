"""Signing up to follow by e-mail: from the record page and the filtered list, double opt-in (only a confirmation
link is sent, and only its keyed hash is kept), the same answer whether or not the address already follows,
a form that keeps the GOV.UK error pattern and its CSRF check, what cannot be followed, the rate limit, and
sign-ups never confirmed expiring and being deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from engage.database import utcnow
from engage.extensions import db
from engage.following import services
from engage.following.models import Follow, FollowRequest
from engage.following.updates import send_follower_updates
from engage.mail.models import OutboxMessage
from tests.factories import csrf_token, sign_in
from tests.following.conftest import (
    NEIGHBOUR,
    RESIDENT,
    confirm,
    confirm_link_in,
    follow_and_confirm,
    follow_path,
    links_in,
    messages_to,
    publish_change,
    sign_up,
)

pytestmark = pytest.mark.date_sensitive


def follows() -> list[Follow]:
    db.session.expire_all()
    return list(db.session.scalars(select(Follow).order_by(Follow.id)))


def test_the_record_page_and_the_list_filtered_by_area_or_theme_link_to_following_them(client, world):
    record = client.get(f"/engagements/{world.completed.slug}").get_data(as_text=True)
    assert f'href="/follow/engagement/{world.completed.slug}"' in record
    assert "Get e-mails about this engagement" in record
    in_progress = client.get(f"/engagements/{world.in_progress.slug}").get_data(as_text=True)
    assert "when the record of this engagement is published" in in_progress
    # An earlier version's page is not where one follows the record.
    publish_change(world.completed, "Corrected the opening hours.")
    assert "/follow/" not in client.get(f"/engagements/{world.completed.slug}/versions/1").get_data(as_text=True)

    by_area = client.get(f"/engagements?area={world.area.slug}").get_data(as_text=True)
    assert f'href="/follow/area/{world.area.slug}"' in by_area
    by_theme = client.get(f"/engagements?theme={world.theme.slug}").get_data(as_text=True)
    assert f'href="/follow/theme/{world.theme.slug}"' in by_theme
    assert "/follow/" not in client.get("/engagements").get_data(as_text=True)


def test_the_follow_pages_say_what_is_sent_and_are_never_cached(client, world):
    for path, heading in [
        (follow_path("engagement", world.completed.slug), f"Get e-mails about &#39;{world.completed.title}&#39;"),
        (follow_path("area", world.area.slug), f"Get e-mails about engagements in {world.area.name}"),
        (follow_path("theme", world.theme.slug), f"Get e-mails about engagements about {world.theme.name}"),
    ]:
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert heading in page
        assert "one e-mail a day at most" in page
        assert response.headers["Cache-Control"] == "no-store"


def test_signing_up_keeps_the_address_unconfirmed_and_sends_only_a_confirmation_link(client, world):
    path = follow_path("engagement", world.completed.slug)
    response = sign_up(client, path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{path}/check-your-email"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your e-mail" in page and RESIDENT not in page

    [follow] = follows()
    assert follow.email == RESIDENT and follow.confirmed_at is None and follow.engagement_id == world.completed.id
    [message] = messages_to(RESIDENT)
    assert message.subject == f"Confirm you want e-mails about '{world.completed.title}'"
    assert message.private_recipient and message.sensitive
    token = confirm_link_in(message).removeprefix("/follow/confirm/")
    # Only a keyed hash of the token is stored.
    stored = [str(value) for value in db.session.execute(select(Follow.__table__)).one()]
    assert token not in " ".join(stored)
    assert follow.confirm_token_hash == services.keyed_hash(token)


def test_the_address_is_not_followed_until_the_link_is_opened_and_confirmed(app, client, world):
    path = follow_path("engagement", world.completed.slug)
    sign_up(client, path)
    [message] = messages_to(RESIDENT)
    # Opening the link only shows a button: a mail program that opens links confirms nothing.
    other_browser = app.test_client()
    opened = other_browser.get(confirm_link_in(message), follow_redirects=True)
    assert "Confirm you want e-mails about" in opened.get_data(as_text=True)
    assert follows()[0].confirmed_at is None
    # The button is a form with a CSRF token.
    assert other_browser.post("/follow/confirm", data={}).status_code == 400
    assert follows()[0].confirmed_at is None

    done = confirm(app.test_client(), message)
    assert done.status_code == 200
    assert f"You are following &#39;{world.completed.title}&#39;" in done.get_data(as_text=True)
    assert follows()[0].confirmed_at is not None


def test_signing_up_again_gives_the_same_answer_whether_or_not_the_address_already_follows(app, client, world):
    path = follow_path("engagement", world.completed.slug)
    follow_and_confirm(app, path, RESIDENT)
    sign_up(client, path, NEIGHBOUR)
    first_link = confirm_link_in(messages_to(NEIGHBOUR)[-1])

    answers = []
    for email in (RESIDENT, NEIGHBOUR, "nobody.yet@example.org"):
        browser = app.test_client()
        response = sign_up(browser, path, email)
        page = browser.get(response.headers["Location"])
        answers.append((response.status_code, response.headers["Location"], page.status_code,
                        page.get_data(as_text=True).replace(email, "")))
    assert answers[0][:3] == answers[1][:3] == answers[2][:3]
    # The pages differ only by their CSP nonce.
    assert {_without_nonce(answer[3]) for answer in answers} == {_without_nonce(answers[0][3])}

    # Still one row each; the follower is told they already follow (no new link), the unconfirmed address gets
    # a new link that replaces the first.
    assert [f.email for f in follows()] == [RESIDENT, NEIGHBOUR, "nobody.yet@example.org"]
    latest = messages_to(RESIDENT)[-1]
    assert latest.subject.startswith("You already get e-mails about")
    assert not any(link.startswith("/follow/confirm/") for link in links_in(latest))
    assert confirm_link_in(messages_to(NEIGHBOUR)[-1]) != first_link
    assert app.test_client().get(first_link, follow_redirects=True).status_code == 404


def _without_nonce(page: str) -> str:
    import re

    return re.sub(r'nonce="[^"]+"', "", page)


def test_a_wrong_address_is_shown_again_with_the_error_summary_and_nothing_is_sent(client, world):
    path = follow_path("theme", world.theme.slug)
    response = client.post(path, data={"email": "not an address", "csrf_token": csrf_token(client, path)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "Enter an e-mail address in the correct format" in page
    assert 'value="not an address"' in page
    empty = client.post(path, data={"email": "", "csrf_token": csrf_token(client, path)}).get_data(as_text=True)
    assert "Enter your e-mail address" in empty
    assert follows() == [] and db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_the_sign_up_form_needs_its_csrf_token(client, world):
    response = client.post(follow_path("engagement", world.completed.slug), data={"email": RESIDENT})
    assert response.status_code == 400
    assert follows() == []


def test_what_is_not_public_or_not_active_cannot_be_followed(client, world):
    world.theme.is_active = False
    db.session.commit()
    for path in [follow_path("engagement", world.held_back.slug), follow_path("engagement", world.at_challenge.slug),
                 follow_path("engagement", "no-such-engagement"), follow_path("area", "no-such-area"),
                 follow_path("theme", world.theme.slug), "/follow/organisation/anything"]:
        assert client.get(path).status_code == 404, path
    assert client.post(follow_path("engagement", world.held_back.slug), data={"email": RESIDENT}).status_code in (
        400, 404)
    assert follows() == []


def test_signed_in_people_see_the_same_pages_as_residents(app, client, world, make):
    """The follow pages need no account, whoever is signed in: everyone may follow with any address."""
    path = follow_path("engagement", world.completed.slug)
    for person in (make.admin(), make.lead(), make.partner()):
        browser = app.test_client()
        sign_in(browser, person)
        response = browser.get(path)
        assert response.status_code == 200 and "Get e-mails about" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_sign_ups_are_limited_per_address_and_per_client_and_a_refusal_says_when_to_try_again(app, world):
    path = follow_path("engagement", world.completed.slug)
    browser = app.test_client()
    for _ in range(services.SIGNUPS_PER_ADDRESS):
        assert sign_up(browser, path).status_code == 302
    sent = len(messages_to(RESIDENT))
    refused = sign_up(browser, path)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "You have asked too many times" in page and "Try again after" in page
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert RESIDENT not in page
    assert len(messages_to(RESIDENT)) == sent

    # Another address from the same client is still allowed, until the client's own limit.
    for n in range(services.SIGNUPS_PER_CLIENT - services.SIGNUPS_PER_ADDRESS):
        assert sign_up(browser, path, f"person{n}@example.org").status_code == 302
    assert sign_up(browser, path, "one.more@example.org").status_code == 429
    # Another client may still sign up.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert sign_up(elsewhere, path, "one.more@example.org").status_code == 302

    # An hour later the address may ask again.
    with time_machine.travel(utcnow() + timedelta(hours=1, minutes=1)):
        assert sign_up(app.test_client(), path).status_code == 302
    # The counts hold keyed hashes, never the address.
    keys = " ".join(db.session.scalars(select(FollowRequest.key_hash)))
    assert RESIDENT not in keys and "example.org" not in keys


def test_sign_ups_never_confirmed_expire_and_are_deleted_with_their_emails(app, client, world):
    path = follow_path("area", world.area.slug)
    sign_up(client, path)
    link = confirm_link_in(messages_to(RESIDENT)[-1])
    follow_and_confirm(app, path, NEIGHBOUR)

    with time_machine.travel(utcnow() + timedelta(hours=services.CONFIRM_HOURS, minutes=1)):
        expired = app.test_client().get(link, follow_redirects=True)
        assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)
        summary = send_follower_updates()
    assert "Deleted 1 follow sign-ups never confirmed" in summary
    assert [f.email for f in follows()] == [NEIGHBOUR]
    assert messages_to(RESIDENT) == []
    assert app.test_client().get(link, follow_redirects=True).status_code == 404
