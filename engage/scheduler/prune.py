"""The prune job: deletes records the service no longer needs, so personal data is not kept longer than it
is useful (the privacy notice's promise) and the tables that grow with every sign-in stay small."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, delete, or_

from engage.accounts import throttle
from engage.accounts.models import AccountToken, UserSession
from engage.database import utcnow
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.scheduler.models import JobRun

# Ended sessions and spent links are kept a week, so "this link has already been used" can still be told
# and a recent sign-out can be looked into; sent e-mails are kept for administrators for 90 days.
GRACE = timedelta(days=7)
SENT_MAIL_KEPT = timedelta(days=90)
# The jobs that run every minute add over a thousand runs a day; a month is enough to see what went wrong.
JOB_RUNS_KEPT = timedelta(days=30)


def prune() -> str:
    now = utcnow()
    week_ago = now - GRACE
    failures = throttle.forget_old_failures()
    sessions = delete(UserSession).where(or_(
        UserSession.ended_at < week_ago,
        # Never ended, but unused for a week, long past the idle time-out: it can never be used again. This
        # also covers those past the absolute time-out, as a session is only seen while within it.
        and_(UserSession.ended_at.is_(None), UserSession.last_seen_at < week_ago),
    ))
    tokens = delete(AccountToken).where(or_(AccountToken.used_at < week_ago, AccountToken.expires_at < week_ago))
    mail = delete(OutboxMessage).where(OutboxMessage.status == MessageStatus.SENT,
                                       OutboxMessage.sent_at < now - SENT_MAIL_KEPT)
    runs = delete(JobRun).where(JobRun.finished_at < now - JOB_RUNS_KEPT)
    counts = [failures] + [db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
                           for statement in (sessions, tokens, mail, runs)]
    db.session.commit()
    return ("Deleted {} old failed sign-ins, {} ended sessions, {} used or expired account links and codes, "
            "{} e-mails sent over 90 days ago, {} job runs finished over 30 days ago.").format(*counts)
