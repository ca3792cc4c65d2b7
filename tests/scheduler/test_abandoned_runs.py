"""A job run left running by a scheduler that died is marked abandoned when another scheduler takes the lease over,
in the same step; runs of anyone else, and a holder renewing or taking back its own lease, are left alone; and the
administrators' page and `scheduler list` say "Abandoned"."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from engage.database import utcnow
from engage.extensions import db
from engage.scheduler import lease
from engage.scheduler.models import JobRun, JobRunStatus
from tests.factories import sign_in
from tests.scheduler import sample_jobs
from tests.scheduler.sample_jobs import HANG
from tests.scheduler.test_runner import runners, runs_of, wait_for  # noqa: F401 - the fixture, shared

LEASE_SECONDS = 30


def running(job_name: str, holder: str) -> JobRun:
    run = JobRun(job_name=job_name, holder=holder, status=JobRunStatus.RUNNING, started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    return run


def statuses() -> dict[tuple[str, str], JobRunStatus]:
    db.session.expire_all()
    return {(run.job_name, run.holder): run.status for run in db.session.scalars(select(JobRun))}


def test_taking_over_a_lapsed_lease_marks_the_runs_its_holder_left_running_as_abandoned():
    with time_machine.travel(utcnow(), tick=False) as traveller:
        assert lease.acquire("alpha", seconds=LEASE_SECONDS)
        left = running("deliver-mail", "alpha")
        finished = running("prune", "alpha")
        finished.status, finished.finished_at, finished.summary = JobRunStatus.SUCCEEDED, utcnow(), "Pruned."
        by_hand = running("follower-updates", "run-job host:12:abcd")
        db.session.commit()

        traveller.shift(timedelta(seconds=LEASE_SECONDS - 1))
        assert not lease.acquire("beta", seconds=LEASE_SECONDS), "alpha's lease is still live"
        assert statuses()[("deliver-mail", "alpha")] is JobRunStatus.RUNNING

        traveller.shift(timedelta(seconds=2))  # alpha never renewed: it died
        assert lease.acquire("beta", seconds=LEASE_SECONDS)

        db.session.expire_all()
        left = db.session.get(JobRun, left.id)
        assert left.status is JobRunStatus.ABANDONED
        assert left.finished_at == utcnow()
        assert left.summary == "The scheduler running it (alpha) stopped before it finished, and beta took over."
        assert statuses() == {("deliver-mail", "alpha"): JobRunStatus.ABANDONED,
                              ("prune", "alpha"): JobRunStatus.SUCCEEDED,
                              ("follower-updates", "run-job host:12:abcd"): JobRunStatus.RUNNING}
        assert db.session.get(JobRun, by_hand.id).finished_at is None


def test_renewing_or_taking_back_ones_own_lapsed_lease_abandons_nothing():
    with time_machine.travel(utcnow(), tick=False) as traveller:
        assert lease.acquire("alpha", seconds=LEASE_SECONDS)
        running("deliver-mail", "alpha")
        traveller.shift(timedelta(seconds=10))
        assert lease.acquire("alpha", seconds=LEASE_SECONDS)
        # Paused past its lease, and nobody took it meanwhile: its run may still be going.
        traveller.shift(timedelta(seconds=LEASE_SECONDS * 3))
        assert lease.acquire("alpha", seconds=LEASE_SECONDS)

        assert statuses() == {("deliver-mail", "alpha"): JobRunStatus.RUNNING}


def test_a_scheduler_that_stops_renewing_mid_run_has_that_run_marked_abandoned_by_the_one_that_takes_over(runners):  # noqa: F811
    sample_jobs.started.clear()
    sample_jobs.release.clear()
    first, second = runners(HANG, holder="first"), runners(HANG, holder="second")
    try:
        first.start()
        assert sample_jobs.started.wait(15)
        second.start()
        assert [(run.holder, run.status) for run in runs_of("hangs")] == [("first", JobRunStatus.RUNNING)]

        # It dies with the run under way: no more renewals, no release, and the run never finishes.
        first.scheduler.shutdown(wait=False)
        wait_for(lambda: runs_of("hangs")[0].status is JobRunStatus.ABANDONED)

        [abandoned, *_] = runs_of("hangs")
        assert abandoned.holder == "first" and abandoned.finished_at is not None
        assert abandoned.summary == ("The scheduler running it (first) stopped before it finished, and second "
                                     "took over.")
        wait_for(lambda: [run.holder for run in runs_of("hangs")] == ["first", "second"])
    finally:
        sample_jobs.release.set()
    # A scheduler only paused, which finishes the run after all, records how it really went.
    wait_for(lambda: [run.status for run in runs_of("hangs")] == [JobRunStatus.SUCCEEDED] * 2)


def test_administrators_and_the_command_line_see_an_abandoned_run_as_abandoned(app, client, make):
    with time_machine.travel(utcnow(), tick=False) as traveller:
        assert lease.acquire("alpha", seconds=LEASE_SECONDS)
        running("deliver-mail", "alpha")
        traveller.shift(timedelta(seconds=LEASE_SECONDS + 1))
        assert lease.acquire("beta", seconds=LEASE_SECONDS)
    sign_in(client, make.admin())

    page = client.get("/admin/scheduler").get_data(as_text=True)

    assert '<strong class="govuk-tag govuk-tag--orange">\n  Abandoned\n</strong>' in page
    assert "The scheduler running it (alpha) stopped before it finished, and beta took over." in page
    listed = app.test_cli_runner().invoke(args=["scheduler", "list"]).output
    assert "abandoned: The scheduler running it (alpha) stopped before it finished" in listed
