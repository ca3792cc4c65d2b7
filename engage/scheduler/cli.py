"""`flask --app wsgi scheduler …`: run the scheduler as its own process, list the jobs, run one now."""

from __future__ import annotations

import signal

import click
from flask import current_app
from flask.cli import AppGroup

from engage.scheduler import lease
from engage.scheduler.jobs import JOBS, JOBS_BY_NAME
from engage.scheduler.models import JobRunStatus
from engage.scheduler.runner import Runner, next_run, recent_runs, run_job

scheduler_cli = AppGroup("scheduler", help="Scheduled jobs: reminders, deliveries, link checks, backups.")


@scheduler_cli.command("run")
def run_command() -> None:
    """Run the scheduler in this process until stopped (SIGTERM or Ctrl-C): the way to run it in production.

    Start as many as you like: only the one holding the lease runs the jobs, and another takes over
    once it stops."""
    runner = Runner(current_app._get_current_object(), blocking=True)

    def stop(signum: int, _frame) -> None:
        click.echo(f"Stopping ({signal.Signals(signum).name}): finishing the jobs under way, releasing the lease.")
        runner.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"Scheduler {runner.holder} started with {len(runner.jobs)} jobs.")
    runner.start()
    runner.stop()
    click.echo("Scheduler stopped.")


@scheduler_cli.command("list")
def list_command() -> None:
    """Every job: its schedule, next run, and how its last run went; and who holds the lease."""
    timezone = current_app.config["SCHEDULER_TIMEZONE"]
    for job in JOBS:
        runs = recent_runs(job.name, limit=1)
        last = runs[0] if runs else None
        upcoming = next_run(job, timezone, last)
        click.echo(f"{job.name}")
        click.echo(f"  {job.schedule()} ({timezone}). {job.description}")
        click.echo(f"  Next run: {f'{upcoming:%Y-%m-%d %H:%M} UTC' if upcoming else 'when a scheduler starts'}")
        if last is None:
            click.echo("  Last run: never")
        else:
            click.echo(f"  Last run: {last.started_at:%Y-%m-%d %H:%M:%S} UTC, {last.status.label.lower()}"
                       + (f": {last.summary}" if last.summary else ""))
    click.echo("")
    click.echo(f"Lease: {lease.current().describe()}")


@scheduler_cli.command("run-job")
@click.argument("name")
def run_job_command(name: str) -> None:
    """Run the job NAME now, in this process, and record the run (whoever holds the lease)."""
    job = JOBS_BY_NAME.get(name)
    if job is None:
        raise click.ClickException(f"There is no job called {name!r}. The jobs are: {', '.join(JOBS_BY_NAME)}.")
    run = run_job(job, f"run-job {lease.new_holder_id()}")
    click.echo(f"{job.name}: {run.summary}")
    if run.status is JobRunStatus.FAILED:
        raise click.exceptions.Exit(1)
