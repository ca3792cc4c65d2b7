"""The sliding-window limit both failed sign-ins and follow sign-ups are counted with, on a real table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from engage.accounts.models import LoginFailure
from engage.extensions import db
from engage.security.rate_limit import Allowance, SlidingWindow
from engage.security.secrets import keyed_hash

START = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)
LIMIT = SlidingWindow(LoginFailure, lambda: WINDOW)


def _count_at(*minutes: int, key: str = "account:ann@example.org") -> None:
    for minute in minutes:
        LIMIT.count([key], at=START + timedelta(minutes=minute))
    db.session.commit()


def test_a_key_is_over_its_allowance_once_counted_that_often_within_the_window_and_free_when_the_oldest_leaves():
    _count_at(0, 4, 9)
    allowance = [Allowance("account:ann@example.org", 3)]
    with time_machine.travel(START + timedelta(minutes=10), tick=False):
        assert LIMIT.exceeded(allowance)
        assert LIMIT.retry_at(allowance) == START + WINDOW
        assert not LIMIT.exceeded([Allowance("account:ann@example.org", 4)])
        assert LIMIT.retry_at([Allowance("account:ann@example.org", 4)]) is None
    with time_machine.travel(START + WINDOW, tick=False):  # exactly a window on, the first still counts
        assert LIMIT.exceeded(allowance)
    with time_machine.travel(START + WINDOW + timedelta(seconds=1), tick=False):
        assert not LIMIT.exceeded(allowance)
        assert LIMIT.retry_at(allowance) is None


def test_the_latest_wait_of_several_keys_is_the_one_given_and_other_keys_do_not_count():
    _count_at(0, 1, key="address:192.0.2.1")
    _count_at(5, 6, key="account:ann@example.org")
    _count_at(7, 8, 9, key="account:bob@example.org")
    with time_machine.travel(START + timedelta(minutes=10), tick=False):
        assert LIMIT.retry_at([Allowance("address:192.0.2.1", 2), Allowance("account:ann@example.org", 2)]) == \
            START + timedelta(minutes=5) + WINDOW
        assert not LIMIT.exceeded([Allowance("account:ann@example.org", 3)])


def test_keys_are_stored_only_as_keyed_hashes_and_can_be_forgotten():
    _count_at(0, key="account:ann@example.org")
    _count_at(1, key="address:192.0.2.1")
    assert set(db.session.scalars(select(LoginFailure.key_hash))) == {
        keyed_hash("account:ann@example.org"), keyed_hash("address:192.0.2.1")}

    LIMIT.forget("account:ann@example.org")
    db.session.commit()

    assert list(db.session.scalars(select(LoginFailure.key_hash))) == [keyed_hash("address:192.0.2.1")]


def test_only_what_no_longer_counts_is_deleted_as_expired():
    _count_at(0, 1, 2, 14)
    with time_machine.travel(START + WINDOW + timedelta(minutes=1, seconds=30), tick=False):
        assert LIMIT.forget_expired() == 2
        db.session.commit()
    db.session.expire_all()
    assert sorted(db.session.scalars(select(LoginFailure.occurred_at))) == [
        START + timedelta(minutes=2), START + timedelta(minutes=14)]
