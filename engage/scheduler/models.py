"""The scheduler's lease and the record of each job run, both in the service's own database."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engage.database import UTCDateTime, utcnow
from engage.enums import enum_column_type
from engage.extensions import db


class SchedulerLease(db.Model):
    """Who may run the jobs, and until when: renewed while its holder lives, taken over once it lapses."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JobRunStatus(enum.Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    # Left running by a scheduler that died (killed, its machine lost): marked so when another takes the lease over.
    ABANDONED = "abandoned"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class JobRun(db.Model):
    """One run of a job: shown by `scheduler list` and to administrators."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started", "job_name", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(60))
    holder: Mapped[str] = mapped_column(String(120))
    status: Mapped[JobRunStatus] = mapped_column(enum_column_type(JobRunStatus, "job_run_status"),
                                                 default=JobRunStatus.RUNNING)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    summary: Mapped[str] = mapped_column(String(500), default="")
