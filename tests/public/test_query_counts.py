"""Public pages and open data run the same SQL whatever the amount of data: the same number of queries
with 5 public engagements and with 500, and list pages never fetch more rows than a page shows. The files
that list everything (CSV, sitemap) read in fixed-size batches, never a query per engagement.

Statements are counted as the database driver receives them (`before_cursor_execute`), so lazy loads,
per-item queries and anything else a page does are all seen. Rows are counted by running each captured
SELECT again, with its parameters, after the request.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, select

from engage.demo.seed import seed
from engage.engagements import files
from engage.engagements import services as engagements
from engage.engagements.models import Engagement, OutputKind, Step
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.publication import services as publishing
from engage.publication.visibility import is_public
from engage.reporting.charts import CHARTS
from engage.site.queries import DEFAULT_PER_PAGE, MAX_PER_PAGE
from tests.public.scale import copy_engagements

COMPLETED = "neighbourhood-support-in-langley"
IN_PROGRESS = "staying-well-at-home"
ORGANISATION = "common-ground-northbrook"
AREA = "kirkholt"
THEME = "having-services-that-meet-needs"
# A period wide enough to hold every date the demo seed gives, whatever day the tests run on.
REPORT_PERIOD = "from=2000-01-01&to=2100-12-31"

# Every public page and open-data file whose work should not grow with the data
# (tests/public/test_every_public_address_is_measured.py fails if a public address is missing).
PAGES = [
    "/",
    "/engagements",
    "/engagements?status=completed",
    "/engagements?theme=having-services-that-meet-needs&step=test",
    "/engagements?q=neighbourhood",
    f"/engagements/{COMPLETED}",
    f"/engagements/{COMPLETED}/versions/1",
    f"/engagements/{IN_PROGRESS}",
    f"/organisations/{ORGANISATION}",
    "/insights",
    "/insights?q=relationships",
    "/insights?blocker=yes",
    "/open-data",
    "/feed.atom",
    "/api/v1/engagements",
    "/api/v1/engagements?status=in_progress&per_page=50",
    "/api/v1/engagements?q=phone",
    f"/api/v1/engagements/{COMPLETED}",
    f"/api/v1/engagements/{COMPLETED}/versions/2",
    f"/api/v1/engagements/{IN_PROGRESS}",
    "/api/v1/openapi.json",
    "/accessibility",
    "/privacy",
    "/brand.css",
    "/healthz",
    f"/follow/engagement/{COMPLETED}",
    f"/follow/engagement/{IN_PROGRESS}/check-your-email",
    f"/follow/area/{AREA}",
    f"/follow/theme/{THEME}",
]
# Every chart of the report card: tests/reporting/test_scale.py measures the page, its CSV and JSON and two of
# the charts as activity grows; here each chart also sees 500 published records.
REPORT_CARD_CHARTS = [f"/report-card/charts/{name}.svg?{REPORT_PERIOD}" for name in CHARTS]
PAGES += REPORT_CARD_CHARTS
# Files that list every public engagement: they read the records in batches of a fixed size.
FULL_DOWNLOADS = ["/engagements.csv", "/sitemap.xml"]
LIST_PAGES = [url for url in PAGES if url.split("?")[0] in ("/", "/engagements", "/insights", "/api/v1/engagements")
              or url.startswith("/organisations/") or url == "/feed.atom"]


@dataclass
class Statement:
    sql: str
    parameters: Any


@contextmanager
def statements_run() -> Iterator[list[Statement]]:
    seen: list[Statement] = []

    def before_cursor_execute(_conn, _cursor, statement, parameters, _context, _executemany) -> None:
        seen.append(Statement(statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


def rows_returned(statement: Statement) -> int:
    with db.engine.connect() as connection:
        return len(connection.exec_driver_sql(statement.sql, statement.parameters).fetchall())


def _is_select(statement: Statement) -> bool:
    return statement.sql.lstrip().upper().startswith(("SELECT", "WITH"))


@dataclass
class Measure:
    queries: int
    most_rows: int  # the most rows any one statement returned
    statements: list[Statement]


def measure(client, url: str) -> Measure:
    # Once first, so one-off work (the first connection, a template cache) is not counted.
    assert client.get(url).status_code == 200, url
    with statements_run() as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    selects = [s for s in seen if _is_select(s)]
    return Measure(queries=len(seen), most_rows=max((rows_returned(s) for s in selects), default=0),
                   statements=seen)


def public_count() -> int:
    return sum(1 for e in db.session.scalars(select(Engagement)) if is_public(e))


def grow_to(total_public: int) -> None:
    templates = [e.id for e in db.session.scalars(select(Engagement).order_by(Engagement.id)) if is_public(e)]
    copy_engagements(templates, total_public - public_count())
    assert public_count() == total_public


@pytest.fixture
def five_public_engagements(app) -> None:
    seed()
    db.session.commit()
    assert public_count() == 5
    completed = db.session.scalar(select(Engagement).where(Engagement.slug == COMPLETED))
    assert completed.current_step is Step.COMPLETED
    assert db.session.scalar(select(Organisation.id).where(Organisation.slug == ORGANISATION))


def _difference(url: str, small: Measure, large: Measure) -> str:
    def shapes(m: Measure) -> list[str]:
        return [" ".join(s.sql.split())[:160] for s in m.statements]

    extra = [sql for sql in shapes(large)]
    for sql in shapes(small):
        if sql in extra:
            extra.remove(sql)
    return f"{url}: {small.queries} queries with 5 engagements, {large.queries} with 500; extra: {extra[:5]}"


def test_every_public_page_and_api_endpoint_runs_the_same_number_of_queries_with_5_and_500_engagements(
        app, client, five_public_engagements):
    small = {url: measure(client, url) for url in PAGES}

    grow_to(500)
    large = {url: measure(client, url) for url in PAGES}

    grown = [_difference(url, small[url], large[url]) for url in PAGES if small[url].queries != large[url].queries]
    assert grown == []
    assert all(m.queries <= 25 for m in large.values()), {url: m.queries for url, m in large.items()}


@pytest.fixture
def published_file(app, tmp_path, monkeypatch, five_public_engagements) -> str:
    """The address of an uploaded file the completed engagement publishes in a third version (the demo's
    outputs are all links). Not part of `five_public_engagements`: publishing again makes the completed
    engagement the latest change, which would change what the first page of each list shows."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    completed = db.session.scalar(select(Engagement).where(Engagement.slug == COMPLETED))
    output = engagements.add_output(
        completed, actor=completed.lead_user, title="Visits by ward", kind=OutputKind.DATASET,
        description="Counts of visits.", upload=files.store(io.BytesIO(b"ward,visits\nLangley,120\n"), "visits.csv"))
    publishing.publish(completed, actor=completed.lead_user, change_note="Added the visits by ward.")
    db.session.commit()
    return f"/engagements/{COMPLETED}/outputs/{output.id}"


def test_a_published_file_runs_the_same_queries_and_rows_with_5_and_500_engagements(app, client, published_file):
    small = measure(client, published_file)

    grow_to(500)
    large = measure(client, published_file)

    assert (large.queries, large.most_rows) == (small.queries, small.most_rows), _difference(
        published_file, small, large)


def test_list_pages_never_fetch_more_rows_than_a_page_shows(app, client, five_public_engagements):
    grow_to(500)
    # Each shown item brings a few rows of each kind (hooks, themes, collaborators, steps, updates), each
    # kind in its own statement; nothing may bring rows for every engagement, version or insight there is.
    per_item = max(max(len(e.hooks), len(e.themes), len(e.collaborators), len(e.step_changes), len(e.updates))
                   for e in db.session.scalars(select(Engagement)))
    budget = DEFAULT_PER_PAGE * per_item
    assert budget * 50 / DEFAULT_PER_PAGE < 500, "the check would not notice a page fetching every engagement"

    too_many = {}
    for url in LIST_PAGES:
        per_page = int(parse_qs(urlsplit(url).query).get("per_page", [DEFAULT_PER_PAGE])[0])
        found = measure(client, url)
        if found.most_rows > budget * per_page / DEFAULT_PER_PAGE:
            too_many[url] = found.most_rows
    assert too_many == {}


def test_the_engagement_page_fetches_the_same_rows_whatever_else_is_public(app, client, five_public_engagements):
    # The rows the report card fetches are tests/reporting/test_scale.py's to check (`most_rows`).
    detail = [url for url in PAGES if url not in LIST_PAGES and url not in REPORT_CARD_CHARTS]
    small = {url: measure(client, url).most_rows for url in detail}

    grow_to(500)

    assert {url: measure(client, url).most_rows for url in detail} == small


def test_full_downloads_read_in_batches_never_a_query_per_engagement(app, client, five_public_engagements):
    small = {url: measure(client, url).queries for url in FULL_DOWNLOADS}

    grow_to(500)
    large = {url: measure(client, url).queries for url in FULL_DOWNLOADS}

    # One batch covers the five; 500 take at most five batches of the same work, far fewer than 500 queries.
    batches = -(-500 // MAX_PER_PAGE)
    assert {url: large[url] <= small[url] * batches for url in FULL_DOWNLOADS} == dict.fromkeys(FULL_DOWNLOADS, True), (
        small, large)
