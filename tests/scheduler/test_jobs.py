"""The job registry: every job named once, described, scheduled in the configured time zone, and calling a
function that exists."""

from __future__ import annotations

import inspect
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from engage.scheduler.jobs import JOBS, JOBS_BY_NAME

pytestmark = pytest.mark.date_sensitive

EXPECTED = {
    "deliver-mail": "Every minute",
    "deliver-webhooks": "Every minute",
    "milestone-reminders": "Every hour",
    "commitment-reminders": "Every hour",
    "quiet-engagement-nudges": "Every day at 08:00",
    "weekly-digest": "Mondays at 07:30",
    "check-output-links": "Every day at 03:30",
    "refresh-static-export": "Every 15 minutes",
    "backup-database": "Every day at 02:30",
    "follower-updates": "Every hour",
    "prune": "Every day at 04:00",
}


def test_every_job_the_service_needs_is_registered_once_with_its_schedule_in_words():
    assert {job.name: job.schedule() for job in JOBS} == EXPECTED
    assert len(JOBS_BY_NAME) == len(JOBS)
    for job in JOBS:
        assert job.description.endswith((".", ")")), job.name


@pytest.mark.parametrize("job", JOBS, ids=lambda job: job.name)
def test_every_job_calls_a_function_that_exists_and_takes_no_arguments(job):
    # Strict on purpose: a job whose module is missing would fail every time it ran.
    function = job.function()
    assert callable(function)
    assert not [p for p in inspect.signature(function).parameters.values() if p.default is p.empty]


@pytest.mark.parametrize("job", JOBS, ids=lambda job: job.name)
def test_every_trigger_is_in_the_configured_time_zone_and_daily_jobs_avoid_the_hour_the_clocks_change(app, job):
    zone = app.config["SCHEDULER_TIMEZONE"]
    trigger = job.trigger(zone)
    assert trigger.timezone == ZoneInfo(zone)
    if job.every_minutes:
        assert isinstance(trigger, IntervalTrigger)
        assert trigger.interval.total_seconds() == job.every_minutes * 60
        return
    assert isinstance(trigger, CronTrigger)
    assert job.at[0] != 1
    # The first run after a spring-forward Sunday's midnight is still on that day, at the time named.
    start = datetime(2026, 3, 29, 0, 0, tzinfo=ZoneInfo("Europe/London"))
    first = trigger.get_next_fire_time(None, start)
    assert (first.hour, first.minute) == job.at
