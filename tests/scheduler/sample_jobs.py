"""Job functions for the scheduler's own tests: one that succeeds and counts its runs, one that fails, and one
that waits until the test lets it finish."""

from __future__ import annotations

import threading

from engage.scheduler.jobs import Job

runs: list[str] = []
_lock = threading.Lock()


def succeed() -> str:
    with _lock:
        runs.append("succeed")
    return "Counted one run."


def fail() -> str:
    raise RuntimeError("the receiver said no to resident@example.org\nsecond line")


started = threading.Event()
release = threading.Event()


def hang() -> str:
    started.set()
    release.wait(timeout=30)
    return "Finished after a long wait."


SUCCEED = Job("count-runs", "Counts its runs.", "tests.scheduler.sample_jobs.succeed", every_minutes=1)
FAIL = Job("always-fails", "Raises every time.", "tests.scheduler.sample_jobs.fail", every_minutes=1)
HANG = Job("hangs", "Waits until the test lets it finish.", "tests.scheduler.sample_jobs.hang", every_minutes=1)
DAILY = Job("daily-count", "Counts its runs, once a day.", "tests.scheduler.sample_jobs.succeed", at=(8, 0))
