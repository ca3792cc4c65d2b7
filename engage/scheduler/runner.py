"""Runs the jobs on their schedules with APScheduler, in whichever process holds the lease.

APScheduler keeps its schedule in memory: every scheduler process (or web process with SCHEDULER_IN_APP)
keeps its own, and its job stores cannot be shared between processes. So each may schedule, but a job
only runs where the database lease is held and live; a heartbeat renews the lease (or takes it over once
it lapses) every third of SCHEDULER_LEASE_SECONDS. What a job does is made safe to repeat by the job
itself (idempotency keys and claims), so a run cut short by a crash, or overlapping a take-over, is
harmless.
"""

from __future__ import annotations

import atexit
import logging
import re
import threading
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import select

from engage.database import utcnow
from engage.extensions import db
from engage.scheduler import lease
from engage.scheduler.jobs import JOBS, Job
from engage.scheduler.models import JobRun, JobRunStatus

logger = logging.getLogger(__name__)
# APScheduler logs every run of every job (some each minute); the runner logs what each run did instead.
logging.getLogger("apscheduler").setLevel(logging.WARNING)

# A run that should have started while the process was busy or paused still runs if this late.
MISFIRE_GRACE_SECONDS = 300
_HEARTBEAT = "lease-heartbeat"
_EMAIL_ADDRESS = re.compile(r"[^\s<>@\"']+@[^\s<>@\"']+")


def _without_personal_data(text: str) -> str:
    # Error messages from mail servers and libraries can quote an address; job runs and logs never keep one.
    return _EMAIL_ADDRESS.sub("[address]", text)


def describe_error(error: BaseException) -> str:
    message = _without_personal_data(str(error)).strip().splitlines()
    return f"{type(error).__name__}: {message[0] if message else ''}".rstrip(": ")[:500]


def where(error: BaseException) -> str:
    """Where an error was raised, frame by frame, without the source lines (which can hold data)."""
    return "\n".join(f"  {frame.filename}:{frame.lineno} in {frame.name}"
                     for frame in traceback.extract_tb(error.__traceback__))


def run_job(job: Job, holder: str) -> JobRun:
    """Run one job now and record the run. Needs an application context; never raises for the job's sake."""
    run = JobRun(job_name=job.name, holder=holder, status=JobRunStatus.RUNNING, started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    try:
        summary = job.function()()
    except Exception as error:
        db.session.rollback()
        status, summary = JobRunStatus.FAILED, describe_error(error)
        logger.error("Job %s failed: %s\n%s", job.name, summary, where(error))
    else:
        status, summary = JobRunStatus.SUCCEEDED, str(summary or "Done.")[:500]
        logger.info("Job %s: %s", job.name, summary)
    run = db.session.get(JobRun, run_id, populate_existing=True)
    run.status, run.summary, run.finished_at = status, summary, utcnow()
    db.session.commit()
    db.session.refresh(run)  # loaded, so the caller can read it after the session is gone
    return run


def recent_runs(job_name: str, limit: int = 5) -> list[JobRun]:
    return list(db.session.scalars(select(JobRun).where(JobRun.job_name == job_name)
                                   .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)))


def next_run(job: Job, timezone: str, last: JobRun | None, now: datetime | None = None) -> datetime | None:
    """When the job runs next, as far as can be told from here: a daily or weekly job keeps to its clock; a job
    every few minutes runs that long after its last run (or as soon as a scheduler starts, if never run)."""
    now = now or utcnow()
    if job.interval is None:
        upcoming = job.trigger(timezone).get_next_fire_time(None, now)
        return upcoming.astimezone(UTC) if upcoming else None
    if last is None:
        return None
    return max(last.started_at + job.interval, now)


class Runner:
    """One process's scheduler. `blocking=True` for `scheduler run`, which does nothing else; otherwise it
    runs in background threads of the web process."""

    def __init__(self, app: Flask, *, blocking: bool = False, jobs: Iterable[Job] = JOBS,
                 holder: str | None = None) -> None:
        self.app = app
        self.holder = holder or lease.new_holder_id()
        self.jobs = {job.name: job for job in jobs}
        self.lease_seconds = max(int(app.config["SCHEDULER_LEASE_SECONDS"]), 3)
        timezone = app.config["SCHEDULER_TIMEZONE"]
        scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
        self.scheduler: BaseScheduler = scheduler_class(
            timezone=timezone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        )
        self._stopped = threading.Event()
        self.holding = False
        start = datetime.now(self.scheduler.timezone)
        for job in self.jobs.values():
            # Left out, the first run time comes from the trigger (None would pause the job).
            first = {"next_run_time": start} if job.runs_at_start else {}
            self.scheduler.add_job(self.fire, job.trigger(timezone), args=[job.name], id=job.name, name=job.name,
                                   **first)
        self.scheduler.add_job(self.heartbeat, IntervalTrigger(seconds=self.lease_seconds / 3,
                                                               timezone=self.scheduler.timezone), id=_HEARTBEAT,
                               name=_HEARTBEAT)

    def heartbeat(self) -> bool:
        """Renew the lease, or take it over if it lapsed. Errors (the database away) count as not holding."""
        if self._stopped.is_set():
            return False
        try:
            with self.app.app_context():
                holding = lease.acquire(self.holder, seconds=self.lease_seconds)
        except Exception as error:
            logger.warning("Could not renew the scheduler lease: %s", describe_error(error))
            holding = False
        if holding != self.holding:
            logger.info("Scheduler %s %s the lease.", self.holder, "holds" if holding else "does not hold")
            if holding and self.scheduler.running:
                # Taking over from a scheduler that stopped: the frequent jobs run now, not an interval later.
                now = datetime.now(self.scheduler.timezone)
                for job in self.jobs.values():
                    if job.runs_at_start:
                        self.scheduler.modify_job(job.name, next_run_time=now)
        self.holding = holding
        return holding

    def fire(self, name: str) -> JobRun | None:
        """Run a job at its time, if this process holds a live lease; otherwise leave it to the holder."""
        if self._stopped.is_set():
            return None
        with self.app.app_context():
            try:
                if not lease.holds(self.holder):
                    logger.debug("Job %s left to the lease holder.", name)
                    return None
                return run_job(self.jobs[name], self.holder)
            except Exception as error:  # the database itself failed: log it and carry on with the next run
                logger.error("Job %s could not run: %s", name, describe_error(error))
                return None
            finally:
                db.session.remove()

    def start(self) -> None:
        """Take the lease if free (so the jobs due at start can run), then start the scheduler. With
        `blocking=True` this returns only once `stop()` is called (from a signal handler, say)."""
        self.heartbeat()
        self.scheduler.start()

    def stop(self) -> None:
        """Finish the runs under way, then give the lease up so another scheduler can take it at once."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        try:
            with self.app.app_context():
                lease.release(self.holder)
        except Exception as error:
            logger.warning("Could not release the scheduler lease: %s", describe_error(error))
        self.holding = False


_in_app: Runner | None = None
_in_app_lock = threading.Lock()


def start_in_app(app: Flask) -> Runner | None:
    """Start the scheduler inside this (web) process, once per process."""
    global _in_app
    with _in_app_lock:
        if _in_app is not None:
            return None
        _in_app = Runner(app)
        _in_app.start()
    atexit.register(_in_app.stop)
    logger.info("Scheduler started in the web process as %s.", _in_app.holder)
    return _in_app

