"""Running jobs: each run recorded (running, then succeeded or failed with a summary free of personal data),
a failing job never stopping the scheduler, jobs running only where the lease is held, and a second
scheduler taking over when the first stops renewing the lease."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from engage.database import utcnow
from engage.extensions import db
from engage.scheduler import lease
from engage.scheduler.models import JobRun, JobRunStatus, SchedulerLease
from engage.scheduler.runner import Runner, describe_error, next_run, run_job
from tests.scheduler import sample_jobs
from tests.scheduler.sample_jobs import DAILY, FAIL, SUCCEED

pytestmark = pytest.mark.date_sensitive


@pytest.fixture(autouse=True)
def no_runs_yet() -> None:
    sample_jobs.runs.clear()


@pytest.fixture
def runners(app, monkeypatch) -> Iterator[Callable[..., Runner]]:
    """Makes runners of the sample jobs with a 3-second lease, and stops every one after the test."""
    monkeypatch.setitem(app.config, "SCHEDULER_LEASE_SECONDS", 3)
    made: list[Runner] = []

    def make(*jobs, holder: str | None = None) -> Runner:
        runner = Runner(app, jobs=jobs or (SUCCEED, FAIL), holder=holder)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.stop()


def runs_of(name: str) -> list[JobRun]:
    db.session.rollback()  # see what other threads have committed
    return list(db.session.scalars(select(JobRun).where(JobRun.job_name == name).order_by(JobRun.id)))


def wait_for(condition: Callable[[], object], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_job_run_is_recorded_with_its_summary_and_times():
    with time_machine.travel(utcnow(), tick=False):
        run = run_job(SUCCEED, "test-holder")

        [recorded] = runs_of("count-runs")
        assert recorded.id == run.id
        assert (recorded.status, recorded.summary, recorded.holder) == (
            JobRunStatus.SUCCEEDED, "Counted one run.", "test-holder")
        assert recorded.started_at == recorded.finished_at == utcnow()
    assert sample_jobs.runs == ["succeed"]


def test_a_job_that_raises_is_recorded_as_failed_with_its_error_but_no_address_and_nothing_is_raised(caplog):
    run = run_job(FAIL, "test-holder")

    [recorded] = runs_of("always-fails")
    assert recorded.id == run.id
    assert recorded.status is JobRunStatus.FAILED
    assert recorded.summary == "RuntimeError: the receiver said no to [address]"
    assert recorded.finished_at is not None
    assert "always-fails failed: RuntimeError: the receiver said no to [address]" in caplog.text
    assert "resident@example.org" not in caplog.text


def test_error_descriptions_keep_the_class_and_first_line_only():
    assert describe_error(ValueError("")) == "ValueError"
    assert describe_error(OSError("Connection refused by x@y.example")) == "OSError: Connection refused by [address]"
    assert len(describe_error(RuntimeError("x" * 2000))) == 500


def test_a_job_fires_only_in_the_process_holding_a_live_lease(runners):
    holder, other = runners(holder="holder"), runners(holder="other")
    assert holder.heartbeat() and not other.heartbeat()

    assert other.fire("count-runs") is None
    assert runs_of("count-runs") == []

    run = holder.fire("count-runs")
    assert run is not None and run.holder == "holder"
    assert sample_jobs.runs == ["succeed"]


def test_after_a_job_fails_the_scheduler_carries_on_running_jobs_including_that_one(runners):
    runner = runners()
    assert runner.heartbeat()

    assert runner.fire("always-fails").status is JobRunStatus.FAILED
    assert runner.fire("count-runs").status is JobRunStatus.SUCCEEDED
    assert runner.fire("always-fails").status is JobRunStatus.FAILED
    assert [run.status for run in runs_of("always-fails")] == [JobRunStatus.FAILED] * 2


def test_a_running_background_scheduler_runs_its_frequent_jobs_at_once_despite_one_failing_and_releases_on_stop(
        runners):
    runner = runners(FAIL, SUCCEED)
    runner.start()

    wait_for(lambda: runs_of("count-runs") and runs_of("always-fails")
             and all(run.finished_at for run in runs_of("count-runs") + runs_of("always-fails")))
    assert [run.status for run in runs_of("count-runs")] == [JobRunStatus.SUCCEEDED]
    assert [run.status for run in runs_of("always-fails")] == [JobRunStatus.FAILED]
    assert lease.holds(runner.holder)
    job = runner.scheduler.get_job("count-runs")
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 300)

    runner.stop()
    assert not runner.scheduler.running
    assert db.session.get(SchedulerLease, lease.LEASE_NAME, populate_existing=True) is None


def test_a_second_scheduler_takes_over_when_the_first_stops_renewing(runners):
    """Moved time: the first holds the lease; it stops renewing (a crash: it never releases); the second is
    refused until the lease lapses, then takes it over and runs the jobs, and the first may not run them."""
    first, second = runners(holder="first"), runners(holder="second")
    with time_machine.travel(utcnow(), tick=False) as traveller:
        assert first.heartbeat()
        for _ in range(3):
            traveller.shift(timedelta(seconds=1))
            assert first.heartbeat() and not second.heartbeat()
            assert second.fire("count-runs") is None

        # The first is gone: nobody renews. Two seconds on, its lease is still live.
        traveller.shift(timedelta(seconds=2))
        assert not second.heartbeat()
        traveller.shift(timedelta(seconds=1.5))
        assert second.heartbeat()
        assert second.fire("count-runs").holder == "second"
        assert first.fire("count-runs") is None, "a holder back from a pause finds its lease gone"
        assert not first.heartbeat()
    assert [run.holder for run in runs_of("count-runs")] == ["second"]


def test_with_real_schedulers_a_second_takes_over_within_the_lease_time_when_the_first_dies(runners):
    first, second = runners(SUCCEED, holder="first"), runners(SUCCEED, holder="second")
    first.start()
    wait_for(lambda: [run.holder for run in runs_of("count-runs")] == ["first"])
    second.start()
    assert not second.holding

    first.scheduler.shutdown(wait=True)  # dies: no more renewals, and no release
    died = time.monotonic()
    wait_for(lambda: [run.holder for run in runs_of("count-runs")] == ["first", "second"])
    assert time.monotonic() - died < 3 + 1 + 1, "within the lease time, a heartbeat and a little"
    assert db.session.get(SchedulerLease, lease.LEASE_NAME, populate_existing=True).holder == "second"


def test_the_next_run_of_a_daily_job_is_its_next_time_of_day_in_the_scheduler_time_zone():
    with time_machine.travel("2026-07-01 06:00:00+00:00", tick=False):
        # 07:00 in London in summer time: 08:00 is an hour away.
        assert next_run(DAILY, "Europe/London", None).isoformat() == "2026-07-01T07:00:00+00:00"
    with time_machine.travel("2026-12-01 09:00:00+00:00", tick=False):
        assert next_run(DAILY, "Europe/London", None).isoformat() == "2026-12-02T08:00:00+00:00"


def test_the_next_run_of_a_frequent_job_follows_its_last_run():
    with time_machine.travel("2026-07-01 06:00:00+00:00", tick=False) as traveller:
        assert next_run(SUCCEED, "Europe/London", None) is None, "not known until a scheduler runs it"
        run = run_job(SUCCEED, "holder")
        assert next_run(SUCCEED, "Europe/London", run) == utcnow() + timedelta(minutes=1)
        traveller.shift(timedelta(minutes=5))
        assert next_run(SUCCEED, "Europe/London", run) == utcnow(), "overdue: due now"
