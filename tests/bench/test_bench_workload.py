"""The benchmark's workload on its own small database: the URL generators ask only for pages that answer 200, and
many different ones; the writer's changes, made through the services, are seen on the public record; the load
driver counts what bench/wsgi.py tells it; and the results are summed up and checked against the targets.

The clock is fixed after the built data (which ends on 30 September 2026), so the report card's ranges and the
writer's "today" are the same on any day the suite runs.
"""

from __future__ import annotations

import argparse
import random
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import time_machine
from flask import Flask

from bench import CACHE_HEADER, QUERY_HEADER, report, writer
from bench.build import add_scale_arguments, scale_from
from bench.load import Measurement, drive
from bench.urls import Group, Target, Vocabulary, load_vocabulary, realistic_groups, same_url_groups, word_list
from bench.wsgi import QueryCounter, counting_queries
from engage.caching.page_cache import OUTCOME_KEY
from engage.commitments.models import Commitment
from engage.engagements.models import Engagement
from engage.extensions import db

SEEN_ON = datetime(2026, 12, 3, 12, tzinfo=UTC)
ASKED = 60
# Groups whose pages are one URL, or few: the rest must spread over many.
SINGLE = {"static asset", "home", "Atom feed"}


@pytest.fixture(scope="module")
def frozen() -> Iterator[None]:
    with time_machine.travel(SEEN_ON, tick=True):
        yield


@pytest.fixture(scope="module")
def vocabulary(bench_app: Flask, frozen) -> Vocabulary:
    return load_vocabulary(bench_app)


def test_the_vocabulary_is_read_from_the_database(vocabulary):
    assert len(vocabulary.slugs) > 20
    assert vocabulary.versions and vocabulary.organisations and vocabulary.themes and vocabulary.areas
    assert vocabulary.typical_slug in vocabulary.slugs
    assert vocabulary.first_day < vocabulary.last_day == SEEN_ON.date()
    assert len(set(word_list())) > 150


@pytest.mark.parametrize("group", [g for g in realistic_groups() if g.name != "static asset"], ids=lambda g: g.name)
def test_each_group_asks_only_for_pages_that_answer_200_and_for_many_of_them(bench_app, vocabulary, group):
    client = bench_app.test_client()
    rng = random.Random(f"test/{group.name}")
    asked = [group.url(rng, vocabulary) for _ in range(ASKED)]
    statuses = {url: client.get(url).status_code for url in set(asked)}
    assert {url: status for url, status in statuses.items() if status != 200} == {}
    if group.name in SINGLE:
        return
    # Records, lists and pages spread over the whole database (a small one has few earlier versions); searches
    # and report card ranges almost never repeat.
    few = {"earlier version": len(vocabulary.versions), "earlier version JSON": len(vocabulary.versions)}
    wanted = {"engagement search": 0.9 * ASKED, "insight search": 0.9 * ASKED,
              "report card": 0.8 * ASKED}.get(group.name, min(0.4 * ASKED, few.get(group.name, ASKED) / 2))
    assert len(set(asked)) >= wanted, sorted(Counter(asked).items(), key=lambda item: -item[1])[:5]


def test_lists_are_filtered_by_every_filter_from_the_databases_vocabularies(vocabulary):
    rng = random.Random("filters")
    make = next(g for g in realistic_groups() if g.name == "lists")
    used = Counter(pair.split("=")[0] for _ in range(300) for url in [make.url(rng, vocabulary)]
                   if "?" in url for pair in url.split("?")[1].split("&"))
    assert set(used) == {"status", "step", "theme", "area", "level", "organisation", "year", "page"}


def test_the_same_url_groups_answer_200(bench_app, vocabulary):
    client = bench_app.test_client()
    for group in same_url_groups(vocabulary):
        if group.name != "static asset":
            assert client.get(group.url(random.Random(), vocabulary)).status_code == 200, group.path


# The writer -----------------------------------------------------------------------------------------------------

def _record(client, slug: str) -> dict:
    response = client.get(f"/api/v1/engagements/{slug}")
    assert response.status_code == 200
    return response.get_json()


def test_each_kind_of_write_makes_a_change_residents_see(bench_app, frozen):
    client = bench_app.test_client()
    rng = random.Random(3)
    log = writer.WriteLog(interval_seconds=2)
    with bench_app.app_context():
        found = writer.candidates()
        assert all(found.for_kind(kind) for kind in writer.KINDS)
        activities_before = client.get("/api/v1/report-card").get_json()["activity"]["activities"]

        found.in_progress = found.in_progress[:1]
        before = _record(client, _slug_of(found.in_progress[0]))
        slug = writer.write_one("progress update", found, rng, log)
        after = _record(client, slug)
        assert len(after["updates"]) == len(before["updates"]) + 1

        slug = writer.write_one("activity with insights", found, rng, log)
        assert slug is not None
        assert client.get("/api/v1/report-card").get_json()["activity"]["activities"] == activities_before + 1

        found.open_commitments = found.open_commitments[:1]
        slug = _slug_of_commitment(found.open_commitments[0])
        before = _record(client, slug)
        assert writer.write_one("commitment update", found, rng, log) == slug
        after = _record(client, slug)
        assert after["version"] == before["version"] + 1
        assert sum(len(c["updates"]) for c in after["commitments"]) == sum(
            len(c["updates"]) for c in before["commitments"]) + 1
    assert log.as_dict()["made"] == dict.fromkeys(writer.KINDS, 1)
    assert log.failed == Counter()


def _slug_of(engagement_id: int) -> str:
    return db.session.get(Engagement, engagement_id).slug


def _slug_of_commitment(commitment_id: int) -> str:
    return db.session.get(Commitment, commitment_id).engagement.slug


def test_a_refused_write_is_rolled_back_and_counted(bench_app, frozen):
    log = writer.WriteLog(interval_seconds=2)
    with bench_app.app_context():
        found = writer.Candidates(in_progress=[10**9], collecting=[], open_commitments=[])
        assert writer.write_one("progress update", found, random.Random(1), log) is None
        assert writer.write_one("activity with insights", found, random.Random(1), log) is None
    assert log.failed == Counter({"progress update": 1})
    assert log.skipped == Counter({"activity with insights": 1})
    assert log.failures[0].startswith("progress update: ")


def test_the_writer_writes_only_while_its_gate_is_open(bench_app, frozen, tmp_path):
    gate = tmp_path / "gate"
    closed = writer.run(bench_app, interval=0.01, seconds=0.05, gate=gate)
    assert closed.as_dict()["writes"] == 0
    gate.touch()
    opened = writer.run(bench_app, interval=0.01, seconds=0.05, gate=gate)
    assert opened.as_dict()["writes"] >= 3
    assert set(opened.made) == set(writer.KINDS)


# The load driver and the served application's headers --------------------------------------------------------------

def _pretend_site(environ, start_response):
    """Answers like bench/wsgi.py: the queries, and the cache's answer for the pages a cached view serves."""
    path = environ["PATH_INFO"]
    headers = [("Content-Type", "text/plain"), (QUERY_HEADER, "2")]
    if path.startswith("/kept"):
        headers.append((CACHE_HEADER, "hit" if path.endswith("/1") else "miss"))
    start_response("200 OK", headers)
    return [b"ok"]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def pretend_site() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, _pretend_site, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def kept_page(rng: random.Random, _vocabulary) -> str:
    return f"/kept/{rng.randint(1, 4)}"


def test_the_driver_counts_requests_queries_cache_answers_and_distinct_urls(pretend_site):
    measured = drive(pretend_site, Group("kept", kept_page), seconds=0.5, connections=2, warm_up=0)
    assert measured.requests > 20 and measured.errors == 0
    assert measured.mean_queries == 2.0
    assert measured.cache_hits + measured.cache_misses == measured.requests
    assert 0.1 < measured.cache_hit_ratio < 0.45
    assert measured.distinct_urls == 4
    plain = drive(pretend_site, Group("plain", path="/plain"), seconds=0.2, connections=1, warm_up=0)
    assert (plain.cache_hits, plain.cache_misses, plain.cache_hit_ratio, plain.distinct_urls) == (0, 0, None, 1)


def test_the_served_application_says_whether_the_page_cache_answered():
    def site(environ, start_response):
        if environ["PATH_INFO"] == "/kept":
            environ[OUTCOME_KEY] = "hit"
        start_response("200 OK", [])
        return [b""]

    wrapped = counting_queries(site, QueryCounter())
    for path, expected in (("/kept", "hit"), ("/other", None)):
        seen: dict[str, str] = {}
        wrapped({"PATH_INFO": path}, lambda _status, headers, _exc=None, seen=seen: seen.update(headers))
        assert seen.get(CACHE_HEADER) == expected
        assert seen[QUERY_HEADER] == "0"


# The scale ---------------------------------------------------------------------------------------------------------

def test_the_city_scale_is_built_on_postgresql_only():
    parser = argparse.ArgumentParser()
    add_scale_arguments(parser)
    city = parser.parse_args(["--scale", "city"])
    built = scale_from(city, "postgresql://engage@127.0.0.1/engage_bench")
    assert (built.engagements, built.activity_count, built.insight_count) == (50_000, 1_000_000, 500_000)
    for url in (None, "sqlite:////tmp/bench.sqlite3"):
        with pytest.raises(ValueError, match="PostgreSQL only"):
            scale_from(city, url)
    assert scale_from(parser.parse_args(["--engagements", "500"]), None).engagements == 500


# Summing up --------------------------------------------------------------------------------------------------------

def _measured(rps: float, p95: float, *, statuses: dict[str, int] | None = None, hits: int = 0) -> Measurement:
    statuses = statuses or {"200": 100}
    requests = sum(statuses.values())
    return Measurement(path="/", seconds=10, connections=4, requests=requests, requests_per_second=rps, p50_ms=p95 / 2,
                       p95_ms=p95, mean_ms=p95 / 2, max_ms=p95 * 2, mean_bytes=1000, mean_queries=1.0,
                       cache_hits=hits, cache_misses=requests - hits,
                       cache_hit_ratio=hits / requests, distinct_urls=50,
                       errors=requests - statuses.get("200", 0), statuses=statuses, error_samples=[])


STATIC = Group("static asset", path="/assets/main.css")
RECORD = Group("engagement page", path="/engagements/x", target=Target(min_share_of_static=0.5))
LIST = Group("lists", path="/engagements", target=Target(max_p95_ms=50))
REPORT = Group("report card", path="/report-card", target=Target(max_p95_ms=150), optional=True)


def test_each_group_is_checked_against_its_target():
    static = _measured(1000, 5)
    assert report.assess(RECORD, _measured(600, 10), static)["met"] is True
    assert report.assess(RECORD, _measured(400, 10), static)["met"] is False
    assert report.assess(RECORD, _measured(400, 10), static)["share_of_static"] == 0.4
    assert report.assess(LIST, _measured(100, 49), static)["met"] is True
    assert report.assess(LIST, _measured(100, 50), static)["met"] is False
    errors = report.assess(LIST, _measured(100, 5, statuses={"200": 99, "500": 1}), static)
    assert errors["met"] is False and report.errors_in([errors]) == [errors]
    missing = report.assess(REPORT, _measured(100, 5, statuses={"404": 50}), static)
    assert missing["missing"] and missing["met"] is None and report.errors_in([missing]) == []
    # A 404 from a page that is not optional is an error.
    assert report.errors_in([report.assess(LIST, _measured(100, 5, statuses={"404": 50}), static)])


def _mode(record_rps: float, list_p95: float, hits: int = 0) -> dict:
    static = _measured(1000, 5)
    return {"groups": [report.assess(STATIC, static, static),
                       report.assess(RECORD, _measured(record_rps, 10, hits=hits), static),
                       report.assess(LIST, _measured(100, list_p95), static)],
            "memory": report.memory([120.5, 130.0])}


def test_a_writes_cost_to_readers_and_the_targets_are_worked_out_from_the_run_with_the_writer():
    alone, busy = _mode(800, 40.0, hits=60), _mode(600, 60.0, hits=10)
    costs = report.writer_costs(alone["groups"], busy["groups"])
    record = next(c for c in costs if c["name"] == "engagement page")
    assert (record["share"], record["met"], record["hit_ratio_without"], record["hit_ratio_with"]) == (
        0.75, False, 0.6, 0.1)
    checked = {t["what"]: t for t in report.targets(busy["groups"], costs, busy["memory"])}
    assert checked["engagement page"]["met"] is True  # 60% of static
    assert checked["lists"]["met"] is False and checked["lists"]["figure"] == "p95 60.0 ms"
    assert checked["writer's cost: engagement page"]["met"] is False
    assert "writer's cost: static asset" not in checked
    assert checked["memory per worker"]["met"] is True and checked["memory per worker"]["figure"] == "130 MB"


def test_the_summary_reports_the_realistic_workload_first_and_the_cache_warm_run_last():
    alone, busy, warm = _mode(800, 40), _mode(700, 45), _mode(1000, 4)
    costs = report.writer_costs(alone["groups"], busy["groups"])
    writes = {"interval_seconds": 2, "writes": 30, "failed_writes": 0, "made": {"progress update": 30},
              "failures": [], "skipped": {}}
    text = report.summary({"modes": {report.REALISTIC: alone, report.WITH_WRITER: busy, report.CACHE_WARM: warm},
                           "writer_costs": costs, "writer": writes,
                           "targets": report.targets(busy["groups"], costs, busy["memory"])})
    realistic = text.index("Realistic workload: a random URL")
    with_writer = text.index("one public change every 2 s")
    cost = text.index("A write's cost to readers")
    warm_at = text.index("Cache warm")
    assert realistic < with_writer < cost < warm_at
    assert "Writes: 30 (30 progress update), 0 failed" in text
    assert "Memory per worker at the end: 120 MB, 130 MB" in text
