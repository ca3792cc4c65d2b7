"""Counting failed sign-ins per account and per network address."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from engage.accounts.models import LoginFailure
from engage.security.rate_limit import Allowance, SlidingWindow


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


FAILED_SIGN_INS = SlidingWindow(LoginFailure, _window)


def _account_key(email: str) -> str:
    return "account:" + email.strip().lower()


def _keys(email: str, address: str | None) -> list[str]:
    keys = [_account_key(email)]
    if address:
        keys.append("address:" + address)
    return keys


def is_throttled(email: str, address: str | None) -> bool:
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    return FAILED_SIGN_INS.exceeded(Allowance(key, limit) for key in _keys(email, address))


def record_failure(email: str, address: str | None) -> None:
    FAILED_SIGN_INS.count(_keys(email, address))


def clear_account_failures(email: str) -> None:
    FAILED_SIGN_INS.forget(_account_key(email))


def forget_old_failures() -> int:
    """Delete the failures older than the window, which no longer count; returns how many."""
    return FAILED_SIGN_INS.forget_expired()
