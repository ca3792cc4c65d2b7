"""The URLs the benchmark asks for: what residents spread their reading over, drawn at random from what the
benchmark database really holds.

`load_vocabulary` reads, once, what a reader could ask about: the public engagements, their earlier versions,
the organisations taking part, the filters' values, the span of dates the report card covers. Each page group
(`realistic_groups`) then makes one URL per request from that vocabulary and a seeded random number generator:
a random record, a list with random filters and page numbers, a search for 1 to 3 words from a word list (so
most searches are for words nobody asked for since the process started), a report card for a random date range.
`same_url_groups` is the old benchmark's single URL for each page, kept as the "cache warm" mode.

What is public is asked of `publication.visibility.is_public_clause`, the service's own rule, so the generators
never ask for a page residents could not open.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import func, or_, select

from bench.text import FINDINGS, GROUPS, TOPICS, VENUES
from engage.activity.models import Activity
from engage.clock import today
from engage.engagements.models import Collaborator, Engagement, Lens, Step
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.publication.models import PublishedVersion
from engage.publication.visibility import is_public_clause
from engage.site.queries import DEFAULT_PER_PAGE, LEVELS, PUBLIC_STEPS, STATUSES
from engage.vocabularies.models import Area, Theme

STATIC_ASSET = "/assets/main.css"
# The cache-warm mode's searches and filtered list (tests/bench checks they find something).
ENGAGEMENT_SEARCH = "mental health"
INSIGHT_SEARCH = "relationships"
FILTER_THEME = "having-services-that-meet-needs"
FILTER_AREA = "rochdale"

# Words a resident might search for: the borough's own words, as the records use them, and a few that no record
# holds (a search that finds nothing is a search too).
UNUSED_WORDS = ("parking", "swimming", "allotments", "potholes", "libraries", "buses", "bins", "dentist",
                "council tax", "recycling", "playground", "broadband")
STOP_WORDS = frozenset((
    "about", "after", "again", "also", "and", "are", "around", "because", "been", "before", "being", "between",
    "both", "but", "can", "come", "could", "does", "each", "even", "every", "from", "gets", "have", "help",
    "here", "into", "just", "know", "like", "make", "many", "more", "most", "much", "need", "only", "other",
    "over", "people", "same", "should", "some", "still", "such", "than", "that", "their", "them", "then", "there",
    "these", "they", "this", "those", "through", "very", "want", "were", "what", "when", "where", "which",
    "while", "will", "with", "would", "your",
))
_WORD = re.compile(r"[a-z][a-z'-]{3,}")


def word_list() -> list[str]:
    """About 300 distinct words from the benchmark's texts, plus a few found nowhere, in a fixed order."""
    texts = [*(f"{t.stem} {t.subject} {t.service} {' '.join(t.themes)}" for t in TOPICS), *GROUPS, *VENUES,
             *FINDINGS]
    words = dict.fromkeys(w.strip("'-") for text in texts for w in _WORD.findall(text.lower()))
    return [w for w in words if w not in STOP_WORDS] + list(UNUSED_WORDS)


@dataclass
class Vocabulary:
    """What the benchmark database offers a reader, read once before the load starts."""

    slugs: list[str]  # every public engagement
    versions: list[tuple[str, int]]  # earlier versions of completed records: (slug, number)
    organisations: list[str]  # organisations leading or taking part in a public engagement
    themes: list[str]
    areas: list[str]
    years: list[int]
    list_pages: int  # pages of the unfiltered list
    first_day: date  # the report card's date ranges fall between these
    last_day: date
    typical_slug: str  # the completed record with the median amount of activity (the same-URL mode's)
    words: list[str] = field(default_factory=word_list)
    statuses: tuple[str, ...] = STATUSES
    steps: tuple[str, ...] = PUBLIC_STEPS
    levels: tuple[str, ...] = LEVELS
    lenses: tuple[str, ...] = tuple(lens.value for lens in Lens)


def load_vocabulary(app: Flask) -> Vocabulary:
    """Read the vocabulary from the application's database."""
    with app.app_context():
        public = select(Engagement.id).where(is_public_clause())
        slugs = list(db.session.scalars(select(Engagement.slug).where(is_public_clause()).order_by(Engagement.id)))
        if not slugs:
            raise SystemExit("The benchmark database has no public engagement: build it first.")
        latest = (select(PublishedVersion.engagement_id, func.max(PublishedVersion.number).label("latest"))
                  .group_by(PublishedVersion.engagement_id).subquery())
        versions = [(slug, number) for slug, number in db.session.execute(
            select(Engagement.slug, PublishedVersion.number)
            .join(PublishedVersion, PublishedVersion.engagement_id == Engagement.id)
            .join(latest, latest.c.engagement_id == Engagement.id)
            .where(is_public_clause(), Engagement.current_step == Step.COMPLETED,
                   PublishedVersion.number < latest.c.latest)
            .order_by(Engagement.id, PublishedVersion.number))]
        if not versions:  # a tiny database may have no corrected record: any version is still a version
            versions = [(slug, number) for slug, number in db.session.execute(
                select(Engagement.slug, PublishedVersion.number)
                .join(PublishedVersion, PublishedVersion.engagement_id == Engagement.id)
                .where(is_public_clause(), Engagement.current_step == Step.COMPLETED)
                .order_by(Engagement.id, PublishedVersion.number))]
        organisations = list(db.session.scalars(
            select(Organisation.slug).where(or_(
                Organisation.id.in_(public.with_only_columns(Engagement.lead_organisation_id)),
                Organisation.id.in_(select(Collaborator.organisation_id).where(Collaborator.engagement_id.in_(public)))
            )).order_by(Organisation.id)))
        themes = list(db.session.scalars(select(Theme.slug).where(Theme.is_active).order_by(Theme.position)))
        areas = list(db.session.scalars(select(Area.slug).where(Area.is_active).order_by(Area.position)))
        earliest = db.session.scalar(select(func.min(Engagement.start_date)).where(is_public_clause()))
        first_activity = db.session.scalar(select(func.min(Activity.occurred_on)))
        now = today()
        first_day = min(d for d in (earliest, first_activity, now) if d is not None)
        typical = _typical_completed_slug()
    return Vocabulary(
        slugs=slugs, versions=versions, organisations=organisations, themes=themes, areas=areas,
        years=list(range(first_day.year, now.year + 1)), list_pages=max(1, math.ceil(len(slugs) / DEFAULT_PER_PAGE)),
        first_day=first_day, last_day=now, typical_slug=typical or slugs[len(slugs) // 2])


def _typical_completed_slug() -> str | None:
    """The completed, public engagement with the median amount of activity: neither the smallest record nor the
    largest."""
    activity = (select(Activity.engagement_id, func.count().label("n")).group_by(Activity.engagement_id).subquery())
    rows = db.session.execute(
        select(Engagement.slug).outerjoin(activity, activity.c.engagement_id == Engagement.id)
        .where(is_public_clause(), Engagement.current_step == Step.COMPLETED)
        .order_by(func.coalesce(activity.c.n, 0), Engagement.id)).scalars().all()
    return rows[len(rows) // 2] if rows else None


# Making one URL ------------------------------------------------------------------------------------------------

def _with_query(path: str, pairs: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _page(rng: random.Random, pages: int) -> int:
    """Most readers stay on the first page; some go on a page or two; a few jump far."""
    roll = rng.random()
    if roll < 0.6 or pages <= 1:
        return 1
    if roll < 0.9:
        return rng.randint(2, min(pages, 3))
    return rng.randint(1, pages)


def _search_words(rng: random.Random, v: Vocabulary) -> str:
    return " ".join(rng.sample(v.words, k=rng.choice((1, 1, 2, 2, 2, 3))))


def _list_filters(rng: random.Random, v: Vocabulary) -> list[tuple[str, str]]:
    """None, one or two of the list's filters, with values from the database, in the order the form sends
    them."""
    offered: dict[str, Callable[[], str]] = {
        "status": lambda: rng.choice(v.statuses), "step": lambda: rng.choice(v.steps),
        "theme": lambda: rng.choice(v.themes), "area": lambda: rng.choice(v.areas),
        "level": lambda: rng.choice(v.levels), "organisation": lambda: rng.choice(v.organisations),
        "year": lambda: str(rng.choice(v.years)),
    }
    chosen = set(rng.sample(list(offered), k=rng.choice((0, 1, 1, 1, 2, 2))))
    return [(name, make()) for name, make in offered.items() if name in chosen]


def _filtered_pages(v: Vocabulary, pairs: list[tuple[str, str]]) -> int:
    # A filter leaves a fraction of the list; page numbers past its end are still pages people follow links to.
    return max(1, v.list_pages // (4 ** len(pairs)))


def engagement_page(rng: random.Random, v: Vocabulary) -> str:
    return f"/engagements/{rng.choice(v.slugs)}"


def json_record(rng: random.Random, v: Vocabulary) -> str:
    return f"/api/v1/engagements/{rng.choice(v.slugs)}"


def version_page(rng: random.Random, v: Vocabulary) -> str:
    slug, number = rng.choice(v.versions)
    return f"/engagements/{slug}/versions/{number}"


def version_json(rng: random.Random, v: Vocabulary) -> str:
    slug, number = rng.choice(v.versions)
    return f"/api/v1/engagements/{slug}/versions/{number}"


def home(_rng: random.Random, _v: Vocabulary) -> str:
    return "/"


def list_page(rng: random.Random, v: Vocabulary) -> str:
    pairs = _list_filters(rng, v)
    page = _page(rng, _filtered_pages(v, pairs))
    return _with_query("/engagements", pairs + ([("page", str(page))] if page > 1 else []))


def organisation_page(rng: random.Random, v: Vocabulary) -> str:
    page = _page(rng, 3)
    return _with_query(f"/organisations/{rng.choice(v.organisations)}", [("page", str(page))] if page > 1 else [])


def api_list(rng: random.Random, v: Vocabulary) -> str:
    pairs = _list_filters(rng, v)
    page = _page(rng, _filtered_pages(v, pairs))
    extra = [("page", str(page))] if page > 1 else []
    if rng.random() < 0.2:
        extra.append(("per_page", str(rng.choice((50, 100)))))
    return _with_query("/api/v1/engagements", pairs + extra)


def engagement_search(rng: random.Random, v: Vocabulary) -> str:
    pairs = [("q", _search_words(rng, v))]
    if rng.random() < 0.2:
        pairs += _list_filters(rng, v)[:1]
    if rng.random() < 0.1:
        pairs.append(("page", "2"))
    return _with_query("/engagements", pairs)


def insight_search(rng: random.Random, v: Vocabulary) -> str:
    pairs = [("q", _search_words(rng, v))]
    roll = rng.random()
    if roll < 0.1:
        pairs.append(("theme", rng.choice(v.themes)))
    elif roll < 0.2:
        pairs.append(("lens", rng.choice(v.lenses)))
    if rng.random() < 0.1:
        pairs.append(("page", "2"))
    return _with_query("/insights", pairs)


def report_card(rng: random.Random, v: Vocabulary) -> str:
    """The default (the last 12 months) now and then; otherwise a range from a week to three years, ending on a
    random day of the span: far more ranges than a run can ask for."""
    if rng.random() < 0.1:
        return "/report-card"
    span = (v.last_day - v.first_day).days
    end = v.first_day + timedelta(days=rng.randint(min(span, 30), span))
    start = max(v.first_day, end - timedelta(days=rng.randint(7, 3 * 365)))
    return _with_query("/report-card", [("from", start.isoformat()), ("to", end.isoformat())])


def feed(_rng: random.Random, _v: Vocabulary) -> str:
    return "/feed.atom"


def static_asset(_rng: random.Random, _v: Vocabulary) -> str:
    return STATIC_ASSET


# The page groups -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """What a page group should reach (issue 17's targets): a share of the static file's throughput, or a p95."""

    min_share_of_static: float | None = None
    max_p95_ms: float | None = None

    def describe(self) -> str:
        if self.min_share_of_static is not None:
            return f">= {self.min_share_of_static:.0%} of static"
        if self.max_p95_ms is not None:
            return f"p95 < {self.max_p95_ms:.0f} ms"
        return "baseline"


BASELINE = Target()
RECORD = Target(min_share_of_static=0.5)
LIST = Target(max_p95_ms=50)
SEARCH = Target(max_p95_ms=100)
REPORT = Target(max_p95_ms=150)


@dataclass(frozen=True)
class Group:
    """A page group: its name, how it makes a URL (or one fixed URL), and its target. `optional` pages answer
    404 when not built yet: reported as missing, not as errors."""

    name: str
    make: Callable[[random.Random, Vocabulary], str] | None = None
    path: str | None = None
    target: Target = BASELINE
    optional: bool = False

    def url(self, rng: random.Random, vocabulary: Vocabulary | None) -> str:
        """The next URL to ask for: the fixed one, or one made from the vocabulary."""
        if self.path is not None:
            return self.path
        assert self.make is not None
        return self.make(rng, vocabulary)


def realistic_groups() -> list[Group]:
    """Each page group of the realistic workload, the static file first (the baseline)."""
    return [
        Group("static asset", static_asset),
        Group("engagement page", engagement_page, target=RECORD),
        Group("JSON record", json_record, target=RECORD),
        Group("earlier version", version_page, target=RECORD),
        Group("earlier version JSON", version_json, target=RECORD),
        Group("home", home, target=LIST),
        Group("lists", list_page, target=LIST),
        Group("organisation pages", organisation_page, target=LIST),
        Group("API list", api_list, target=LIST),
        Group("engagement search", engagement_search, target=SEARCH),
        Group("insight search", insight_search, target=SEARCH),
        Group("report card", report_card, target=REPORT, optional=True),
        Group("Atom feed", feed, target=LIST),
    ]


def same_url_groups(v: Vocabulary) -> list[Group]:
    """The old benchmark: one URL for each page, asked again and again, so the page cache answers nearly all."""
    slug = v.typical_slug
    return [
        Group("static asset", path=STATIC_ASSET),
        Group("home", path="/", target=LIST),
        Group("engagements", path="/engagements", target=LIST),
        Group("engagements, last page", path=f"/engagements?page={v.list_pages}", target=LIST),
        Group("engagement search", path=_with_query("/engagements", [("q", ENGAGEMENT_SEARCH)]), target=SEARCH),
        Group("filtered list", path=_with_query("/engagements", [("theme", FILTER_THEME), ("area", FILTER_AREA)]),
              target=LIST),
        Group("engagement page", path=f"/engagements/{slug}", target=RECORD),
        Group("API list", path="/api/v1/engagements", target=LIST),
        Group("JSON record", path=f"/api/v1/engagements/{slug}", target=RECORD),
        Group("insight search", path=_with_query("/insights", [("q", INSIGHT_SEARCH)]), target=SEARCH),
        Group("report card", path="/report-card", target=REPORT, optional=True),
        Group("Atom feed", path="/feed.atom", target=LIST),
    ]
