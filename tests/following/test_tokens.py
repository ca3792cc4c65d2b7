"""The links in followers' e-mails: confirmation (single use, expiring, moved out of the address bar) and
unsubscribe (a page with a button, and RFC 8058 one-click POST without a CSRF token), each tampered with or used
again; unsubscribing deletes the address and the outbox's copies; the List-Unsubscribe headers as delivered."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from engage.audit.models import AuditEvent
from engage.database import utcnow
from engage.extensions import db
from engage.following import services
from engage.following.models import Follow
from engage.mail.services import deliver_due_messages
from tests.factories import csrf_token, tampered
from tests.following.conftest import (
    NEIGHBOUR,
    RESIDENT,
    confirm,
    confirm_link_in,
    follow_and_confirm,
    follow_path,
    messages_to,
    sign_up,
    unsubscribe_link_in,
)

pytestmark = pytest.mark.date_sensitive


def the_follow() -> Follow | None:
    db.session.expire_all()
    return db.session.scalar(select(Follow).where(Follow.email == RESIDENT))


def test_the_confirmation_link_moves_its_token_out_of_the_address_bar(app, client, world):
    sign_up(client, follow_path("engagement", world.completed.slug))
    link = confirm_link_in(messages_to(RESIDENT)[0])
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"] == "/follow/confirm"
    page = client.get("/follow/confirm")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"


def test_a_tampered_confirmation_link_gets_a_plain_page_and_changes_nothing(app, client, world):
    sign_up(client, follow_path("engagement", world.completed.slug))
    link = confirm_link_in(messages_to(RESIDENT)[0])
    browser = app.test_client()
    page = browser.get(tampered(link), follow_redirects=True)
    assert page.status_code == 404
    assert "This link does not work" in page.get_data(as_text=True)
    token = csrf_token(browser, follow_path("engagement", world.completed.slug))
    assert browser.post("/follow/confirm", data={"csrf_token": token}).status_code == 404
    assert the_follow().confirmed_at is None


def test_a_confirmation_link_used_again_says_so_and_changes_nothing(app, client, world):
    sign_up(client, follow_path("engagement", world.completed.slug))
    message = messages_to(RESIDENT)[0]
    confirm(app.test_client(), message)
    confirmed_at = the_follow().confirmed_at
    again = app.test_client().get(confirm_link_in(message), follow_redirects=True)
    assert again.status_code == 200
    assert "You have already confirmed" in again.get_data(as_text=True)
    assert the_follow().confirmed_at == confirmed_at
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "following.confirmed")).all()
    assert len(events) == 1


def test_an_expired_confirmation_link_gets_a_plain_page_and_confirms_nothing(app, client, world):
    sign_up(client, follow_path("engagement", world.completed.slug))
    link = confirm_link_in(messages_to(RESIDENT)[0])
    with time_machine.travel(utcnow() + timedelta(hours=services.CONFIRM_HOURS, seconds=5)):
        browser = app.test_client()
        page = browser.get(link, follow_redirects=True)
        assert page.status_code == 410
        assert "This link has expired" in page.get_data(as_text=True)
        token = csrf_token(browser, follow_path("engagement", world.completed.slug))
        assert browser.post("/follow/confirm", data={"csrf_token": token}).status_code == 410
    assert the_follow().confirmed_at is None


def test_the_unsubscribe_link_shows_a_button_and_the_button_deletes_the_address_and_its_emails(app, world):
    follow_and_confirm(app, follow_path("theme", world.theme.slug))
    follow_and_confirm(app, follow_path("theme", world.theme.slug), NEIGHBOUR)
    link = unsubscribe_link_in(messages_to(RESIDENT)[0])
    browser = app.test_client()
    page = browser.get(link)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert f"Stop e-mails about engagements about {world.theme.name}" in text
    assert "Stop these e-mails</button>" in text and RESIDENT not in text
    assert the_follow() is not None, "opening the link alone changes nothing"

    done = browser.post(link)
    assert done.status_code == 200
    assert "You will not get any more e-mails" in done.get_data(as_text=True)
    assert the_follow() is None
    assert messages_to(RESIDENT) == [], "the outbox keeps no copy of what was sent to the address"
    assert messages_to(NEIGHBOUR), "another follower is untouched"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "following.unsubscribed"))
    assert event is not None and RESIDENT not in str(event.data)


def test_one_click_unsubscribe_is_a_post_without_csrf_token_or_cookies(app, world):
    follow_and_confirm(app, follow_path("engagement", world.completed.slug))
    link = unsubscribe_link_in(messages_to(RESIDENT)[0])
    mail_program = app.test_client(use_cookies=False)
    response = mail_program.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert the_follow() is None


def test_a_tampered_or_reused_unsubscribe_link_gets_a_plain_page_and_changes_nothing(app, world):
    follow_and_confirm(app, follow_path("engagement", world.completed.slug))
    follow_and_confirm(app, follow_path("engagement", world.completed.slug), NEIGHBOUR)
    link = unsubscribe_link_in(messages_to(RESIDENT)[0])
    browser = app.test_client()
    for method in (browser.get, browser.post):
        response = method(tampered(link))
        assert response.status_code == 404
        assert "This link does not work" in response.get_data(as_text=True)
    assert the_follow() is not None

    assert browser.post(link).status_code == 200
    for method in (browser.get, browser.post):
        reused = method(link)
        assert reused.status_code == 404
        assert "You may have already stopped these e-mails" in reused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Follow).where(Follow.email == NEIGHBOUR)) is not None
    # The token is needed: the address alone finds nothing.
    assert browser.post("/follow/unsubscribe/").status_code == 404


def test_every_email_to_a_follower_carries_list_unsubscribe_and_one_click_headers_as_delivered(
        app, world, smtp_server):
    follow_and_confirm(app, follow_path("engagement", world.completed.slug))
    deliver_due_messages()
    [delivered] = smtp_server.messages
    link = unsubscribe_link_in(messages_to(RESIDENT)[0])
    raw = dict(delivered.raw_items())
    # Written as the address itself, on one line, not as an encoded word a mail program could not use.
    assert raw["List-Unsubscribe"] == f"<http://localhost{link}>"
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in delivered.get_content()
    # What a mail program does with the header: POST to it.
    assert app.test_client(use_cookies=False).post(
        raw["List-Unsubscribe"].strip("<>").removeprefix("http://localhost"),
        data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert the_follow() is None
