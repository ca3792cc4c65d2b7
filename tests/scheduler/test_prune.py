"""The prune job deletes what is no longer needed, and nothing that still is."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.accounts.models import AccountToken, LoginFailure, TokenPurpose, UserSession
from engage.database import utcnow
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.scheduler.models import JobRun, JobRunStatus
from engage.scheduler.prune import prune

pytestmark = pytest.mark.date_sensitive


def ago(**delta: float):
    return utcnow() - timedelta(**delta)


def named(model, label_column, rows: dict[str, dict]) -> None:
    for label, fields in rows.items():
        db.session.add(model(**{label_column: label}, **fields))
    db.session.commit()


def remaining(column) -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(column)))


def test_prune_deletes_only_what_is_no_longer_needed(make):
    user = make.partner()
    named(LoginFailure, "key_hash", {
        "recent failure": {"occurred_at": ago(minutes=5)},
        "old failure": {"occurred_at": ago(minutes=16)},
    })
    sessions = {
        "live": {"created_at": ago(hours=1), "last_seen_at": ago(minutes=1), "ended_at": None},
        "ended yesterday": {"ended_at": ago(days=1)},
        "ended last month": {"ended_at": ago(days=30)},
        "abandoned": {"created_at": ago(days=9), "last_seen_at": ago(days=8), "ended_at": None},
    }
    named(UserSession, "end_reason", {label: {"user_id": user.id, "token_hash": secrets.token_hex(16), **fields}
                                      for label, fields in sessions.items()})
    tokens = {
        "live": {"expires_at": ago(days=-1), "used_at": None},
        "used yesterday": {"expires_at": ago(days=-1), "used_at": ago(days=1)},
        "used long ago": {"expires_at": ago(days=20), "used_at": ago(days=21)},
        "expired long ago": {"expires_at": ago(days=8), "used_at": None},
        "expired yesterday": {"expires_at": ago(days=1), "used_at": None},
    }
    named(AccountToken, "token_hash", {label: {"user_id": user.id, "purpose": TokenPurpose.PASSWORD_RESET, **fields}
                                       for label, fields in tokens.items()})
    mail = {
        "sent 91 days ago": {"status": MessageStatus.SENT, "sent_at": ago(days=91)},
        "sent 89 days ago": {"status": MessageStatus.SENT, "sent_at": ago(days=89)},
        "waiting since long ago": {"status": MessageStatus.QUEUED, "created_at": ago(days=200)},
        "failed long ago": {"status": MessageStatus.FAILED, "created_at": ago(days=200)},
    }
    named(OutboxMessage, "subject", {label: {"to_address": "someone@example.org", "body_text": "x", **fields}
                                     for label, fields in mail.items()})
    runs = {
        "finished 31 days ago": {"status": JobRunStatus.SUCCEEDED, "finished_at": ago(days=31)},
        "finished 29 days ago": {"status": JobRunStatus.FAILED, "finished_at": ago(days=29)},
        "running": {"status": JobRunStatus.RUNNING, "started_at": ago(days=40), "finished_at": None},
    }
    named(JobRun, "summary", {label: {"job_name": "deliver-mail", "holder": "here", **fields}
                              for label, fields in runs.items()})

    summary = prune()

    assert summary == ("Deleted 1 old failed sign-ins, 2 ended sessions, 2 used or expired account links and codes, "
                       "1 e-mails sent over 90 days ago, 1 job runs finished over 30 days ago.")
    assert remaining(LoginFailure.key_hash) == ["recent failure"]
    assert remaining(UserSession.end_reason) == ["ended yesterday", "live"]
    assert remaining(AccountToken.token_hash) == ["expired yesterday", "live", "used yesterday"]
    assert remaining(OutboxMessage.subject) == ["failed long ago", "sent 89 days ago", "waiting since long ago"]
    assert remaining(JobRun.summary) == ["finished 29 days ago", "running"]
    assert prune().startswith("Deleted 0 old failed sign-ins, 0 ended sessions, 0 used")
