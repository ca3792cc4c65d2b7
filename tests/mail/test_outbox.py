"""The outbox: messages delivered through a real SMTP server, retried with back-off while it is down,
given up on after the configured number of attempts, and kept for administrators without one."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engage.accounts import services as accounts
from engage.accounts.models import Role
from engage.database import utcnow
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.mail.services import deliver_due_messages, queue_message
from tests.conftest import free_port
from tests.factories import code_in, latest_message_to, link_in, sign_in

NOTHING = {"sent": 0, "retrying": 0, "failed": 0}


class Clock:
    """The delivery code's clock, moved on by the test instead of waiting minutes for a retry.

    It keeps real time until stopped, so that messages queued before then are already due."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now or utcnow()

    def stop(self) -> None:
        self.now = utcnow()

    def advance(self, **delta: float) -> None:
        assert self.now is not None, "stop the clock first"
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("engage.mail.services.utcnow", clock)
    return clock


@pytest.fixture
def smtp_down(app, smtp_server, monkeypatch):
    """Points the app at a loopback port where nothing listens; `bring_up()` points it back at the server."""
    server_port = app.config["SMTP_PORT"]
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())

    class Switch:
        @staticmethod
        def bring_up() -> None:
            app.config["SMTP_PORT"] = server_port

    return Switch()


def queued(*subjects: str) -> list[OutboxMessage]:
    messages = [queue_message(f"person{n}@example.org", subject, f"Body of {subject}.\n")
                for n, subject in enumerate(subjects, start=1)]
    db.session.commit()
    return messages


def reloaded(message: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


def test_a_queued_message_arrives_at_the_smtp_server_and_is_marked_sent(app, smtp_server):
    body = "Hello,\n\nYou said the café closes too early. We changed the hours.\n"
    message = queue_message("resident@example.org", "Café update: what we did", body)
    db.session.commit()

    assert deliver_due_messages() == {"sent": 1, "retrying": 0, "failed": 0}

    [received] = smtp_server.messages
    assert received["To"] == "resident@example.org"
    assert received["From"] == app.config["MAIL_FROM"]
    assert received["Subject"] == "Café update: what we did"
    # SMTP carries lines ending CRLF.
    assert received.get_content().replace("\r\n", "\n") == body
    message = reloaded(message)
    assert message.status is MessageStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.last_error is None


def test_delivering_twice_sends_each_message_once(smtp_server):
    queued("First", "Second")

    assert deliver_due_messages()["sent"] == 2
    assert deliver_due_messages() == NOTHING

    assert sorted(received["Subject"] for received in smtp_server.messages) == ["First", "Second"]


def test_a_message_queued_with_a_change_that_is_rolled_back_is_never_sent(smtp_server):
    queue_message("resident@example.org", "Never happened", "This change was abandoned.\n")
    db.session.rollback()

    assert deliver_due_messages() == NOTHING
    assert smtp_server.messages == []
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_while_smtp_is_down_messages_stay_queued_and_back_off_then_go_once_it_is_up_and_due(
        smtp_server, smtp_down, clock):
    first, second = queued("First", "Second")
    clock.stop()

    assert deliver_due_messages() == {"sent": 0, "retrying": 2, "failed": 0}
    for message in (reloaded(first), reloaded(second)):
        assert message.status is MessageStatus.QUEUED
        assert message.attempts == 1
        assert message.next_attempt_at == clock.now + timedelta(minutes=1)
        assert message.last_error.startswith("could not connect")

    assert deliver_due_messages() == NOTHING, "a message is not retried before its time"
    assert reloaded(first).attempts == 1

    clock.advance(minutes=1)
    assert deliver_due_messages()["retrying"] == 2
    assert reloaded(first).attempts == 2
    assert reloaded(first).next_attempt_at == clock.now + timedelta(minutes=2), "the wait doubles"

    smtp_down.bring_up()
    clock.advance(minutes=1)
    assert deliver_due_messages() == NOTHING, "the server is back, but the retry is not yet due"
    assert smtp_server.messages == []

    clock.advance(minutes=1)
    assert deliver_due_messages() == {"sent": 2, "retrying": 0, "failed": 0}
    assert sorted(received["Subject"] for received in smtp_server.messages) == ["First", "Second"]
    first = reloaded(first)
    assert first.status is MessageStatus.SENT
    assert first.attempts == 3
    assert first.last_error is None


def test_after_the_maximum_number_of_attempts_a_message_is_marked_failed_and_never_sent(
        app, smtp_server, smtp_down, clock, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    [message] = queued("Undeliverable")
    clock.stop()

    assert deliver_due_messages()["retrying"] == 1
    clock.advance(minutes=1)
    assert deliver_due_messages()["retrying"] == 1
    clock.advance(minutes=2)
    assert deliver_due_messages() == {"sent": 0, "retrying": 0, "failed": 1}

    message = reloaded(message)
    assert message.status is MessageStatus.FAILED
    assert message.attempts == 3

    smtp_down.bring_up()
    clock.advance(days=1)
    assert deliver_due_messages() == NOTHING
    assert smtp_server.messages == []
    assert reloaded(message).status is MessageStatus.FAILED


def test_without_smtp_messages_are_kept_and_an_administrator_can_read_them(client, make):
    [message] = queued("Kept for reading")
    assert deliver_due_messages() == NOTHING
    assert reloaded(message).status is MessageStatus.QUEUED
    assert reloaded(message).attempts == 0

    sign_in(client, make.admin())
    index = client.get("/admin/outbox/").get_data(as_text=True)
    assert "No mail server is set up, so e-mails are kept here instead of being sent." in index
    assert "Kept for reading" in index
    assert "person1@example.org" in index
    assert "Waiting (kept)" in index

    page = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert '<pre class="engage-email-body" id="email-body">Body of Kept for reading.\n</pre>' in page


def test_without_smtp_an_administrator_can_read_even_sign_in_codes_and_invitations(client, make):
    admin = make.admin()
    sign_in(client, admin)
    invitee = accounts.invite_user(email="new.partner@example.org", name="New Partner", role=Role.PARTNER,
                                   organisation=make.organisation(), actor=admin)
    db.session.commit()
    invitation = latest_message_to(invitee.email)

    page = client.get(f"/admin/outbox/{invitation.id}").get_data(as_text=True)
    assert link_in(invitation) in page


def test_once_smtp_is_configured_sign_in_codes_and_invitation_links_are_hidden_from_administrators(
        client, make, smtp_server):
    admin = make.admin()
    sign_in(client, admin)
    code_message = latest_message_to(admin.email)
    invitee = accounts.invite_user(email="new.partner@example.org", name="New Partner", role=Role.PARTNER,
                                   organisation=make.organisation(), actor=admin)
    [ordinary] = queued("Nothing secret")
    invitation = latest_message_to(invitee.email)

    for message, secret in ((code_message, code_in(code_message)), (invitation, link_in(invitation))):
        page = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
        assert secret not in page
        assert "This e-mail holds a sign-in link or code, so only its recipient can read it." in page
        assert 'id="email-body"' not in page

    page = client.get(f"/admin/outbox/{ordinary.id}").get_data(as_text=True)
    assert "Body of Nothing secret." in page
    index = client.get("/admin/outbox/").get_data(as_text=True)
    assert "E-mails are delivered through the mail server." in index


def test_only_administrators_can_read_the_outbox(client, make):
    [message] = queued("Private")
    assert client.get("/admin/outbox/").headers["Location"].startswith("/sign-in")
    sign_in(client, make.partner())
    assert client.get("/admin/outbox/").status_code == 403
    assert client.get(f"/admin/outbox/{message.id}").status_code == 403


def test_the_mail_deliver_command_sends_what_is_due(app, smtp_server):
    queued("From the command line")

    result = app.test_cli_runner().invoke(args=["mail", "deliver"])

    assert result.exit_code == 0, result.output
    assert result.output == "Sent 1, will retry 0, gave up on 0.\n"
    assert [received["Subject"] for received in smtp_server.messages] == ["From the command line"]


def test_the_mail_deliver_command_refuses_without_smtp_and_keeps_the_messages(app):
    [message] = queued("Stays here")

    result = app.test_cli_runner().invoke(args=["mail", "deliver"])

    assert result.exit_code == 1
    assert "SMTP_HOST is not set: messages stay in the outbox for administrators to read." in result.output
    assert reloaded(message).status is MessageStatus.QUEUED
