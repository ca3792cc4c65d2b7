"""Every scheduled job: its name, what it does in plain English, when it runs and the function it calls.

Functions are named by dotted path and imported only when the job runs (or is checked), so the list
stays whole even while a job's module is being written, and starting the scheduler imports nothing it
does not need. Each function takes no arguments, runs inside an application context and returns a short
one-line summary of what it did; it must be idempotent (see docs/scheduler.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

_DAY_NAMES = {"mon": "Mondays", "tue": "Tuesdays", "wed": "Wednesdays", "thu": "Thursdays", "fri": "Fridays",
              "sat": "Saturdays", "sun": "Sundays"}


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    function_path: str
    # Either every so many minutes, or at a time of day (in SCHEDULER_TIMEZONE), on one weekday if given.
    every_minutes: int | None = None
    at: tuple[int, int] | None = None
    weekday: str | None = None

    @property
    def interval(self) -> timedelta | None:
        return timedelta(minutes=self.every_minutes) if self.every_minutes else None

    def trigger(self, timezone: str) -> BaseTrigger:
        zone = ZoneInfo(timezone)
        if self.every_minutes:
            return IntervalTrigger(minutes=self.every_minutes, timezone=zone)
        assert self.at is not None
        hour, minute = self.at
        return CronTrigger(day_of_week=self.weekday or "*", hour=hour, minute=minute, timezone=zone)

    @property
    def runs_at_start(self) -> bool:
        # Jobs that run every few minutes also run as soon as a scheduler takes the lease, so nothing waits a
        # whole interval after a restart; daily and weekly jobs keep to their time.
        return self.every_minutes is not None

    def schedule(self) -> str:
        """The schedule in words, for people."""
        if self.every_minutes == 1:
            return "Every minute"
        if self.every_minutes == 60:
            return "Every hour"
        if self.every_minutes:
            return f"Every {self.every_minutes} minutes"
        assert self.at is not None
        time = f"{self.at[0]:02d}:{self.at[1]:02d}"
        return f"{_DAY_NAMES[self.weekday]} at {time}" if self.weekday else f"Every day at {time}"

    def function(self) -> Callable[[], str]:
        module_name, _, attribute = self.function_path.rpartition(".")
        return getattr(importlib.import_module(module_name), attribute)


# Daily times avoid 01:00 to 02:00, which the clocks skip or repeat when they change in the UK.
JOBS: tuple[Job, ...] = (
    Job("deliver-mail", "Sends the e-mails waiting in the outbox through the mail server, retrying with "
        "growing waits when it is down. Without a mail server, e-mails stay in the outbox for administrators.",
        "engage.mail.services.deliver_due_messages_job", every_minutes=1),
    Job("deliver-webhooks", "Sends waiting webhook deliveries to subscribers' addresses, retrying with growing "
        "waits when a receiver is down.",
        "engage.webhooks.delivery.deliver_due_webhooks", every_minutes=1),
    Job("milestone-reminders", "Reminds the signatories of agreement milestones that are due soon or overdue, "
        "once each.",
        "engage.notifications.reminders.send_milestone_reminders", every_minutes=60),
    Job("commitment-reminders", "Reminds the lead of an engagement of its commitments that are due soon or "
        "overdue, once each.",
        "engage.commitments.reminders.send_commitment_reminders", every_minutes=60),
    Job("quiet-engagement-nudges", "Nudges the lead of an engagement that has had no activity or update for a "
        "while.",
        "engage.notifications.reminders.nudge_quiet_engagements", at=(8, 0)),
    Job("weekly-digest", "Sends each person who chose a weekly summary the notifications kept for it.",
        "engage.notifications.digest.send_weekly_digests", at=(7, 30), weekday="mon"),
    Job("check-output-links", "Checks that the web addresses of engagements' outputs still work, and tells the "
        "lead once when one is broken.",
        "engage.engagements.link_check.check_output_links", at=(3, 30)),
    Job("refresh-static-export", "Rewrites the static export of the public site when something residents can see "
        "has changed (only when STATIC_EXPORT_DIR is set).",
        "engage.export.refresh.refresh_static_export", every_minutes=15),
    Job("backup-database", "Copies the SQLite database with its online backup, keeping the newest BACKUP_KEEP "
        "copies (PostgreSQL uses the server's own backups).",
        "engage.scheduler.backup.backup_database", at=(2, 30)),
    Job("follower-updates", "E-mails residents who follow a record, an area or a theme about new published "
        "versions, at most once a day each (several changes in one e-mail).",
        "engage.following.updates.send_follower_updates", every_minutes=60),
    Job("prune", "Deletes what is no longer needed: old failed sign-ins, ended sessions, used or expired "
        "account links and codes, and e-mails sent long ago.",
        "engage.scheduler.prune.prune", at=(4, 0)),
)

JOBS_BY_NAME: dict[str, Job] = {job.name: job for job in JOBS}
