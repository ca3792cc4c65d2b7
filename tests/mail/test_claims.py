"""Delivery that is safe to repeat: one message per idempotency key, each message claimed before it is sent
so that two senders never both send it, a sender killed half way leaving nothing lost and nothing sent twice,
and the same Message-ID on every attempt. All against a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select, update

from engage.database import utcnow
from engage.extensions import db
from engage.mail import services
from engage.mail.models import MessageStatus, OutboxMessage
from engage.mail.services import claim, deliver_due_messages, deliver_due_messages_job, queue_message
from tests.conftest import serving_smtp

pytestmark = pytest.mark.date_sensitive

ROOT = Path(__file__).resolve().parents[2]


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def reloaded(message_id: int) -> OutboxMessage:
    db.session.rollback()
    return db.session.get_one(OutboxMessage, message_id, populate_existing=True)


def test_queueing_twice_with_one_idempotency_key_gives_one_message():
    first = queue_message("lead@example.org", "Milestone due", "Due soon.\n", idempotency_key="milestone:7:due")
    db.session.commit()
    again = queue_message("lead@example.org", "Milestone due", "Due soon.\n", idempotency_key="milestone:7:due")
    db.session.commit()
    other = queue_message("lead@example.org", "Milestone overdue", "Overdue.\n", idempotency_key="milestone:7:late")
    db.session.commit()

    assert again.id == first.id
    assert other.id != first.id
    assert count() == 2


def test_a_keyed_message_queued_with_a_change_that_is_rolled_back_is_gone_and_can_be_queued_again():
    queue_message("lead@example.org", "Never", "Abandoned.\n", idempotency_key="occasion")
    db.session.rollback()
    assert count() == 0

    queue_message("lead@example.org", "Now", "Kept.\n", idempotency_key="occasion")
    db.session.commit()
    assert db.session.scalars(select(OutboxMessage.subject)).all() == ["Now"]


def test_callers_racing_to_queue_the_same_occasion_queue_one_message(app):
    start = threading.Barrier(6)
    ids: list[int] = []
    errors: list[BaseException] = []

    def queue() -> None:
        try:
            with app.app_context():
                start.wait()
                message = queue_message("lead@example.org", "Once", "Only once.\n", idempotency_key="race")
                db.session.commit()
                ids.append(message.id)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=queue) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(ids)) == 1 and len(ids) == 6
    assert count() == 1


def queued(n: int) -> list[int]:
    messages = [queue_message(f"person{i}@example.org", f"Message {i}", f"Body {i}.\n") for i in range(n)]
    db.session.commit()
    return [message.id for message in messages]


def test_two_senders_at_once_send_every_message_exactly_once(app, smtp_server):
    queued(20)
    start = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def send() -> None:
        with app.app_context():
            start.wait()
            results.append(deliver_due_messages())

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(result["sent"] for result in results) == 20
    subjects = [received["Subject"] for received in smtp_server.messages]
    assert sorted(subjects) == sorted(f"Message {i}" for i in range(20))
    assert db.session.scalars(select(OutboxMessage.status).distinct()).all() == [MessageStatus.SENT]


def test_a_message_claimed_by_a_sender_that_died_is_sent_once_after_the_claim_lapses(smtp_server):
    [message_id] = queued(1)
    with time_machine.travel(utcnow(), tick=False) as traveller:
        assert claim(message_id) is not None  # then the sender is killed: it never sends nor marks
        assert claim(message_id) is None, "a live claim cannot be taken"

        assert deliver_due_messages() == {"sent": 0, "retrying": 0, "failed": 0}
        traveller.shift(timedelta(seconds=services.CLAIM_SECONDS - 1))
        assert deliver_due_messages()["sent"] == 0
        assert smtp_server.messages == []

        traveller.shift(timedelta(seconds=2))
        assert deliver_due_messages()["sent"] == 1
        assert deliver_due_messages()["sent"] == 0
    assert [received["Subject"] for received in smtp_server.messages] == ["Message 0"]
    sent = reloaded(message_id)
    assert (sent.status, sent.attempts, sent.claim_token, sent.claimed_until) == (MessageStatus.SENT, 1, None, None)


class ScriptedHandler:
    """An SMTP server's handler that answers each message as the test says: refuse, hang until released,
    or accept (the default). Every message it is given is kept in `offered`; accepted ones in `messages`."""

    def __init__(self) -> None:
        self.answers: list[str] = []
        self.offered: list = []
        self.messages: list = []
        self.hanging = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        received = message_from_bytes(envelope.content, policy=default)
        self.offered.append(received)
        answer = self.answers.pop(0) if self.answers else "accept"
        if answer == "hang":
            self.hanging.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Gave up waiting"
        if answer != "accept":
            return answer
        self.messages.append(received)
        return "250 Message accepted for delivery"


@pytest.fixture
def scripted_smtp(app, monkeypatch):
    with serving_smtp(ScriptedHandler(), app, monkeypatch) as handler:
        try:
            yield handler
        finally:
            handler.release.set()  # before the server stops


class TakenOverHandler(ScriptedHandler):
    """Accepts each message, but while it does, another sender (whose turn came when this sender's claim
    lapsed) claims the message for itself: as if this sender had been paused past its claim."""

    def __init__(self, engine, message_id: int) -> None:
        super().__init__()
        self.engine, self.message_id = engine, message_id

    async def handle_DATA(self, server, session, envelope):
        with self.engine.begin() as connection:
            connection.execute(update(OutboxMessage).where(OutboxMessage.id == self.message_id).values(
                claim_token="the other sender", claimed_until=utcnow() + timedelta(minutes=1)))
        return await super().handle_DATA(server, session, envelope)


def test_a_sender_whose_claim_lapsed_while_sending_leaves_the_message_to_the_sender_that_took_it_over(
        app, monkeypatch):
    [message_id] = queued(1)
    with serving_smtp(TakenOverHandler(db.engine, message_id), app, monkeypatch) as handler:
        deliver_due_messages()

    assert len(handler.messages) == 1
    taken = reloaded(message_id)
    # Nothing of the slow sender's outcome is saved over the claim of the sender that now holds the message.
    assert (taken.status, taken.attempts, taken.sent_at, taken.claim_token) == (
        MessageStatus.QUEUED, 0, None, "the other sender")


def test_a_refusing_server_gets_the_message_again_after_the_back_off_with_the_same_message_id(scripted_smtp):
    [message_id] = queued(1)
    scripted_smtp.answers = ["451 4.3.0 Try again later", "452 4.3.1 Still busy"]
    with time_machine.travel(utcnow(), tick=False) as traveller:
        assert deliver_due_messages() == {"sent": 0, "retrying": 1, "failed": 0}
        waiting = reloaded(message_id)
        assert waiting.next_attempt_at == utcnow() + timedelta(minutes=1)
        assert "Try again later" in waiting.last_error

        traveller.shift(timedelta(seconds=59))
        assert deliver_due_messages()["retrying"] == 0, "not before its time"
        traveller.shift(timedelta(seconds=1))
        assert deliver_due_messages()["retrying"] == 1
        assert reloaded(message_id).next_attempt_at == utcnow() + timedelta(minutes=2), "the wait doubles"

        traveller.shift(timedelta(minutes=2))
        assert deliver_due_messages()["sent"] == 1
    assert len(scripted_smtp.offered) == 3 and len(scripted_smtp.messages) == 1
    message_ids = {offered["Message-ID"] for offered in scripted_smtp.offered}
    assert len(message_ids) == 1
    assert message_ids.pop().endswith("@example.org>")
    assert reloaded(message_id).attempts == 3


def test_a_sender_process_killed_half_way_through_sending_loses_nothing_and_the_rerun_sends_each_once(
        app, scripted_smtp, database_url):
    """A real `flask scheduler run-job deliver-mail` is killed while the server holds its first message; the next
    run, once the claim has lapsed, sends every message, each exactly once."""
    ids = queued(3)
    # The command runs in a process of its own, on the machine's real clock, whatever clock this test has: the
    # messages are made due long ago, so they are due for it too.
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                       .values(next_attempt_at=datetime(2000, 1, 1, tzinfo=UTC)))
    db.session.commit()
    scripted_smtp.answers = ["hang"]
    environment = {**os.environ, "ENGAGE_ENV": "development", "DATABASE_URL": database_url,
                   "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(app.config["SMTP_PORT"])}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run-job",
                                "deliver-mail"], cwd=ROOT, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert scripted_smtp.hanging.wait(60), process.communicate(timeout=5)[0]
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    scripted_smtp.release.set()

    first = reloaded(ids[0])
    assert first.status is MessageStatus.QUEUED and first.claim_token is not None, "claimed, never marked"
    assert [reloaded(i).claim_token for i in ids[1:]] == [None, None], "claimed one at a time"
    assert scripted_smtp.messages == []

    # While the killed process's claim holds (it was made on the real clock): the claimed one waits.
    with time_machine.travel(first.claimed_until - timedelta(minutes=1), tick=False):
        assert deliver_due_messages() == {"sent": 2, "retrying": 0, "failed": 0}, "the claimed one waits"
    with time_machine.travel(first.claimed_until + timedelta(seconds=1), tick=False):
        assert deliver_due_messages() == {"sent": 1, "retrying": 0, "failed": 0}
        assert deliver_due_messages() == {"sent": 0, "retrying": 0, "failed": 0}

    subjects = sorted(received["Subject"] for received in scripted_smtp.messages)
    assert subjects == ["Message 0", "Message 1", "Message 2"]
    assert [reloaded(i).status for i in ids] == [MessageStatus.SENT] * 3
    assert reloaded(ids[0]).attempts == 1


def test_the_deliver_mail_job_sends_what_is_due_and_says_what_it_did(smtp_server):
    queued(2)
    assert deliver_due_messages_job() == "Sent 2, will retry 0, gave up on 0."
    assert len(smtp_server.messages) == 2


def test_without_a_mail_server_the_deliver_mail_job_keeps_the_messages_and_says_so():
    [message_id] = queued(1)
    assert deliver_due_messages_job() == ("No mail server is set (SMTP_HOST), so e-mails stay in the outbox for "
                                          "administrators to read: 1 waiting.")
    assert reloaded(message_id).attempts == 0
