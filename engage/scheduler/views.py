"""The administrators' view of the scheduled jobs: when each runs, how its last runs went, who runs them."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from engage.accounts.permissions import admin_required
from engage.scheduler import lease
from engage.scheduler.jobs import JOBS
from engage.scheduler.runner import next_run, recent_runs

bp = Blueprint("scheduler", __name__, url_prefix="/admin/scheduler")
RUNS_SHOWN = 5


@bp.route("")
@admin_required
def index():
    timezone = current_app.config["SCHEDULER_TIMEZONE"]
    jobs = []
    for job in JOBS:
        runs = recent_runs(job.name, limit=RUNS_SHOWN)
        jobs.append({"job": job, "runs": runs, "next_run": next_run(job, timezone, runs[0] if runs else None)})
    return render_template("scheduler/index.html", jobs=jobs, lease=lease.current(), timezone=timezone,
                           in_app=current_app.config["SCHEDULER_IN_APP"])
