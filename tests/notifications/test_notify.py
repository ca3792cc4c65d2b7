"""notify(): one notification per key, whoever calls it and however often, sent as the person chose."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from engage.accounts.models import User
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.notifications.models import Frequency, Notification, NotificationPreference
from engage.notifications.services import notify
from tests.factories import Factories
from tests.notifications.conftest import run_together

pytestmark = pytest.mark.date_sensitive


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _notify(user, key: str = "test:1", kind: str = "broken_link"):
    return notify(user, kind=kind, key=key, subject="A link has stopped working",
                  body="The link to your report no longer works.")


def test_immediate_by_default_queues_an_email_with_the_footer(make: Factories) -> None:
    user = make.lead()
    notification = _notify(user)
    db.session.commit()
    assert notification.frequency is Frequency.IMMEDIATE
    message = db.session.get(OutboxMessage, notification.outbox_message_id)
    assert message.to_address == user.email
    assert message.subject == "A link has stopped working"
    assert message.body_text.startswith("The link to your report no longer works.")
    assert "We e-mail you when a link to an output of an engagement you lead has stopped working." in message.body_text
    assert message.body_text.rstrip().endswith("Choose which e-mails you get: http://localhost/account/notifications")


def test_the_same_key_notifies_once(make: Factories) -> None:
    user = make.lead()
    assert _notify(user) is not None
    db.session.commit()
    assert _notify(user) is None
    db.session.commit()
    assert _count(Notification) == 1
    assert _count(OutboxMessage) == 1


def test_a_repeat_in_the_same_transaction_is_skipped_and_the_first_still_lands(make: Factories) -> None:
    user = make.lead()
    first = _notify(user)
    assert _notify(user) is None
    db.session.commit()
    assert _count(Notification) == 1
    assert db.session.get(Notification, first.id).outbox_message_id is not None


def test_nothing_is_kept_when_the_caller_rolls_back(make: Factories) -> None:
    user = make.lead()
    _notify(user)
    db.session.rollback()
    assert _count(Notification) == 0
    assert _count(OutboxMessage) == 0


def test_weekly_is_kept_for_the_summary_and_off_is_recorded_unsent(make: Factories) -> None:
    weekly, off = make.lead(), make.lead()
    db.session.add_all([NotificationPreference(user_id=weekly.id, kind="broken_link", frequency=Frequency.WEEKLY),
                        NotificationPreference(user_id=off.id, kind="broken_link", frequency=Frequency.OFF)])
    db.session.commit()
    kept, unsent = _notify(weekly), _notify(off, key="test:2")
    db.session.commit()
    assert (kept.frequency, kept.outbox_message_id, kept.digested_at) == (Frequency.WEEKLY, None, None)
    assert (unsent.frequency, unsent.outbox_message_id) == (Frequency.OFF, None)
    assert _count(OutboxMessage) == 0


def test_a_preference_for_one_kind_leaves_the_others_straight_away(make: Factories) -> None:
    user = make.lead()
    db.session.add(NotificationPreference(user_id=user.id, kind="broken_link", frequency=Frequency.OFF))
    db.session.commit()
    notification = _notify(user, kind="quiet_engagement")
    assert notification.frequency is Frequency.IMMEDIATE


def test_inactive_people_are_not_notified(make: Factories) -> None:
    user = make.lead(active=False)
    assert _notify(user) is None
    db.session.commit()
    assert _count(Notification) == 0


def test_an_unknown_kind_or_an_overlong_key_is_refused(make: Factories) -> None:
    with pytest.raises(ValueError, match="unknown notification kind"):
        _notify(make.lead(), kind="newsletter")
    with pytest.raises(ValueError, match="at most 187 characters"):
        _notify(make.lead(), key="k" * 188)
    assert _notify(make.lead(), key="k" * 187) is not None


def test_two_concurrent_callers_notify_once(app, make: Factories) -> None:
    user_id = make.lead().id
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def caller() -> None:
        user = db.session.get(User, user_id)
        barrier.wait(timeout=10)
        results.append(_notify(user, key="race") is not None)
        db.session.commit()

    run_together(app, caller, caller)
    assert sorted(results) == [False, True]
    assert _count(Notification) == 1
    assert _count(OutboxMessage) == 1


def test_a_caller_waiting_on_an_uncommitted_notification_skips_once_it_lands(app, make: Factories) -> None:
    """The first caller holds its transaction open while the second calls notify() with the same key."""
    user_id = make.lead().id
    first_inserted = threading.Event()
    second_result: list = []

    def first() -> None:
        try:
            assert _notify(db.session.get(User, user_id), key="held") is not None
        finally:
            first_inserted.set()
        time.sleep(0.5)  # the second caller is now waiting on this transaction
        db.session.commit()

    def second() -> None:
        user = db.session.get(User, user_id)
        first_inserted.wait(timeout=10)
        second_result.append(_notify(user, key="held"))
        db.session.commit()

    run_together(app, first, second)
    assert second_result == [None]
    assert _count(Notification) == 1
    assert _count(OutboxMessage) == 1
