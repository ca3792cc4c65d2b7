"""Builds the benchmark's own database at a chosen scale: migrated with Alembic, then filled with bulk inserts.

The database is never the development or test one. A SQLite file must have "bench" in its name (the
default is bench/data/bench.sqlite3); a PostgreSQL database must have "bench" in its name, or the URL must
put the work in a schema with "bench" in its name (`?options=-csearch_path=bench_x`). Anything else is
refused, because the build starts by wiping what is there.

Rows are written with SQLAlchemy Core `insert()` and lists of dicts, a chunk at a time, with ids assigned
here, so no row goes through the ORM. The public record of each completed engagement is built from the
generated values, in exactly the shape `engage.publication.record.build_record` gives (tests/bench checks
that), and the search documents are written the way `engage.search.index.refresh` writes them: the
SQLite full-text index is kept in step by the migration's triggers, PostgreSQL's by its GIN index.

    python -m bench.build --engagements 500
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask
from sqlalchemy import Connection, Table, create_engine, insert, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from bench.text import (
    BLOCKERS,
    FIRST_NAMES,
    GROUPS,
    LAST_NAMES,
    PUBLIC_BODIES,
    TOPICS,
    VCFSE_KINDS,
    VENUES,
    Topic,
    Writer,
    agreement_sections,
)
from engage.accounts.models import Role, TwoFactorMethod
from engage.activity.models import ActivityKind
from engage.agreements.models import AgreementStatus, MilestoneStatus, Party
from engage.agreements.services import content_hash
from engage.commitments.models import CommitmentStatus
from engage.engagements.models import CollaboratorRole, Lens, Level, LinkStatus, OutputKind, Step
from engage.engagements.services import normalise_slug
from engage.organisations.models import OrganisationKind
from engage.publication.record import AGREEMENT_COMMITMENTS
from engage.search.index import _texts, record_digest
from engage.vocabularies.models import CommunityGroup

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
DEFAULT_SQLITE = DATA_DIR / "bench.sqlite3"

DEFAULT_ENGAGEMENTS = 5_000
# Activities and insights scale with the engagements unless given: 100,000 and 50,000 at the default.
ACTIVITIES_PER_ENGAGEMENT = 20
INSIGHTS_PER_ENGAGEMENT = 10
DEFAULT_SEED = 2026

# Every date is before this moment, so the same seed builds the same database on any day.
ANCHOR = datetime(2026, 9, 30, 12, 0, tzinfo=UTC)
CHUNK = 5_000

# How the engagements are spread over the steps: most completed and published, every step represented.
STEP_SHARES = {"challenge": 0.04, "collaborators": 0.05, "frame": 0.06, "test": 0.08, "story": 0.05,
               "completed": 0.72}
STEPS = list(STEP_SHARES)
LEVEL_WEIGHTS = {"inform": 1, "consult": 3, "engage": 4, "co-design": 3, "co-produce": 2}
GUIDE_KEYS = ["decision_made", "input_can_change", "specific_community", "partner_budget", "enough_time",
              "lived_experience_ready"]
LENSES = ["lived_experience", "carers", "communities", "active_citizens", "workforce", "system_leaders"]
ACTIVITY_KINDS = ["workshop", "arts_participation", "social_activity", "community_event", "outreach", "interview",
                  "survey", "online", "other"]
OUTPUT_KINDS = ["report", "video", "toolkit", "case_study", "dataset", "photo", "presentation", "policy_change"]
HELD_BACK_SHARE = 0.03
CORRECTED_SHARE = 0.10
# Completed engagements whose record has commitments ("What now?").
COMMITMENT_SHARE = 0.7
BLOCKER_SHARE = 0.08


class UnsafeDatabase(ValueError):
    """The database named is not one the benchmark may wipe."""


@dataclass(frozen=True)
class Scale:
    engagements: int = DEFAULT_ENGAGEMENTS
    activities: int | None = None
    insights: int | None = None
    seed: int = DEFAULT_SEED

    @property
    def activity_count(self) -> int:
        return self.engagements * ACTIVITIES_PER_ENGAGEMENT if self.activities is None else self.activities

    @property
    def insight_count(self) -> int:
        return self.engagements * INSIGHTS_PER_ENGAGEMENT if self.insights is None else self.insights

    def as_dict(self) -> dict[str, int]:
        return {"engagements": self.engagements, "activities": self.activity_count,
                "insights": self.insight_count, "seed": self.seed}


CITY_ENGAGEMENTS = 50_000
# The named scales of `--scale`: the borough the targets are set for, and a city region ten times its size.
SCALES = {"default": Scale(), "city": Scale(engagements=CITY_ENGAGEMENTS, activities=1_000_000)}


@dataclass
class BuildResult:
    url: str
    scale: Scale
    rows: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)


# The target database ---------------------------------------------------------------------------------------

def normalise_url(url: str | None) -> str:
    """The database URL with the driver SQLAlchemy needs, as the service's config.py reads it; the default
    SQLite file when none is given."""
    url = (url or "").strip()
    if not url:
        return f"sqlite:///{DEFAULT_SQLITE}"
    for old in ("postgres://", "postgresql://"):
        if url.startswith(old):
            return "postgresql+psycopg://" + url[len(old):]
    return url


def search_path_schema(url: URL) -> str | None:
    """The schema named by `options=-csearch_path=...` in a PostgreSQL URL, if any."""
    options = url.query.get("options") or ""
    options = options if isinstance(options, str) else " ".join(options)
    for option in options.split():
        if option.startswith("-csearch_path="):
            return option.removeprefix("-csearch_path=").split(",")[0].strip('"')
    return None


def check_safe(url: str) -> None:
    """Refuse any database the benchmark must not wipe (see the module's docstring)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or "bench" not in Path(database).name:
            raise UnsafeDatabase(f"The benchmark builds a SQLite file with 'bench' in its name, not {database!r}.")
        return
    if parsed.get_backend_name() == "postgresql":
        schema = search_path_schema(parsed)
        if schema is not None:
            if "bench" not in schema:
                raise UnsafeDatabase(f"The benchmark's schema must have 'bench' in its name, not {schema!r}.")
            return
        if "bench" not in (parsed.database or ""):
            raise UnsafeDatabase("The benchmark wipes the database it builds: give a PostgreSQL database with "
                                 f"'bench' in its name (for example engage_bench), not {parsed.database!r}.")
        return
    raise UnsafeDatabase(f"The benchmark runs on SQLite or PostgreSQL, not {parsed.get_backend_name()}.")


def wipe(url: str) -> None:
    """Start from nothing: remove the SQLite file, or drop and re-create the PostgreSQL schema."""
    check_safe(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    schema = search_path_schema(parsed) or "public"
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()


def builder_app(url: str) -> Flask:
    from engage import create_app

    return create_app("development", {"SQLALCHEMY_DATABASE_URI": url, "MAIL_ECHO": False})


def migrate(app: Flask) -> None:
    """`flask db upgrade` against the benchmark's database."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


# Writing rows in bulk --------------------------------------------------------------------------------------

class Sink:
    """Rows waiting to be inserted, by table. When any table has a chunk's worth, every table is written,
    parents first, so foreign keys always find their rows."""

    def __init__(self, connection: Connection, tables: list[Table]):
        self.connection = connection
        self.order = tables
        self.buffers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.next_ids: dict[str, int] = defaultdict(lambda: 1)

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def add(self, table: str, row: dict[str, Any]) -> None:
        buffer = self.buffers[table]
        buffer.append(row)
        if len(buffer) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for table in self.order:
            rows = self.buffers.get(table.name)
            if rows:
                self.connection.execute(insert(table), rows)
                self.counts[table.name] += len(rows)
                self.buffers[table.name] = []


# Generating an engagement ----------------------------------------------------------------------------------

def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _at(moment: datetime) -> datetime:
    # Whole seconds, as a stored timestamp reads back the same on SQLite and PostgreSQL.
    return moment.replace(microsecond=0)


def allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders), each share at least `minimum`."""
    if not weights:
        return []
    base = minimum * len(weights)
    if total < base:
        raise ValueError(f"{total} is too few: at least {base} are needed at this scale")
    spare = total - base
    scale = sum(weights)
    exact = [spare * w / scale for w in weights]
    shares = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in by_remainder[: spare - sum(shares)]:
        shares[i] += 1
    return [share + minimum for share in shares]


def step_plan(rng: random.Random, count: int) -> list[str]:
    """The step each engagement is at: the shares in STEP_SHARES, every step at least once."""
    if count < len(STEPS):
        raise ValueError(f"Build at least {len(STEPS)} engagements, so that every step is represented")
    counts = allocate(count, list(STEP_SHARES.values()), 1)
    plan = [step for step, n in zip(STEPS, counts, strict=True) for _ in range(n)]
    rng.shuffle(plan)
    return plan


class Builder:
    """Generates the rows of every table, and the public record and search documents of each engagement,
    from one seeded random number generator."""

    def __init__(self, sink: Sink, scale: Scale, *, themes: list[dict[str, Any]], areas: list[dict[str, Any]],
                 communities: list[dict[str, Any]], licence: dict[str, str], hourly_rate_pence: int):
        self.sink = sink
        self.scale = scale
        self.rng = random.Random(scale.seed)
        self.write = Writer(self.rng)
        self.themes = themes
        self.theme_by_name = {t["name"]: t for t in themes}
        self.areas = areas
        self.area_by_id = {a["id"]: a for a in areas}
        self.communities = {c["id"]: c for c in communities}
        self.licence = licence
        self.hourly_rate_pence = hourly_rate_pence
        self.slugs: set[str] = set()
        self.public_orgs: list[dict[str, Any]] = []
        self.vcfse_orgs: list[dict[str, Any]] = []
        self.members: dict[int, list[dict[str, Any]]] = defaultdict(list)

    # Organisations and people ---------------------------------------------------------------------------

    def organisations(self) -> None:
        places = [a["name"] for a in self.areas]
        public_names = [f"Northbrook {body}" for body in PUBLIC_BODIES]
        vcfse_names = ["Common Ground Northbrook", "Healthwatch Northbrook"]
        combinations = [f"{place} {kind}" for kind in VCFSE_KINDS for place in places]
        self.rng.shuffle(combinations)
        wanted = max(8, self.scale.engagements // 25)
        vcfse_names += combinations[: wanted - len(vcfse_names)]
        vcfse_names += [f"Northbrook Community Network {n}" for n in range(1, wanted - len(vcfse_names) + 1)]
        for kind, names in (("public_sector", public_names), ("vcfse", vcfse_names)):
            for name in names:
                slug = normalise_slug(name)
                row = {"id": self.sink.new_id("organisations"), "name": name, "slug": slug, "kind": kind,
                       "description": self._organisation_description(kind, name),
                       "website": f"https://{slug}.example.org" if self.rng.random() < 0.7 else "",
                       "created_at": _at(ANCHOR - timedelta(days=2000)),
                       "updated_at": _at(ANCHOR - timedelta(days=1800))}
                self.sink.add("organisations", {**row, "kind": OrganisationKind(row["kind"])})
                (self.public_orgs if kind == "public_sector" else self.vcfse_orgs).append(row)
        leads_per_body = max(2, self.scale.engagements // 150)
        for organisation in self.public_orgs:
            for _ in range(leads_per_body):
                self._person(organisation, "lead")
        for organisation in self.vcfse_orgs:
            for _ in range(self.rng.randint(1, 3)):
                self._person(organisation, "partner")

    def _organisation_description(self, kind: str, name: str) -> str:
        if kind == "public_sector":
            return f"{name}: part of the borough's health and care system, working with its communities."
        return (f"A voluntary and community organisation working with {self.write.pick(GROUPS)} across the "
                f"borough. It runs sessions at the {self.write.pick(VENUES)} and is part of one of the "
                f"VCFSE-led networks.")

    def _person(self, organisation: dict[str, Any], role: str) -> None:
        user_id = self.sink.new_id("users")
        first, last = self.write.pick(FIRST_NAMES), self.write.pick(LAST_NAMES)
        row = {"id": user_id, "email": f"{first.lower()}.{last.lower()}.{user_id}@bench.example.org",
               "name": f"{first} {last}", "organisation_id": organisation["id"], "role": Role(role),
               "is_active": True, "password_hash": None, "password_changed_at": None,
               "two_factor_method": TwoFactorMethod.EMAIL, "totp_secret": None, "totp_last_step": None,
               "created_at": _at(ANCHOR - timedelta(days=1900)), "last_signed_in_at": None}
        self.sink.add("users", row)
        self.members[organisation["id"]].append(row)

    # Engagements ----------------------------------------------------------------------------------------

    def engagements(self) -> None:
        steps = step_plan(self.rng, self.scale.engagements)
        # Activity belongs to engagements that have reached the test step; its amount varies a lot.
        active = [i for i, step in enumerate(steps) if STEPS.index(step) >= STEPS.index("test")]
        weights = [self.rng.lognormvariate(0, 0.8) * (0.4 if steps[i] == "test" else 1.0) for i in active]
        activity_counts = dict(zip(active, allocate(self.scale.activity_count, weights, 1), strict=True))
        insight_counts = dict(zip(active, allocate(self.scale.insight_count,
                                                   [activity_counts[i] * self.rng.uniform(0.5, 1.5) for i in active],
                                                   0), strict=True))
        for index, step in enumerate(steps):
            self.engagement(step, activity_counts.get(index, 0), insight_counts.get(index, 0))

    def _slug(self, title: str) -> str:
        base = normalise_slug(title)
        slug, n = base, 2
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        return slug

    def engagement(self, step: str, activity_count: int, insight_count: int) -> None:
        rng, write = self.rng, self.write
        reached = STEPS.index(step)
        topic: Topic = write.pick(TOPICS)
        area = write.pick(self.areas) if rng.random() < 0.9 else None
        place = area["name"] if area else "the borough"
        lead_org = write.pick(self.public_orgs)
        lead = write.pick(self.members[lead_org["id"]])
        level = rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0]
        title = f"{topic.stem} in {place}" if rng.random() < 0.7 else f"{topic.stem}: {write.pick(GROUPS)}"
        title = title[:1].upper() + title[1:]
        e = SimpleNamespace(id=self.sink.new_id("engagements"), slug=self._slug(title), title=title, topic=topic,
                            place=place, step=step, reached=reached, lead_org=lead_org, lead=lead)

        # The timeline: opened, then each move on (and sometimes a step back and on again).
        moves = [(None, "challenge", "Opened")]
        for n in range(1, reached + 1):
            moves.append((STEPS[n - 1], STEPS[n], ""))
            if STEPS[n] == "test" and reached > 3 and rng.random() < 0.06:
                moves.append(("test", "frame", "The partners want to plan a test with the carers' network first."))
                moves.append(("frame", "test", ""))
        gaps = [timedelta(days=rng.uniform(7, 60), seconds=rng.randint(0, 86_399)) for _ in moves[1:]]
        quiet = timedelta(days=rng.uniform(1, 1_400) if step == "completed" else rng.uniform(1, 120))
        opened = _at(ANCHOR - sum(gaps, timedelta()) - quiet - timedelta(days=100))
        times = [opened]
        for gap in gaps:
            times.append(_at(times[-1] + gap))
        e.opened, e.last_move = opened, times[-1]
        start = (opened + timedelta(days=rng.randint(7, 30))).date()
        e.start, e.end = start, start + timedelta(weeks=rng.randint(8, 30))
        e.area = area
        e.themes = sorted(write.some(topic.themes, 1, 2) + write.some([t["name"] for t in self.themes], 0, 1),
                          key=lambda name: self.theme_by_name[name]["position"])
        e.themes = list(dict.fromkeys(e.themes))
        budget = None if rng.random() < 0.15 else rng.randint(0, 200) * 10_000
        held_back = 0 < reached < STEPS.index("completed") and rng.random() < HELD_BACK_SHARE

        story = write.story(topic, place) if reached >= STEPS.index("story") else dict.fromkeys(
            ("story_we_asked", "story_you_said", "story_we_did", "story_so_what", "story_what_now"), "")
        answers = {key: rng.random() < 0.6 for key in GUIDE_KEYS}
        e.row = {
            "id": e.id, "slug": e.slug, "title": title, "lead_organisation_id": lead_org["id"],
            "lead_user_id": lead["id"], "summary": write.summary(topic, place),
            "challenge_statement": write.challenge(topic, place), "why_now": write.why_now(topic),
            "area_id": area["id"] if area else None, "start_date": e.start, "end_date": e.end,
            "budget_pence": budget, "guide_answers": answers, "recommended_level": Level(level),
            "level": Level(level), "level_rationale": write.rationale(level), "current_step": Step(step),
            "held_back": held_back,
            "held_back_reason": "Held back while the partners agree what can be said about a safeguarding "
                                "concern." if held_back else "",
            **story,
            "get_involved": write.get_involved(topic, place) if rng.random() < 0.9 else "",
            "version": 1, "created_at": opened, "updated_at": times[-1],
        }
        self.sink.add("engagements", e.row)
        for name in e.themes:
            self.sink.add("engagement_themes", {"engagement_id": e.id, "theme_id": self.theme_by_name[name]["id"]})
        e.hooks = []
        for hook in write.some(topic.hooks, 1, 2):
            url = f"https://www.northbrook.example.org/plans/{normalise_slug(hook)}" if rng.random() < 0.6 else ""
            self.sink.add("engagement_hooks", {"id": self.sink.new_id("engagement_hooks"), "engagement_id": e.id,
                                               "title": hook, "url": url})
            e.hooks.append({"title": hook, "url": url or None})
        e.steps = []
        for (from_step, to_step, reason), at in zip(moves, times, strict=True):
            self.sink.add("step_changes", {"id": self.sink.new_id("step_changes"), "engagement_id": e.id,
                                           "from_step": Step(from_step) if from_step else None,
                                           "to_step": Step(to_step), "reason": reason, "actor_id": lead["id"],
                                           "occurred_at": at})
            e.steps.append({"from": from_step, "to": to_step, "at": _iso(at), "reason": reason})

        self._collaborators(e)
        self._agreement(e)
        self._updates(e)
        self._time_together(e)
        self._activity(e, activity_count, insight_count)
        self._outputs(e)
        self._publish(e)

    def _collaborators(self, e: SimpleNamespace) -> None:
        e.collaborators, e.partner = [], None
        if e.reached < STEPS.index("collaborators") or (e.reached == 1 and self.rng.random() < 0.2):
            return
        e.partner = self.write.pick(self.vcfse_orgs)
        chosen = [(e.partner, "vcfse_partner")]
        others = [o for o in self.vcfse_orgs if o is not e.partner]
        for organisation in self.write.some(others, 0, 2):
            role = "healthwatch" if organisation["name"].startswith("Healthwatch") else self.write.pick(
                ["community_group", "other"])
            chosen.append((organisation, role))
        if self.rng.random() < 0.3:
            partner_body = self.write.pick([o for o in self.public_orgs if o is not e.lead_org])
            chosen.append((partner_body, "public_sector_partner"))
        for organisation, role in chosen:
            self.sink.add("collaborators", {
                "id": self.sink.new_id("collaborators"), "engagement_id": e.id, "organisation_id": organisation["id"],
                "role": CollaboratorRole(role),
                "added_at": _at(e.opened + timedelta(days=3)), "added_by_id": e.lead["id"]})
            e.collaborators.append({**_public_org(organisation), "role": role})

    def _agreement(self, e: SimpleNamespace) -> None:
        e.agreement = None
        if e.partner is None:
            return
        signed = e.reached >= STEPS.index("frame")
        status = "signed" if signed else self.write.pick(["draft", "proposed", "proposed"])
        signatory = self.write.pick(self.members[e.partner["id"]])
        funding = self.rng.choice([0, 150_000, 300_000, 500_000, 1_000_000])
        agreement_id = self.sink.new_id("agreements")
        content = {**agreement_sections(self.write, e.topic, funding), "funding_pence": funding,
                   "review_date": e.end + timedelta(weeks=12), "public_signatory_id": e.lead["id"],
                   "vcfse_signatory_id": signatory["id"]}
        milestones = []
        for position in range(1, self.rng.randint(2, 4) + 1):
            due = e.start + timedelta(weeks=3 * position)
            status_now = "done" if e.reached == STEPS.index("completed") or due < e.last_move.date() else "not_started"
            milestones.append(SimpleNamespace(
                id=self.sink.new_id("agreement_milestones"), title=self.write.pick([
                    f"First gathering at the {self.write.pick(VENUES)}", "Peer researchers trained",
                    "Findings shared with the board", "Report of what people said", "Tests planned together"]),
                due_date=due, position=position, status=status_now))
        proposed_at = _at(e.opened + timedelta(days=10)) if status != "draft" else None
        signed_at = _at(e.opened + timedelta(days=12)) if signed else None
        # The hash the service itself records when the agreement is proposed.
        hashed = None if status == "draft" else content_hash(SimpleNamespace(
            **content, engagement_id=e.id, public_organisation_id=e.lead_org["id"],
            vcfse_organisation_id=e.partner["id"], version_number=1, varies_id=None, milestones=milestones))
        self.sink.add("agreements", {
            "id": agreement_id, "engagement_id": e.id, "public_organisation_id": e.lead_org["id"],
            "vcfse_organisation_id": e.partner["id"], "version_number": 1, "varies_id": None,
            "status": AgreementStatus(status), **content, "content_hash": hashed,
            "proposed_at": proposed_at, "signed_at": signed_at, "closed_at": None, "closed_reason": "",
            "created_by_id": e.lead["id"], "created_at": _at(e.opened + timedelta(days=4)), "lock_version": 1})
        for m in milestones:
            self.sink.add("agreement_milestones", {"id": m.id, "agreement_id": agreement_id, "title": m.title,
                                                   "due_date": m.due_date, "position": m.position,
                                                   "status": MilestoneStatus(m.status)})
        if not signed:
            return
        for party, user in (("public_sector", e.lead), ("vcfse", signatory)):
            self.sink.add("agreement_signatures", {
                "id": self.sink.new_id("agreement_signatures"), "agreement_id": agreement_id,
                "party": Party(party), "user_id": user["id"], "typed_name": user["name"],
                "content_hash": hashed, "signed_at": signed_at})
        commitments = {name: content[name] for name in AGREEMENT_COMMITMENTS}
        commitments["review_date"] = _iso(content["review_date"])
        e.agreement = {
            "version": 1,
            "parties": [{"role": "public_sector", **_public_org(e.lead_org)},
                        {"role": "vcfse", **_public_org(e.partner)}],
            "signed_at": _iso(signed_at), "content_sha256": hashed, "commitments": commitments,
            "milestones": [{"title": m.title, "due_date": _iso(m.due_date), "status": m.status} for m in milestones],
        }

    def _updates(self, e: SimpleNamespace) -> None:
        e.updates = []
        if e.reached == 0:
            return
        span = max(1, int((e.last_move - e.opened).total_seconds()))
        for _ in range(self.rng.randint(0, 6)):
            organisation = e.partner if e.partner is not None and self.rng.random() < 0.6 else e.lead_org
            at = _at(e.opened + timedelta(seconds=self.rng.randint(0, span)))
            body = self.write.update(e.topic, e.place)
            self.sink.add("progress_updates", {
                "id": self.sink.new_id("progress_updates"), "engagement_id": e.id, "body": body,
                "author_id": self.write.pick(self.members[organisation["id"]])["id"],
                "organisation_id": organisation["id"], "created_at": at})
            e.updates.append({"at": _iso(at), "organisation": organisation["name"], "text": body})

    def _time_together(self, e: SimpleNamespace) -> None:
        e.perspectives, e.ideas, e.tests, e.test_ids, e.idea_ids, e.idea_answers = [], [], [], [], [], []
        if e.reached < STEPS.index("frame"):
            return
        for _ in range(self.rng.randint(1, 3)):
            organisation = e.partner if self.rng.random() < 0.7 else None
            lens = self.write.pick(LENSES) if organisation is None or self.rng.random() < 0.6 else None
            text_ = self.write.perspective()
            self.sink.add("perspectives", {
                "id": self.sink.new_id("perspectives"), "engagement_id": e.id, "text": text_,
                "organisation_id": organisation["id"] if organisation else None, "lens": Lens(lens) if lens else None,
                "author_id": e.lead["id"], "created_at": _at(e.opened + timedelta(days=20))})
            e.perspectives.append({"text": text_, "attributed_to": organisation["name"] if organisation else None,
                                   "lens": lens})
        idea_ids = []
        for _ in range(self.rng.randint(1, 3)):
            text_, impact = self.write.idea()
            organisation = e.partner if self.rng.random() < 0.6 else None
            proposed_by = self.write.pick(["Peer support network members", "Residents at the gathering",
                                           "Front-line staff", f"{self.write.pick(GROUPS).capitalize()}"])
            idea_id = self.sink.new_id("ideas")
            idea_ids.append(idea_id)
            e.idea_ids.append(idea_id)
            self.sink.add("ideas", {
                "id": idea_id, "engagement_id": e.id, "text": text_, "proposed_by": proposed_by,
                "organisation_id": organisation["id"] if organisation else None, "imagined_impact": impact,
                "author_id": e.lead["id"], "created_at": _at(e.opened + timedelta(days=21))})
            e.ideas.append({"text": text_, "proposed_by": proposed_by,
                            "organisation": organisation["name"] if organisation else None,
                            "imagined_impact": impact})
            e.idea_answers.append({"kind": "idea", "text": text_,
                                   "attributed_to": organisation["name"] if organisation else None,
                                   "proposed_by": proposed_by})
        for _ in range(self.rng.randint(1, 3)):
            what, how, measure = self.write.planned_test(e.topic, e.place)
            resolved = e.reached >= STEPS.index("story") or (e.reached == STEPS.index("test")
                                                              and self.rng.random() < 0.5)
            dropped = resolved and self.rng.random() < 0.1
            happened, showed = self.write.test_result() if resolved and not dropped else ("", "")
            reason = "The venue closed, and the partners chose to put the time into the other test." if dropped else ""
            test_id = self.sink.new_id("planned_tests")
            e.test_ids.append(test_id)
            self.sink.add("planned_tests", {
                "id": test_id, "engagement_id": e.id, "idea_id": self.write.pick(idea_ids), "what": what,
                "how": how, "success_measure": measure, "author_id": e.lead["id"],
                "created_at": _at(e.opened + timedelta(days=22)), "result_what_happened": happened,
                "result_what_it_showed": showed, "dropped": dropped, "dropped_reason": reason,
                "resolved_at": _at(e.last_move) if resolved else None,
                "resolved_by_id": e.lead["id"] if resolved else None})
            e.tests.append({"what": what, "how": how, "success_measure": measure,
                            "status": "dropped" if dropped else ("result" if happened else "open"),
                            "what_happened": happened, "what_it_showed": showed, "dropped_reason": reason})

    def _activity(self, e: SimpleNamespace, activity_count: int, insight_count: int) -> None:
        rng, write = self.rng, self.write
        e.totals = {"activities": 0, "participants": 0, "volunteer_minutes": 0, "staff_minutes": 0,
                    "spend_pence": 0}
        e.reach = defaultdict(int)
        e.insights, e.insight_ids = [], []
        if not activity_count:
            return
        first, last = e.start, max(e.start, min(e.end, e.last_move.date()))
        days = (last - first).days
        activities = []
        for _ in range(activity_count):
            organisation = e.partner if e.partner is not None and rng.random() < 0.8 else e.lead_org
            occurred = first + timedelta(days=rng.randint(0, days))
            created = _at(datetime(occurred.year, occurred.month, occurred.day, 18, tzinfo=UTC)
                          + timedelta(seconds=rng.randint(0, 40_000)))
            participants = int(rng.paretovariate(1.6) * 6)
            volunteer = rng.randint(0, 16) * 30
            staff = rng.randint(1, 12) * 30
            spend = 0 if rng.random() < 0.5 else rng.randint(5, 500) * 100
            title, description = write.activity(e.topic, e.place)
            activity_id = self.sink.new_id("activities")
            user = write.pick(self.members[organisation["id"]])
            self.sink.add("activities", {
                "id": activity_id, "engagement_id": e.id, "organisation_id": organisation["id"],
                "logged_by_id": user["id"], "occurred_on": occurred, "kind": ActivityKind(write.pick(ACTIVITY_KINDS)),
                "title": title, "description": description,
                "area_id": e.area["id"] if e.area and rng.random() < 0.8 else None, "participants": participants,
                "volunteer_minutes": volunteer, "staff_minutes": staff, "spend_pence": spend, "milestone_id": None,
                "planned_test_id": write.pick(e.test_ids) if e.test_ids and rng.random() < 0.3 else None,
                "created_at": created, "updated_at": created, "unlocked_until": None, "version": 1})
            activities.append((activity_id, organisation, created))
            for key, value in (("participants", participants), ("volunteer_minutes", volunteer),
                               ("staff_minutes", staff), ("spend_pence", spend)):
                e.totals[key] += value
            for community_id in write.some(list(self.communities), 0, 4):
                count = rng.randint(1, max(1, participants))
                self.sink.add("activity_reach", {"id": self.sink.new_id("activity_reach"), "activity_id": activity_id,
                                                 "community_id": community_id, "count": count})
                e.reach[community_id] += count
        e.totals["activities"] = activity_count
        for _ in range(insight_count):
            activity_id, organisation, created = write.pick(activities)
            blocker = rng.random() < BLOCKER_SHARE
            text_ = write.pick(BLOCKERS) if blocker else write.insight()
            lens = write.pick(LENSES)
            attributed = organisation if rng.random() < 0.9 else None
            themes = sorted(write.some(e.themes + [t["name"] for t in self.themes], 1, 2),
                            key=lambda name: self.theme_by_name[name]["position"])
            themes = list(dict.fromkeys(themes))
            insight_id = self.sink.new_id("insights")
            self.sink.add("insights", {
                "id": insight_id, "activity_id": activity_id, "engagement_id": e.id, "text": text_,
                "lens": Lens(lens), "organisation_id": attributed["id"] if attributed else None,
                "system_blocker": blocker, "created_at": created})
            for name in themes:
                self.sink.add("insight_themes", {"insight_id": insight_id, "theme_id": self.theme_by_name[name]["id"]})
            e.insights.append((insight_id, {"text": text_, "lens": lens, "themes": themes,
                                            "attributed_to": attributed["name"] if attributed else None,
                                            "blocker": blocker}))
        # In the record's order: by id.
        ordered = sorted(e.insights, key=lambda pair: pair[0])
        e.insight_ids = [insight_id for insight_id, _ in ordered]
        e.insights = [insight for _, insight in ordered]

    def _outputs(self, e: SimpleNamespace) -> None:
        e.outputs = []
        if e.reached < STEPS.index("story"):
            return
        owner = e.partner or e.lead_org
        for n in range(1, self.rng.randint(1, 3) + 1):
            title = self.write.output(e.place)
            url = f"https://{owner['slug']}.example.org/reports/{e.slug}-{n}"
            kind = self.write.pick(OUTPUT_KINDS)
            description = f"{title}, written with the people who took part in {e.place}."
            self.sink.add("story_outputs", {
                "id": self.sink.new_id("story_outputs"), "engagement_id": e.id, "title": title,
                "kind": OutputKind(kind), "description": description, "url": url, "stored_name": None,
                "original_filename": "", "content_type": "", "size_bytes": 0, "author_id": e.lead["id"],
                "created_at": _at(e.last_move - timedelta(days=2)), "link_status": LinkStatus("unchecked"),
                "link_checked_at": None, "link_problem": "", "link_reported_at": None})
            e.outputs.append({"title": title, "kind": kind, "description": description, "url": url})

    # The public record and the search documents -----------------------------------------------------------

    def in_progress_part(self, e: SimpleNamespace, *, version: int | None, published_at: datetime | None,
                         versions: list[dict[str, Any]]) -> dict[str, Any]:
        row = e.row
        return {
            "slug": e.slug, "title": e.title, "summary": row["summary"],
            "status": "completed" if e.step == "completed" else "in_progress", "step": e.step,
            "level": row["level"].value, "level_rationale": row["level_rationale"], "version": version,
            "published_at": _iso(published_at), "lead_organisation": _public_org(e.lead_org),
            "collaborators": e.collaborators,
            "challenge": {"statement": row["challenge_statement"], "why_now": row["why_now"]},
            "hooks": e.hooks, "area": e.area["name"] if e.area else None, "themes": e.themes,
            "dates": {"start": _iso(e.start), "end": _iso(e.end)}, "steps": e.steps, "updates": e.updates,
            "get_involved": row["get_involved"], "versions": versions, "licence": self.licence,
        }

    def full_record(self, e: SimpleNamespace, *, version: int, published_at: datetime,
                    versions: list[dict[str, Any]], with_commitments: bool = False) -> dict[str, Any]:
        totals = e.totals
        reach = sorted(e.reach.items(), key=lambda item: self.communities[item[0]]["position"])
        return {
            **self.in_progress_part(e, version=version, published_at=published_at, versions=versions),
            "agreement": e.agreement,
            "activity_summary": {
                "activities": totals["activities"], "participants": totals["participants"],
                "volunteer_hours": round(totals["volunteer_minutes"] / 60, 2),
                "staff_hours": round(totals["staff_minutes"] / 60, 2),
                "in_kind_value_pence": round(totals["volunteer_minutes"] * self.hourly_rate_pence / 60),
                "reach": [{"group": self.communities[cid]["group_label"], "community": self.communities[cid]["name"],
                           "count": count} for cid, count in reach],
            },
            "perspectives": e.perspectives, "ideas": e.ideas, "insights": e.insights, "tests": e.tests,
            "outputs": e.outputs,
            "story": {"we_asked": e.row["story_we_asked"], "you_said": e.row["story_you_said"],
                      "we_did": e.row["story_we_did"], "so_what": e.row["story_so_what"],
                      "what_now": e.row["story_what_now"]},
            "budget": {"planned_pence": e.row["budget_pence"], "spent_pence": totals["spend_pence"]},
            "commitments": e.commitments if with_commitments else [],
        }

    def _publish(self, e: SimpleNamespace) -> None:
        if e.reached == 0 or e.row["held_back"]:
            return  # not public: no record, no search documents
        if e.step != "completed":
            self._documents(e, self.in_progress_part(e, version=None, published_at=None, versions=[]), e.last_move)
            return
        published = [(e.last_move, "First publication.")]
        corrected_at = _at(e.last_move + timedelta(days=self.rng.uniform(3, 60)))
        if self.rng.random() < CORRECTED_SHARE and corrected_at < ANCHOR:
            published.append((corrected_at, "Corrected the reach figures after the partner's final count."))
        # The service publishes a version for each commitment change; here one version brings them all in.
        if self._commitments(e, after=published[-1][0]):
            published.append((e.commitments_at, "What happens next: commitments added and brought up to date."))
        listed: list[dict[str, Any]] = []
        record: dict[str, Any] = {}
        for number, (at, note) in enumerate(published, start=1):
            listed = [*listed, {"version": number, "published_at": _iso(at), "change_note": note}]
            record = self.full_record(e, version=number, published_at=at, versions=listed,
                                      with_commitments=number == len(published) and bool(e.commitments))
            self.sink.add("published_versions", {
                "id": self.sink.new_id("published_versions"), "engagement_id": e.id, "number": number,
                "published_at": at, "change_note": note, "record": record, "published_by_id": e.lead["id"]})
        self._documents(e, record, published[-1][0])

    def _commitments(self, e: SimpleNamespace, *, after: datetime) -> bool:
        """Most completed engagements' "What now?": a few commitments in every state, with dated updates.
        True if there are any (published in a version of their own at `e.commitments_at`)."""
        rng, write = self.rng, self.write
        e.commitments = []
        e.commitments_at = _at(after + timedelta(days=rng.uniform(20, 200)))
        if rng.random() > COMMITMENT_SHARE or e.commitments_at >= ANCHOR:
            return False
        made = _at(after + timedelta(days=rng.uniform(1, 7)))
        as_of = e.commitments_at.date()
        answers = [{"id": insight_id, "kind": "insight", "text": insight["text"],
                    "attributed_to": insight["attributed_to"], "proposed_by": None}
                   for insight_id, insight in zip(e.insight_ids, e.insights, strict=True)]
        listed: list[tuple[tuple[date, int], dict[str, Any]]] = []
        for _ in range(rng.randint(1, 3)):
            commitment_id = self.sink.new_id("commitments")
            due = made.date() + timedelta(days=rng.randint(30, 300))
            status = rng.choices(["planned", "in_progress", "done", "not_going_ahead"], weights=[3, 4, 4, 1])[0]
            if status == "done" and due > as_of and rng.random() < 0.5:
                status = "in_progress"
            updates, progress, done_on = [], None, None
            moved_from = "planned"
            steps = {"planned": [], "in_progress": ["in_progress"], "done": ["in_progress", "done"],
                     "not_going_ahead": ["not_going_ahead"]}[status]
            on = made.date()
            for moved_to in steps:
                on = min(as_of, on + timedelta(days=rng.randint(5, 60)))
                progress = 100 if moved_to == "done" else (rng.randint(1, 9) * 10 if moved_to == "in_progress"
                                                           else progress)
                body = write.commitment_update(e.topic, e.place)
                updates.append({"on": on, "text": body, "status_from": moved_from, "status_to": moved_to,
                                "progress_percent": progress})
                moved_from = moved_to
            if status == "done":
                done_on = on
            reason = ("The building is being sold; the partners are looking for another venue nearby."
                      if status == "not_going_ahead" else "")
            action = write.commitment(e.topic, e.place)
            responsible = e.partner if e.partner is not None and rng.random() < 0.4 else e.lead_org
            cited = write.some(answers, 0, 2)
            ideas = write.some(list(zip(e.idea_ids, e.idea_answers, strict=True)), 0, 1)
            self.sink.add("commitments", {
                "id": commitment_id, "engagement_id": e.id, "action": action,
                "responsible_organisation_id": responsible["id"], "due_date": due,
                "status": CommitmentStatus(status), "reason": reason, "progress_percent": progress,
                "done_on": done_on, "created_at": made, "created_by_id": e.lead["id"],
                "updated_at": e.commitments_at, "version": 1 + len(updates)})
            for answer in sorted(cited, key=lambda a: a["id"]):
                self.sink.add("commitment_insights", {"commitment_id": commitment_id, "insight_id": answer["id"]})
            for idea_id, _ in ideas:
                self.sink.add("commitment_ideas", {"commitment_id": commitment_id, "idea_id": idea_id})
            for update in updates:
                self.sink.add("commitment_updates", {
                    "id": self.sink.new_id("commitment_updates"), "commitment_id": commitment_id,
                    "occurred_on": update["on"], "body": update["text"],
                    "status_from": CommitmentStatus(update["status_from"]),
                    "status_to": CommitmentStatus(update["status_to"]), "progress_percent": update["progress_percent"],
                    "author_id": e.lead["id"], "created_at": _at(datetime.combine(update["on"], datetime.min.time(),
                                                                                  tzinfo=UTC))})
            listed.append(((due, commitment_id), {
                "action": action, "responsible_organisation": _public_org(responsible), "due_date": _iso(due),
                "status": status, "reason": reason or None, "progress_percent": progress, "done_on": _iso(done_on),
                "answers": [{key: value for key, value in a.items() if key != "id"}
                            for a in sorted(cited, key=lambda a: a["id"])] + [answer for _, answer in ideas],
                "updates": [{**u, "on": _iso(u["on"])} for u in updates],
            }))
        # In the record's order: soonest due first.
        e.commitments = [commitment for _, commitment in sorted(listed, key=lambda pair: pair[0])]
        return True

    def _documents(self, e: SimpleNamespace, record: dict[str, Any], changed_at: datetime) -> None:
        """The engagement's search documents, as `search.refresh` writes them."""
        published_at = datetime.fromisoformat(record["published_at"]) if record.get("published_at") else None
        body = {key: value for key, value in record.items() if key != "title"}
        self.sink.add("search_documents", _document(
            id=self.sink.new_id("search_documents"), engagement_id=e.id, kind="engagement", position=0,
            title=record["title"], body="\n".join(_texts(body)), published_at=published_at,
            record_sha256=record_digest(record), changed_at=changed_at, data={}))
        if record["status"] != "completed":
            return
        for position, insight in enumerate(record.get("insights") or [], start=1):
            document_id = self.sink.new_id("search_documents")
            self.sink.add("search_documents", _document(
                id=document_id, engagement_id=e.id, kind="insight", position=position, title="",
                body="\n".join(_texts({key: insight.get(key) for key in ("text", "attributed_to", "themes")})),
                lens=insight.get("lens"), blocker=bool(insight.get("blocker")), published_at=published_at,
                changed_at=changed_at,
                data={**insight, "engagement": {"slug": record["slug"], "title": record["title"],
                                                "version": record.get("version")}}))
            for theme_id in sorted({self.theme_by_name[name]["id"] for name in insight["themes"]}):
                self.sink.add("search_document_themes", {"document_id": document_id, "theme_id": theme_id})


def _document(**values: Any) -> dict[str, Any]:
    return {"lens": None, "blocker": False, "record_sha256": "", **values}


def _public_org(row: dict[str, Any]) -> dict[str, str]:
    return {"name": row["name"], "slug": row["slug"], "kind": row["kind"]}


# The whole build -------------------------------------------------------------------------------------------

@contextmanager
def _timed(seconds: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    seconds[name] = round(time.perf_counter() - started, 2)


def _vocabularies(connection: Connection) -> tuple[list[dict], list[dict], list[dict]]:
    themes = [dict(r) for r in connection.execute(text("SELECT id, name, slug, position FROM themes "
                                                       "WHERE is_active ORDER BY position")).mappings()]
    areas = [dict(r) for r in connection.execute(text("SELECT id, name, slug, parent_id FROM areas "
                                                      "WHERE is_active ORDER BY position")).mappings()]
    communities = [dict(r) | {"group_label": CommunityGroup(r["group"]).label} for r in connection.execute(
        text('SELECT id, name, "group", position FROM communities WHERE is_active ORDER BY position')).mappings()]
    return themes, areas, communities


def _fix_sequences(connection: Connection, tables: list[Table]) -> None:
    """Ids were given explicitly: move PostgreSQL's sequences past them, so the service can add rows."""
    for table in tables:
        if "id" in table.c and table.c.id.primary_key:
            # Table names come from the models, not from input.
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                                    f"GREATEST((SELECT MAX(id) FROM {table.name}), 1))"))


def fill(app: Flask, scale: Scale) -> dict[str, int]:
    """Fill a freshly migrated database. Returns the rows written, by table."""
    from engage.extensions import db
    from engage.publication import listing
    from engage.publication.licence import licence
    from engage.reporting import daily as report_days
    from engage.site import cards, record_pages

    with app.app_context():
        tables = list(db.metadata.sorted_tables)
        licence_ = licence()
        rate = app.config["IN_KIND_HOURLY_RATE_PENCE"]
        with db.engine.begin() as connection:
            themes, areas, communities = _vocabularies(connection)
            sink = Sink(connection, tables)
            builder = Builder(sink, scale, themes=themes, areas=areas, communities=communities, licence=licence_,
                              hourly_rate_pence=rate)
            builder.organisations()
            builder.engagements()
            sink.flush()
            listing.refresh_all(connection)  # the list keys publishing would have stored
            report_days.refresh_all(connection)  # the report card's day totals activity would have kept
            if connection.dialect.name == "postgresql":
                _fix_sequences(connection, [t for t in tables if t.name in sink.counts])
        record_pages.fill_missing()  # the stored record pages publishing would have built
        cards.fill_missing()  # the list cards publishing would have stored
        if db.engine.dialect.name == "postgresql":
            # A long-running database has had its statistics gathered by autovacuum; a new one has not yet.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
        db.engine.dispose()
    return dict(sink.counts)


def build(url: str | None, scale: Scale) -> BuildResult:
    """Wipe, migrate and fill the benchmark database. Refuses a database that is not the benchmark's."""
    url = normalise_url(url)
    check_safe(url)
    result = BuildResult(url=url, scale=scale, rows={})
    with _timed(result.seconds, "total"):
        with _timed(result.seconds, "wipe_and_migrate"):
            wipe(url)
            app = builder_app(url)
            migrate(app)
        with _timed(result.seconds, "fill"):
            result.rows = fill(app, scale)
    return result


def add_scale_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", choices=sorted(SCALES), default="default",
                        help="default: 5,000 engagements and 100,000 activities; city: 50,000 engagements and "
                             "1,000,000 activities (PostgreSQL only). --engagements and the others override it")
    parser.add_argument("--engagements", type=int, default=None,
                        help=f"engagements to build (default {DEFAULT_ENGAGEMENTS:,})")
    parser.add_argument("--activities", type=int, default=None,
                        help=f"activities (default {ACTIVITIES_PER_ENGAGEMENT} per engagement)")
    parser.add_argument("--insights", type=int, default=None,
                        help=f"insights (default {INSIGHTS_PER_ENGAGEMENT} per engagement)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed: the same seed, the same data")


def scale_from(args: argparse.Namespace, url: str | None = None) -> Scale:
    """The scale asked for: a named scale, with any count given on its own taking its place. The city scale is
    refused on SQLite (ValueError): one file with a million activities is not how a city would run the service."""
    named = SCALES[getattr(args, "scale", "default")]
    # No URL is the default SQLite file, as `build` reads it.
    if named.engagements >= CITY_ENGAGEMENTS and make_url(normalise_url(url)).get_backend_name() == "sqlite":
        raise ValueError("--scale city builds 50,000 engagements and 1,000,000 activities on PostgreSQL only: set "
                         "DATABASE_URL to a PostgreSQL database with 'bench' in its name")
    return Scale(engagements=args.engagements if args.engagements is not None else named.engagements,
                 activities=args.activities if args.activities is not None else named.activities,
                 insights=args.insights if args.insights is not None else named.insights, seed=args.seed)


def main(argv: list[str] | None = None) -> None:
    import os

    parser = argparse.ArgumentParser(description="Build the benchmark database (DATABASE_URL, or a SQLite file "
                                                 "under bench/data/).")
    add_scale_arguments(parser)
    args = parser.parse_args(argv)
    try:
        scale = scale_from(args, os.environ.get("DATABASE_URL"))
    except ValueError as refusal:
        raise SystemExit(f"Refused: {refusal}") from None
    result = build(os.environ.get("DATABASE_URL"), scale)
    print(f"Built {make_url(result.url).render_as_string(hide_password=True)} in {result.seconds['total']} s: "
          + ", ".join(f"{result.rows.get(t, 0):,} {t}" for t in ("engagements", "activities", "insights",
                                                                  "published_versions", "search_documents")))


if __name__ == "__main__":
    main()
