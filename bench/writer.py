"""The benchmark's writer: one public change every few seconds, made through the service layer as the workspace
pages make it, while the load driver reads.

It runs in a process of its own (`python -m bench.writer`), with `create_app()` on the benchmark's database,
and cycles through three kinds of change residents can see, each on a random engagement:

- a progress update on an engagement in progress (`engagements.services.post_update`, shown on its record);
- an activity with one to three insights, on an engagement in progress at the test or story step
  (`activity.services.log_activity` and `add_insight`, counted on the report card);
- an update on an open commitment of a completed engagement (`commitments.services.record_update`, which
  publishes a new version of the record).

Each change is made by the engagement's lead and committed with `db.session.commit()`, as the view does, so
the change clock and every process's page cache see it. A change the service refuses is rolled back and
counted as failed. With `--gate PATH` it writes only while that file exists, so the benchmark can measure each
page group with and without it, side by side. On SIGTERM (or when `--seconds` run out) it finishes the change
under way and writes what it did as JSON to `--out`.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from bench.text import TOPICS, Writer
from engage import create_app
from engage.activity import services as activity
from engage.activity.models import ActivityKind
from engage.clock import today
from engage.commitments import services as commitments
from engage.commitments.models import Commitment, CommitmentStatus
from engage.engagements import services as engagements
from engage.engagements.models import Engagement, Lens, Step
from engage.extensions import db
from engage.publication.visibility import is_public_clause

INTERVAL = 2.0
KINDS = ("progress update", "activity with insights", "commitment update")
KEPT_FAILURES = 5


@dataclass
class Candidates:
    """The ids each kind of change can be made on, read once when the writer starts."""

    in_progress: list[int]
    collecting: list[int]  # in progress at the test or story step: where activity is logged
    open_commitments: list[int]

    def for_kind(self, kind: str) -> list[int]:
        return {KINDS[0]: self.in_progress, KINDS[1]: self.collecting, KINDS[2]: self.open_commitments}[kind]


def candidates() -> Candidates:
    """Public engagements each kind of change fits (in an application context)."""
    in_progress = (select(Engagement.id, Engagement.current_step)
                   .where(is_public_clause(), Engagement.current_step != Step.COMPLETED).order_by(Engagement.id))
    rows = db.session.execute(in_progress).all()
    open_ = db.session.scalars(
        select(Commitment.id).join(Engagement, Engagement.id == Commitment.engagement_id)
        .where(is_public_clause(), Engagement.current_step == Step.COMPLETED,
               Commitment.status.in_((CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS)))
        .order_by(Commitment.id)).all()
    return Candidates(in_progress=[r.id for r in rows],
                      collecting=[r.id for r in rows if r.current_step in (Step.TEST, Step.STORY)],
                      open_commitments=list(open_))


def _place(engagement: Engagement) -> str:
    return engagement.area.name if engagement.area else "the borough"


def post_progress_update(engagement_id: int, rng: random.Random) -> str:
    engagement = db.session.get(Engagement, engagement_id)
    body = Writer(rng).update(rng.choice(TOPICS), _place(engagement))
    engagements.post_update(engagement, actor=engagement.lead_user, body=body)
    return engagement.slug


def log_activity_with_insights(engagement_id: int, rng: random.Random) -> str:
    engagement = db.session.get(Engagement, engagement_id)
    write = Writer(rng)
    topic = rng.choice(TOPICS)
    title, description = write.activity(topic, _place(engagement))
    communities = write.some(activity.active_communities(), 1, 3)
    participants = rng.randint(4, 40)
    logged = activity.log_activity(engagement, actor=engagement.lead_user, data=activity.ActivityInput(
        occurred_on=today(), kind=rng.choice(list(ActivityKind)), title=title,
        description=description, area=engagement.area, participants=participants,
        volunteer_minutes=rng.randint(0, 8) * 30, staff_minutes=rng.randint(1, 8) * 30,
        spend_pence=rng.choice((0, 0, 2_500, 12_000)), milestone_id=None, planned_test_id=None,
        reach={c.id: rng.randint(1, participants) for c in communities}))
    themes = list(engagement.themes)
    for _ in range(rng.randint(1, 3)):
        activity.add_insight(logged, actor=engagement.lead_user, text=write.insight(), lens=rng.choice(list(Lens)),
                             themes=write.some(themes, 0, 2), organisation=engagement.lead_organisation,
                             system_blocker=False)
    return engagement.slug


def update_commitment(commitment_id: int, rng: random.Random) -> str:
    commitment = db.session.get(Commitment, commitment_id)
    engagement = commitment.engagement
    # Work moves on but stays open, so the commitment can be updated again later in the run.
    progress = rng.choice([p for p in range(10, 100, 10) if p != commitment.progress_percent])
    commitments.record_update(commitment, actor=engagement.lead_user, occurred_on=today(),
                              body=Writer(rng).commitment_update(rng.choice(TOPICS), _place(engagement)),
                              progress_percent=progress)
    return engagement.slug


CHANGES = {KINDS[0]: post_progress_update, KINDS[1]: log_activity_with_insights, KINDS[2]: update_commitment}


@dataclass
class WriteLog:
    """What the writer did."""

    interval_seconds: float
    made: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # kinds with nothing to change in this database
    durations_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def attempts(self) -> int:
        return sum(self.made.values()) + sum(self.failed.values()) + sum(self.skipped.values())

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        durations = sorted(values.pop("durations_ms"))
        values.update(writes=sum(self.made.values()), failed_writes=sum(self.failed.values()),
                      mean_ms=round(sum(durations) / len(durations), 1) if durations else None,
                      max_ms=round(durations[-1], 1) if durations else None,
                      made=dict(self.made), failed=dict(self.failed), skipped=dict(self.skipped))
        return values


def write_one(kind: str, found: Candidates, rng: random.Random, log: WriteLog) -> str | None:
    """Make one change of this kind on a random candidate and commit it, as the workspace view does; a refusal
    is rolled back and counted. Returns the engagement's slug, or None if nothing was changed."""
    ids = found.for_kind(kind)
    if not ids:
        log.skipped[kind] += 1
        return None
    began = time.perf_counter()
    try:
        slug = CHANGES[kind](rng.choice(ids), rng)
        db.session.commit()
    except Exception as error:  # any refusal is a failed write, counted and reported
        db.session.rollback()
        log.failed[kind] += 1
        if len(log.failures) < KEPT_FAILURES:
            log.failures.append(f"{kind}: {type(error).__name__}: {error}"[:300])
        return None
    finally:
        db.session.remove()
    log.durations_ms.append((time.perf_counter() - began) * 1000)
    log.made[kind] += 1
    return slug


def run(app: Flask, *, interval: float = INTERVAL, seconds: float | None = None, seed: int = 2026,
        should_stop: Any = None, gate: Path | None = None) -> WriteLog:
    """Make one change every `interval` seconds (at a fixed rate, however long each takes), cycling through the
    kinds, until `seconds` have passed or `should_stop()` says so. While `gate` is given and does not exist, each
    change's turn passes without one."""
    rng = random.Random(seed)
    log = WriteLog(interval_seconds=interval)
    started = time.monotonic()
    with app.app_context():
        found = candidates()
        db.session.remove()
        n = 0
        while not (should_stop and should_stop()):
            due = started + n * interval
            if seconds is not None and due - started >= seconds:
                break
            time.sleep(max(0.0, due - time.monotonic()))
            if should_stop and should_stop():
                break
            n += 1
            if gate is not None and not gate.exists():
                continue
            write_one(KINDS[log.attempts % len(KINDS)], found, rng, log)
    log.seconds = round(time.monotonic() - started, 1)
    return log


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make one public change every INTERVAL seconds through the "
                                                 "services, on DATABASE_URL, until stopped.")
    parser.add_argument("--interval", type=float, default=INTERVAL)
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long (default: when stopped)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True, help="where to write what was done, as JSON")
    parser.add_argument("--gate", type=Path, default=None, help="write only while this file exists")
    args = parser.parse_args(argv)
    stopping = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.append(True))
    log = run(create_app(), interval=args.interval, seconds=args.seconds, seed=args.seed,
              should_stop=lambda: bool(stopping), gate=args.gate)
    args.out.write_text(json.dumps(log.as_dict(), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
