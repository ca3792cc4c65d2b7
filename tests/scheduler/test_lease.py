"""The lease: taken when free, renewed by its holder, refused to others while live, taken over once it lapses,
given up on release, and won by exactly one of several processes racing for it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from engage.database import utcnow
from engage.extensions import db
from engage.scheduler import lease
from engage.scheduler.models import SchedulerLease

pytestmark = pytest.mark.date_sensitive


@pytest.fixture(autouse=True)
def short_lease(app, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_LEASE_SECONDS", 30)


def row() -> SchedulerLease | None:
    db.session.expire_all()
    return db.session.get(SchedulerLease, lease.LEASE_NAME)


def test_holder_ids_name_the_host_and_process_and_differ_between_runners():
    first, second = lease.new_holder_id(), lease.new_holder_id()
    assert first != second
    host, pid, _random = first.split(":")
    assert host and pid.isdigit()


def test_the_first_holder_takes_the_free_lease_and_others_are_refused_while_it_lives():
    with time_machine.travel(utcnow(), tick=False) as traveller:
        assert lease.acquire("alpha")
        taken = row()
        assert (taken.holder, taken.expires_at) == ("alpha", utcnow() + timedelta(seconds=30))

        traveller.shift(timedelta(seconds=29))
        assert not lease.acquire("beta")
        assert lease.holds("alpha") and not lease.holds("beta")
        assert row().holder == "alpha"


def test_renewing_extends_the_lease_and_keeps_when_it_was_first_taken():
    with time_machine.travel(utcnow(), tick=False) as traveller:
        assert lease.acquire("alpha")
        acquired_at = row().acquired_at
        traveller.shift(timedelta(seconds=20))
        assert lease.acquire("alpha")
        renewed = row()
        assert renewed.acquired_at == acquired_at
        assert renewed.renewed_at == utcnow()
        assert renewed.expires_at == utcnow() + timedelta(seconds=30)
        # Renewed in time, it outlives its first expiry.
        traveller.shift(timedelta(seconds=20))
        assert lease.holds("alpha")
        assert not lease.acquire("beta")


def test_a_lease_its_holder_stopped_renewing_is_taken_over_and_the_old_holder_cannot_renew_it():
    with time_machine.travel(utcnow(), tick=False) as traveller:
        assert lease.acquire("alpha")
        traveller.shift(timedelta(seconds=31))
        assert not lease.holds("alpha"), "a lapsed lease is held by nobody"
        assert lease.current().live is False

        assert lease.acquire("beta")
        taken = row()
        assert (taken.holder, taken.acquired_at) == ("beta", utcnow())
        assert not lease.acquire("alpha"), "the old holder, back from a pause, must not take it back"
        assert lease.holds("beta") and not lease.holds("alpha")


def test_releasing_lets_another_take_the_lease_at_once_and_only_the_holder_can_release():
    assert lease.acquire("alpha")
    assert not lease.release("beta")
    assert row().holder == "alpha"
    assert lease.release("alpha")
    assert row() is None
    assert lease.current().holder is None
    assert lease.acquire("beta")


@pytest.mark.parametrize("lapsed", [False, True], ids=["no lease yet", "lease lapsed"])
def test_of_several_processes_racing_for_the_lease_exactly_one_wins(app, lapsed):
    if lapsed:
        assert lease.acquire("old-holder", seconds=3)
    holders = [f"racer-{n}" for n in range(8)]
    results: dict[str, bool] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(holders))

    def race(holder: str) -> None:
        try:
            with app.app_context():
                start.wait()
                results[holder] = lease.acquire(holder)
        except BaseException as error:  # reported below: a thread's exception would otherwise be lost
            errors.append(error)

    with time_machine.travel(utcnow() + timedelta(seconds=10 if lapsed else 0), tick=True):
        threads = [threading.Thread(target=race, args=(holder,)) for holder in holders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        winners = [holder for holder, won in results.items() if won]
        assert len(winners) == 1
        assert row().holder == winners[0]
        assert db.session.scalars(select(SchedulerLease)).all() == [row()]
