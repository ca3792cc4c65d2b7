"""A title saved with a line break before one-line fields refused it cannot stop the mail: residents' sign-ups to
follow it get confirmations with the subject on one line, a message that can never be sent is marked failed with
its reason, and everything after it, sign-in codes included, is still delivered. Through the real pages and a real
SMTP server on loopback."""

from __future__ import annotations

import re

from sqlalchemy import update

from engage.engagements.models import Engagement
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.scheduler.jobs import JOBS_BY_NAME
from engage.scheduler.models import JobRunStatus
from engage.scheduler.runner import run_job
from tests.factories import PASSWORD, csrf_token
from tests.following.conftest import follow_path, sign_up


def deliver_mail() -> None:
    run = run_job(JOBS_BY_NAME["deliver-mail"], "test-holder")
    assert run.status is JobRunStatus.SUCCEEDED, run.summary


def test_six_sign_ups_to_a_title_stored_on_two_lines_do_not_stop_sign_in_codes(app, world, make, smtp_server):
    # Legacy data: a title saved with a line break, and an e-mail queued with it as its subject before subjects
    # were folded, both written straight to the database.
    db.session.execute(update(Engagement).where(Engagement.id == world.completed.id)
                       .values(title="Urgent care\r\nredesign"))
    stuck = OutboxMessage(to_address="lead@example.org", subject="Confirm you want e-mails about 'Urgent care\r\n"
                          "redesign'", body_text="Queued long ago.\n")
    db.session.add(stuck)
    db.session.commit()

    path = follow_path("engagement", world.completed.slug)
    for n in range(6):
        assert sign_up(app.test_client(), path, f"resident{n}@example.net").status_code == 302
    lead = make.lead()
    browser = app.test_client()
    signing_in = browser.post("/sign-in", data={"email": lead.email, "password": PASSWORD,
                                                "csrf_token": csrf_token(browser, "/sign-in")})
    assert signing_in.headers["Location"].endswith("/sign-in/code")

    deliver_mail()

    subjects = [received["Subject"] for received in smtp_server.messages]
    assert subjects.count("Confirm you want e-mails about 'Urgent care redesign'") == 6
    [code_email] = [received for received in smtp_server.messages if received["To"] == lead.email]
    code = re.search(r"\b(\d{6})\b", code_email.get_content()).group(1)
    signed_in = browser.post("/sign-in/code", data={"code": code, "csrf_token": csrf_token(browser, "/sign-in/code")})
    assert signed_in.status_code == 302 and not signed_in.headers["Location"].startswith("/sign-in")

    db.session.expire_all()
    stuck = db.session.get(OutboxMessage, stuck.id)
    assert stuck.status is MessageStatus.FAILED
    assert stuck.claim_token is None
    assert "could not be written as an e-mail" in stuck.last_error
    assert "linefeed or carriage return" in stuck.last_error
