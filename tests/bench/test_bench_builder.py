"""The benchmark's database builder, at a small scale: the database it writes is one the service itself
could have written. Its published records are the ones `build_record` makes and the API's schema allows,
its search documents are the ones `search.refresh` writes, and the real public pages serve them.

The database is built into a SQLite file of its own, or a schema of its own in the suite's PostgreSQL
database, never the suite's tables.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import func, select

from bench.build import Builder, Scale, UnsafeDatabase, build, check_safe
from bench.urls import ENGAGEMENT_SEARCH, FILTER_AREA, FILTER_THEME, INSIGHT_SEARCH
from engage.activity.models import Activity, Insight
from engage.agreements.models import Agreement, AgreementStatus
from engage.agreements.services import content_hash
from engage.clock import today
from engage.commitments.public import with_overdue
from engage.engagements.models import Engagement, Step
from engage.extensions import db
from engage.opendata import openapi
from engage.publication.record import build_record, in_progress_record
from engage.publication.services import versions_of
from engage.publication.visibility import is_public
from engage.search.index import SearchDocument, refresh, search_document_themes
from engage.site.queries import Filters, list_public_engagements, search_insights
from tests.bench.databases import SCALE
from tests.public.api_schema import assert_valid


def _engagements() -> list[Engagement]:
    return list(db.session.scalars(select(Engagement).order_by(Engagement.id)))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_database_has_the_scale_asked_for_with_every_step_represented(bench):
    engagements = _engagements()

    assert len(engagements) == SCALE.engagements
    assert _count(Activity) == SCALE.activity_count == 800
    assert _count(Insight) == SCALE.insight_count == 400
    assert {e.current_step for e in engagements} == set(Step)
    completed = [e for e in engagements if e.current_step is Step.COMPLETED]
    assert len(completed) > len(engagements) / 2


def test_each_engagement_has_what_its_step_needs(bench):
    activities = dict(db.session.execute(select(Activity.engagement_id, func.count()).group_by(Activity.engagement_id))
                      .tuples().all())
    for engagement in _engagements():
        reached = engagement.current_step.number
        assert engagement.step_changes[0].to_step is Step.CHALLENGE
        assert engagement.step_changes[-1].to_step is engagement.current_step
        if reached >= Step.FRAME.number:
            signed = db.session.scalars(select(Agreement).where(Agreement.engagement_id == engagement.id,
                                                                Agreement.status == AgreementStatus.SIGNED)).one()
            # The hash is the one the service computes from the agreement's content, and both parties signed it.
            assert signed.content_hash == content_hash(signed)
            assert {(s.party.value, s.content_hash) for s in signed.signatures} == {
                ("public_sector", signed.content_hash), ("vcfse", signed.content_hash)}
            assert signed.vcfse_organisation_id in engagement.collaborating_organisation_ids()
            assert engagement.perspectives and engagement.ideas and engagement.planned_tests
        if reached >= Step.TEST.number:
            assert activities.get(engagement.id, 0) >= 1
        if reached >= Step.STORY.number:
            assert all(test.is_resolved for test in engagement.planned_tests)
            assert engagement.story_we_asked and engagement.story_what_now
        if engagement.current_step is Step.COMPLETED:
            assert versions_of(engagement.id)


def _version_list(engagement: Engagement, upto: int) -> list[dict[str, Any]]:
    return [{"version": v.number, "published_at": v.published_at.isoformat(), "change_note": v.change_note}
            for v in versions_of(engagement.id) if v.number <= upto]


def test_published_records_are_what_build_record_makes_and_what_the_api_schema_allows(bench):
    document = openapi.document()
    checked = 0
    with_commitments = 0
    for engagement in _engagements():
        versions = versions_of(engagement.id)
        for version in versions:
            built = build_record(engagement, version=version.number, published_at=version.published_at,
                                 versions=_version_list(engagement, version.number))
            if version is not versions[-1]:
                # Commitments come after publication, so only the latest version holds today's.
                assert version.record["commitments"] == [], engagement.slug
                built["commitments"] = []
            assert json.loads(json.dumps(built)) == version.record, engagement.slug
            with_commitments += bool(version.record["commitments"])
            assert_valid(document, "Record", version.record)
            checked += 1
        if is_public(engagement) and engagement.current_step is not Step.COMPLETED:
            assert_valid(document, "Record", in_progress_record(engagement))
    assert checked >= SCALE.engagements / 2
    assert with_commitments >= SCALE.engagements / 4


def _documents(engagement_id: int) -> list[tuple]:
    documents = db.session.scalars(select(SearchDocument).where(SearchDocument.engagement_id == engagement_id)
                                   .order_by(SearchDocument.kind, SearchDocument.position)).all()
    themes: dict[int, list[int]] = defaultdict(list)
    for document_id, theme_id in db.session.execute(
            select(search_document_themes.c.document_id, search_document_themes.c.theme_id)
            .where(search_document_themes.c.document_id.in_([d.id for d in documents]))
            .order_by(search_document_themes.c.theme_id)).tuples():
        themes[document_id].append(theme_id)
    return [(d.kind, d.position, d.title, d.body, d.lens, d.blocker, d.published_at, d.record_sha256,
             json.dumps(d.data, sort_keys=True), themes[d.id]) for d in documents]


def test_search_documents_are_the_ones_the_service_writes(bench):
    engagements = _engagements()
    built = {e.id: _documents(e.id) for e in engagements}
    for engagement in engagements:
        refresh(engagement.id, force=True)
    db.session.flush()

    assert {e.id: _documents(e.id) for e in engagements} == built
    assert any(kind == "insight" for documents in built.values() for kind, *_ in documents)


def test_search_finds_engagements_and_insights_including_the_benchmarks_own_searches(bench):
    completed = next(e for e in _engagements() if e.current_step is Step.COMPLETED)
    found = list_public_engagements(Filters(q=completed.title, per_page=100))
    assert completed.slug in [record["slug"] for record in found.items]
    assert list_public_engagements(Filters(q=ENGAGEMENT_SEARCH)).total > 0
    assert search_insights(q=INSIGHT_SEARCH).total > 0


@pytest.mark.date_sensitive
def test_the_real_public_pages_and_api_serve_the_records(bench_app):
    with bench_app.app_context():
        completed = next(e for e in _engagements() if e.current_step is Step.COMPLETED and len(versions_of(e.id)))
        slug, record = completed.slug, versions_of(completed.id)[-1].record
        public = db.session.scalar(select(func.count()).where(SearchDocument.kind == "engagement"))
    pages = -(-public // 20)
    client = bench_app.test_client()
    for url in ["/", "/engagements", f"/engagements?page={pages}", f"/engagements/{slug}",
                f"/engagements?q={ENGAGEMENT_SEARCH.replace(' ', '+')}", f"/insights?q={INSIGHT_SEARCH}",
                f"/engagements?theme={FILTER_THEME}&area={FILTER_AREA}", "/api/v1/engagements", "/feed.atom"]:
        assert client.get(url).status_code == 200, url
    response = client.get(f"/api/v1/engagements/{slug}")
    assert response.status_code == 200
    assert response.get_json() == with_overdue(record, today())
    assert record["title"] in client.get(f"/engagements/{slug}").get_data(as_text=True)


class CollectingSink:
    """Stands in for the database: keeps the rows a builder writes."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.ids: dict[str, int] = defaultdict(int)

    def new_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows[table].append(row)


def test_the_same_seed_writes_the_same_data(bench):
    from bench.build import _vocabularies

    with db.engine.connect() as connection:
        themes, areas, communities = _vocabularies(connection)

    def generate(seed: int) -> dict[str, list[dict[str, Any]]]:
        sink = CollectingSink()
        builder = Builder(sink, Scale(engagements=12, seed=seed), themes=themes, areas=areas,
                          communities=communities, licence={"name": "L", "url": "https://example.org/l"},
                          hourly_rate_pence=1_000)
        builder.organisations()
        builder.engagements()
        return sink.rows

    assert generate(1) == generate(1)
    assert generate(1)["engagements"] != generate(2)["engagements"]


@pytest.mark.parametrize("url", [
    "sqlite:////srv/engage/instance/engage.sqlite3",
    "sqlite:///:memory:",
    "postgresql+psycopg://engage:engage@127.0.0.1/engage",
    "postgresql+psycopg://engage:engage@127.0.0.1/engage_test",
    "postgresql+psycopg://engage:engage@127.0.0.1/engage_test?options=-csearch_path%3Dpublic",
    "mysql://engage@127.0.0.1/engage_bench",
])
def test_the_builder_refuses_any_database_that_is_not_the_benchmarks(url):
    with pytest.raises(UnsafeDatabase):
        check_safe(url)
    with pytest.raises(UnsafeDatabase):
        build(url, SCALE)


@pytest.mark.parametrize("url", [
    "sqlite:////tmp/bench/data/bench.sqlite3",
    "postgresql+psycopg://engage:engage@127.0.0.1/engage_bench",
    "postgresql+psycopg://engage:engage@127.0.0.1/engage_test?options=-csearch_path%3Dbench_1",
])
def test_the_builder_accepts_its_own_databases(url):
    check_safe(url)
