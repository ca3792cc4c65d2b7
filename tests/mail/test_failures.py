"""No bad e-mail stops the mail: a message that cannot be sent, however it fails, is recorded with the reason and
the rest of the batch goes on. One that sending again cannot mend (it cannot be written as an e-mail, or the mail
server refuses it or its recipient for good) is marked failed at once, never tried again; one that may go later
(the server away, a "try later" reply) is retried as before. Subjects are folded onto one line when queued.
All against a real SMTP server on loopback."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.mail.services import deliver_due_messages, deliver_due_messages_job, queue_message
from engage.scheduler.jobs import JOBS_BY_NAME
from engage.scheduler.models import JobRunStatus
from engage.scheduler.runner import run_job
from tests.conftest import CollectingHandler, serving_smtp
from tests.factories import sign_in
from tests.mail.test_outbox import NOTHING, clock, queued, reloaded  # noqa: F401 - the fixture, shared with these tests

LINE_BREAK_REFUSED = "Header values may not contain linefeed or carriage return characters"


class Refusing(CollectingHandler):
    """A mail server that refuses some recipients with the reply given for each, and any message whose subject
    holds "Refuse me" after it has been sent (as a spam filter would)."""

    def __init__(self, refusals: dict[str, str]) -> None:
        super().__init__()
        self.refusals = refusals

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if b"Refuse me" in envelope.content:
            return "554 5.7.1 Message refused as spam"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def refusing(app, monkeypatch):
    def serve(refusals: dict[str, str]):
        return serving_smtp(Refusing(refusals), app, monkeypatch)

    return serve


def legacy_message(subject: str, to_address: str = "lead@example.org") -> OutboxMessage:
    """A message written straight to the outbox, as one queued before subjects were folded was."""
    message = OutboxMessage(to_address=to_address, subject=subject, body_text="Written long ago.\n")
    db.session.add(message)
    db.session.commit()
    return message


def test_a_subject_with_line_breaks_is_folded_onto_one_line_when_queued_and_then_arrives(smtp_server):
    message = queue_message("resident@example.org", "Confirm you want e-mails about 'Urgent care\r\n redesign'\n",
                            "Body.\n")
    db.session.commit()
    assert reloaded(message).subject == "Confirm you want e-mails about 'Urgent care redesign'"

    assert deliver_due_messages() == {"sent": 1, "retrying": 0, "failed": 0}
    [received] = smtp_server.messages
    assert received["Subject"] == "Confirm you want e-mails about 'Urgent care redesign'"


def test_a_subject_built_from_a_very_long_title_is_cut_to_fit_and_still_arrives(smtp_server):
    # A title of any length once made a subject too long for its column: PostgreSQL refused the whole change.
    title = "Urgent care " * 100
    message = queue_message("resident@example.org", f"Record updated: {title}", "Body.\n")
    db.session.commit()
    subject = reloaded(message).subject
    assert len(subject) <= OutboxMessage.subject.type.length
    assert subject.startswith("Record updated: Urgent care Urgent care") and subject.endswith("\u2026")

    assert deliver_due_messages() == {"sent": 1, "retrying": 0, "failed": 0}
    [received] = smtp_server.messages
    assert received["Subject"] == subject


def test_a_message_that_cannot_be_written_as_an_e_mail_is_marked_failed_with_its_reason_and_the_rest_go(
        smtp_server, clock):  # noqa: F811 - the fixture imported above
    first = queued("Before it")[0]
    bad = legacy_message("Line one\r\nline two")
    after = queued("After it")[0]
    clock.stop()

    assert deliver_due_messages() == {"sent": 2, "retrying": 0, "failed": 1}

    assert sorted(received["Subject"] for received in smtp_server.messages) == ["After it", "Before it"]
    bad = reloaded(bad)
    assert bad.status is MessageStatus.FAILED
    assert bad.attempts == 1
    assert bad.last_error == ("Not sent, and will not be tried again: it could not be written as an e-mail "
                              f"(ValueError: {LINE_BREAK_REFUSED})")
    assert (bad.claim_token, bad.claimed_until) == (None, None), "not left claimed"
    assert reloaded(first).status is reloaded(after).status is MessageStatus.SENT

    clock.advance(days=2)
    assert deliver_due_messages() == NOTHING, "never tried again"
    assert reloaded(bad).attempts == 1


def test_a_recipient_the_mail_server_refuses_for_good_is_marked_failed_and_the_others_still_go(refusing):
    with refusing({"gone@example.org": "550 5.1.1 <gone@example.org>: no such user",
                   "left@example.net": "550 5.1.1 <left@example.net>: mailbox closed"}) as server:
        gone = queue_message("gone@example.org", "To nobody", "Body.\n")
        follower = queue_message("left@example.net", "To a follower who left", "Body.\n", private_recipient=True)
        [kept] = queued("To someone")

        assert deliver_due_messages() == {"sent": 1, "retrying": 0, "failed": 2}

        assert [received["Subject"] for received in server.messages] == ["To someone"]
    gone = reloaded(gone)
    assert gone.status is MessageStatus.FAILED and gone.attempts == 1
    assert gone.last_error == ("Not sent, and will not be tried again: the mail server refused the recipient "
                               "(550 5.1.1 <gone@example.org>: no such user)")
    follower = reloaded(follower)
    assert follower.status is MessageStatus.FAILED
    assert "left@example.net" not in follower.last_error
    assert "[the follower's address]" in follower.last_error
    assert reloaded(kept).status is MessageStatus.SENT


def test_a_message_the_mail_server_refuses_after_reading_it_is_marked_failed(refusing):
    with refusing({}) as server:
        spam, _fine = queued("Refuse me", "Fine")

        assert deliver_due_messages() == {"sent": 1, "retrying": 0, "failed": 1}

        assert [received["Subject"] for received in server.messages] == ["Fine"]
    assert reloaded(spam).status is MessageStatus.FAILED
    assert reloaded(spam).last_error == ("Not sent, and will not be tried again: the mail server refused it "
                                         "(554 5.7.1 Message refused as spam)")


def test_a_try_later_reply_or_a_dropped_connection_is_retried_and_the_next_message_still_goes(refusing, clock):  # noqa: F811
    with refusing({"busy@example.org": "450 4.2.1 Mailbox busy, try again later",
                   "closing@example.org": "421 4.3.2 Service shutting down"}) as server:
        busy = queue_message("busy@example.org", "Busy", "Body.\n")
        closing = queue_message("closing@example.org", "Closing", "Body.\n")
        [kept] = queued("Goes anyway")
        clock.stop()

        # The 421 reply closes the connection: the sender connects afresh for the next message.
        assert deliver_due_messages() == {"sent": 1, "retrying": 2, "failed": 0}

        assert [received["Subject"] for received in server.messages] == ["Goes anyway"]
        for message in (reloaded(busy), reloaded(closing)):
            assert message.status is MessageStatus.QUEUED
            assert message.attempts == 1
            assert message.next_attempt_at == clock.now + timedelta(minutes=1)
        assert reloaded(busy).last_error == ("the mail server refused the recipient for now "
                                             "(450 4.2.1 Mailbox busy, try again later)")

        server.refusals.clear()
        clock.advance(minutes=1)
        assert deliver_due_messages() == {"sent": 2, "retrying": 0, "failed": 0}
    assert reloaded(kept).status is MessageStatus.SENT


def test_the_deliver_mail_job_succeeds_and_says_what_it_gave_up_on(smtp_server):
    legacy_message("Bad\nsubject")
    queued("Good")

    run = run_job(JOBS_BY_NAME["deliver-mail"], "test-holder")

    assert run.status is JobRunStatus.SUCCEEDED
    assert run.summary == "Sent 1, will retry 0, gave up on 1."
    assert deliver_due_messages_job() == "Sent 0, will retry 0, gave up on 0."


def test_administrators_see_in_the_outbox_which_messages_failed_and_why(client, make, smtp_server):
    bad = legacy_message("Bad\r\nsubject")
    deliver_due_messages()
    sign_in(client, make.admin())

    index = client.get("/admin/outbox/").get_data(as_text=True)
    assert "Failed" in index
    assert "Not sent, and will not be tried again: it could not be written as an e-mail" in index

    page = client.get(f"/admin/outbox/{bad.id}").get_data(as_text=True)
    assert "Why it failed" in page
    assert LINE_BREAK_REFUSED in page
