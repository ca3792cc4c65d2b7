"""Counting failed sign-ins per account and per network address."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from engage.accounts.models import LoginFailure
from engage.database import utcnow
from engage.extensions import db
from engage.security.secrets import keyed_hash


def _keys(email: str, address: str | None) -> list[str]:
    keys = [keyed_hash("account:" + email.strip().lower())]
    if address:
        keys.append(keyed_hash("address:" + address))
    return keys


def _window_start():
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


def is_throttled(email: str, address: str | None) -> bool:
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    for key in _keys(email, address):
        count = db.session.scalar(
            select(func.count(LoginFailure.id)).where(
                LoginFailure.key_hash == key, LoginFailure.occurred_at >= _window_start()
            )
        )
        if count >= limit:
            return True
    return False


def record_failure(email: str, address: str | None) -> None:
    for key in _keys(email, address):
        db.session.add(LoginFailure(key_hash=key))


def clear_account_failures(email: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.key_hash == _keys(email, None)[0]))


def forget_old_failures() -> None:
    db.session.execute(delete(LoginFailure).where(or_(LoginFailure.occurred_at < _window_start())))
