"""`flask scheduler list`, `run-job` and `run`: the last as a real process, stopped by a signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.mail.services import queue_message
from engage.scheduler import jobs, lease
from engage.scheduler.models import JobRun, JobRunStatus, SchedulerLease
from tests.scheduler.sample_jobs import FAIL

ROOT = Path(__file__).resolve().parents[2]
STARTED_IN_APP = "Scheduler started in the web process as "


def invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=["scheduler", *args])


def test_list_shows_every_job_its_schedule_and_that_nobody_holds_the_lease(app):
    result = invoke(app, "list")

    assert result.exit_code == 0, result.output
    for job in jobs.JOBS:
        assert f"{job.name}\n  {job.schedule()} (Europe/London). {job.description}\n" in result.output
    assert "Next run: when a scheduler starts" in result.output  # deliver-mail has never run
    assert "Last run: never" in result.output
    assert result.output.endswith("Lease: Nobody holds the lease: no scheduler is running the jobs.\n")


def test_run_job_runs_it_now_records_the_run_and_list_then_shows_it_with_the_lease_holder(app):
    queue_message("resident@example.org", "Kept", "Kept for an administrator.\n")
    db.session.commit()
    assert lease.acquire("web-1:4242:abcd")

    result = invoke(app, "run-job", "deliver-mail")

    summary = "No mail server is set (SMTP_HOST), so e-mails stay in the outbox for administrators to read: 1 waiting."
    assert result.exit_code == 0, result.output
    assert result.output == f"deliver-mail: {summary}\n"
    [run] = db.session.scalars(select(JobRun)).all()
    assert (run.job_name, run.status, run.summary) == ("deliver-mail", JobRunStatus.SUCCEEDED, summary)
    assert run.holder.startswith("run-job ")
    assert db.session.scalars(select(OutboxMessage)).one().status is MessageStatus.QUEUED

    listing = invoke(app, "list").output
    assert "deliver-mail\n  Every minute (Europe/London)." in listing
    assert f"Last run: {run.started_at:%Y-%m-%d %H:%M:%S} UTC, succeeded: {summary}" in listing
    assert "Lease: Held by web-1:4242:abcd since " in listing


def test_run_job_refuses_an_unknown_name_and_lists_the_known_ones(app):
    result = invoke(app, "run-job", "deliver-everything")

    assert result.exit_code == 1
    assert "There is no job called 'deliver-everything'. The jobs are: deliver-mail, deliver-webhooks," in result.output
    assert db.session.scalars(select(JobRun)).all() == []


def test_run_job_of_a_failing_job_records_the_failure_and_exits_non_zero(app, monkeypatch):
    monkeypatch.setitem(jobs.JOBS_BY_NAME, FAIL.name, FAIL)

    result = invoke(app, "run-job", FAIL.name)

    assert result.exit_code == 1
    assert result.output == "always-fails: RuntimeError: the receiver said no to [address]\n"
    assert db.session.scalars(select(JobRun)).one().status is JobRunStatus.FAILED


# A stopped scheduler first finishes the jobs under way (the frequent ones all run at start), which on a machine
# busy with other work has taken more than 30 s; a process that never stops still fails the test.
STOP_SECONDS = 120


def flask_process(database_url: str, *args: str, **env: str) -> subprocess.Popen:
    environment = {**os.environ, "ENGAGE_ENV": "development", "DATABASE_URL": database_url, "SMTP_HOST": "",
                   "SCHEDULER_LEASE_SECONDS": "6", "PYTHONUNBUFFERED": "1", **env}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(condition, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the process ended early:\n{process.stdout.read()}")
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def lease_row() -> SchedulerLease | None:
    db.session.rollback()
    return db.session.get(SchedulerLease, lease.LEASE_NAME, populate_existing=True)


def finished_runs(name: str) -> list[JobRun]:
    db.session.rollback()
    return list(db.session.scalars(select(JobRun).where(JobRun.job_name == name, JobRun.finished_at.is_not(None))))


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_scheduler_run_takes_the_lease_runs_the_frequent_jobs_and_releases_the_lease_when_stopped(
        database_url, stop_with):
    process = flask_process(database_url, "scheduler", "run")
    try:
        wait_for(lambda: finished_runs("deliver-mail"), process)
        holder = lease_row().holder
        assert holder.split(":")[1] == str(process.pid)
        assert finished_runs("deliver-mail")[0].holder == holder

        process.send_signal(stop_with)
        output, _ = process.communicate(timeout=STOP_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert f"Scheduler {holder} started with {len(jobs.JOBS)} jobs." in output
    assert "releasing the lease" in output
    assert output.rstrip().endswith("Scheduler stopped.")
    assert lease_row() is None


def test_flask_run_with_the_in_app_setting_runs_the_scheduler_but_other_commands_do_not(database_url):
    other = flask_process(database_url, "scheduler", "list", SCHEDULER_IN_APP="true")
    output, _ = other.communicate(timeout=60)
    assert other.returncode == 0, output
    # A scheduler started here would have given its lease up at exit: what it logs on starting tells.
    assert STARTED_IN_APP not in output, "a command other than `flask run` started a scheduler"
    assert lease_row() is None

    from tests.conftest import free_port

    server = flask_process(database_url, "run", "--port", str(free_port()), SCHEDULER_IN_APP="true")
    try:
        wait_for(lambda: finished_runs("deliver-mail"), server)
        assert lease_row().holder.split(":")[1] == str(server.pid)
        server.send_signal(signal.SIGINT)  # Ctrl-C: the process exits and gives the lease up
        output, _ = server.communicate(timeout=STOP_SECONDS)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert STARTED_IN_APP in output
    assert lease_row() is None
