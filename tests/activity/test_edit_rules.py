"""Who may change or unlock an activity, and until when, asked of activity.permissions directly: the pages
and the services both take their answer from there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from engage.accounts.models import Role, User
from engage.activity import permissions
from engage.activity.models import Activity

LOGGED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _logger(**fields) -> User:
    return User(id=41, role=Role.PARTNER, is_active=True, **fields)


def _activity(**fields) -> Activity:
    return Activity(logged_by_id=41, created_at=LOGGED, **fields)


def test_the_window_is_open_until_fourteen_days_after_logging_and_not_a_moment_later():
    activity = _activity()
    assert permissions.edit_window_ends(activity) == LOGGED + timedelta(days=14)
    with time_machine.travel(LOGGED + timedelta(days=14) - timedelta(seconds=1), tick=False):
        assert permissions.can_edit(_logger(), activity)
        assert not permissions.is_locked(activity)
    with time_machine.travel(LOGGED + timedelta(days=14), tick=False):
        assert not permissions.can_edit(_logger(), activity)
        assert permissions.is_locked(activity)


def test_only_the_active_person_who_logged_it_may_change_it():
    activity = _activity()
    with time_machine.travel(LOGGED + timedelta(days=1), tick=False):
        assert not permissions.can_edit(None, activity)
        assert not permissions.can_edit(User(id=42, role=Role.PARTNER, is_active=True), activity)
        assert not permissions.can_edit(User(id=41, role=Role.PARTNER, is_active=False), activity)
        assert permissions.is_logger(User(id=41, role=Role.PARTNER, is_active=False), activity)


def test_unlocking_extends_the_window_but_an_earlier_unlock_never_shortens_it():
    with time_machine.travel(LOGGED + timedelta(days=20), tick=False):
        until = permissions.unlocked_until()
        assert until == LOGGED + timedelta(days=34)
        assert permissions.edit_window_ends(_activity(unlocked_until=until)) == until
    early = LOGGED + timedelta(days=3)
    assert permissions.edit_window_ends(_activity(unlocked_until=early)) == LOGGED + timedelta(days=14)


def test_only_administrators_unlock():
    assert permissions.can_unlock(User(role=Role.ADMIN, is_active=True))
    assert not permissions.can_unlock(User(role=Role.LEAD, is_active=True))
    assert not permissions.can_unlock(None)
