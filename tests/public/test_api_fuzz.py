"""The public API fuzzed from its own OpenAPI document: for every operation, requests generated from the
document (valid ones, ones that break it on purpose, the boundaries of every parameter, methods it does not
offer) and hostile values of our own in every path segment and query parameter. Whatever is asked, the API
never answers 5xx, and every answer is one the document describes: a documented status, JSON, and a body
valid against the response schema.

The world the requests reach is realistic: a completed engagement published in several versions with
commitments, one in progress with hostile (but accepted) text in its updates, one held back and one still
at the challenge step, so generated slugs and version numbers are mixed with real ones.

Bounded and reproducible: a fixed number of examples for each operation, a fixed seed, no deadline and no
example database, so a failure found in CI is found again locally.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from sqlalchemy import select

from engage import clock, create_app
from engage.activity.models import Activity, Insight
from engage.commitments import services as commitments
from engage.commitments.models import CommitmentStatus
from engage.engagements import services as engagements
from engage.engagements.models import Engagement
from engage.engagements.services import normalise_slug
from engage.extensions import db
from engage.opendata import openapi
from engage.site.queries import ALLOWED_FILTERS
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.public.page_records import (
    CHALLENGE_TITLE,
    COMPLETED_TITLE,
    HELD_BACK_TITLE,
    IN_PROGRESS_TITLE,
    PublicWorld,
    build_world,
)

EXAMPLES = 40
SEED = 14

# The document is built by the function that serves it at /api/v1/openapi.json, in an application with the
# test settings: the operations have to be known when the tests are collected, before the test database
# exists. `test_the_fuzzed_document_is_the_one_served` checks that the two are the same.
with create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"}).test_request_context():
    DOCUMENT = openapi.document()

schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"max-examples": EXAMPLES, "database": "none"},
    # The API changes nothing, so there are no sequences of calls to explore.
    "phases": {"stateful": {"enabled": False}},
}))

# Every check that can apply to a read-only API without accounts. unsupported_method and
# allow_header_conformance judge the coverage phase's requests with methods the document does not list (405
# with an Allow header) and OPTIONS (whose Allow must list only what is offered). positive_data_acceptance
# does not allow 400: a value the document calls valid must never be refused.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, positive_data_acceptance, missing_required_header,
          unsupported_method, allow_header_conformance]
# Left out, and why: nothing is created or deleted (use_after_free, ensure_resource_availability), nothing
# needs signing in (ignored_auth, object_level_authorization). Response times are not checked here: speed is
# measured by the benchmark, not on a shared CI machine.
EXCLUDED = {"use_after_free", "ensure_resource_availability", "ignored_auth", "object_level_authorization"}

PUBLIC_SLUGS = (normalise_slug(COMPLETED_TITLE), normalise_slug(IN_PROGRESS_TITLE))
HIDDEN_SLUGS = (normalise_slug(HELD_BACK_TITLE), normalise_slug(CHALLENGE_TITLE))
VERSIONS = (1, 2, 3)

# Stored text that is accepted, but hostile to whatever shows or serialises it.
HOSTILE_UPDATE = ("<script>alert('x')</script> **bold** [link](javascript:alert(1)) \u202eright to left\u202c "
                  "zero\u200bwidth \ufeff caf\u0065\u0301 \U0001f600 \t tab " + "long-line-" * 500)
HOSTILE_GET_INVOLVED = "Come along </p><img src=x onerror=alert(1)> \u2066isolate\u2069 & \"quotes\" 'too' \\"


def _first_insight(engagement: Engagement) -> Insight:
    return db.session.scalars(select(Insight).join(Activity).where(Activity.engagement_id == engagement.id)).one()


@pytest.fixture
def world(engagement_at, make) -> PublicWorld:  # noqa: F811 - the fixture imported above
    world = build_world(engagement_at, make)
    lead = world.completed.lead_user
    due = clock.today() + timedelta(days=60)
    # Each commitment publishes the record again: versions 2 and 3.
    first = commitments.add_commitment(world.completed, actor=lead, action="Extend evening opening", due_date=due,
                                       responsible_organisation_id=lead.organisation_id,
                                       insight_ids=[_first_insight(world.completed).id])
    db.session.commit()
    commitments.record_update(first, actor=lead, occurred_on=clock.today(), body=HOSTILE_UPDATE[:900],
                              status=CommitmentStatus.IN_PROGRESS, progress_percent=20)
    db.session.commit()
    engagements.post_update(world.in_progress, actor=world.in_progress.lead_user, body=HOSTILE_UPDATE)
    engagements.update_engagement(world.in_progress, actor=world.in_progress.lead_user, expected_version=None,
                                  get_involved=HOSTILE_GET_INVOLVED)
    db.session.commit()
    assert {world.completed.slug, world.in_progress.slug} == set(PUBLIC_SLUGS)
    assert {world.held_back.slug, world.at_challenge.slug} == set(HIDDEN_SLUGS)
    return world


@schema.hook
def flatmap_path_parameters(context, path_parameters: dict[str, Any]):
    """Real slugs and version numbers as well as generated ones, so records are found, not only missed."""
    if not path_parameters:
        return st.just(path_parameters)
    choices: dict[str, Any] = {}
    if "slug" in path_parameters:
        choices["slug"] = st.sampled_from([path_parameters["slug"], *PUBLIC_SLUGS, *HIDDEN_SLUGS])
    if isinstance(path_parameters.get("number"), int):
        choices["number"] = st.sampled_from([path_parameters["number"], *VERSIONS])
    return st.fixed_dictionaries(choices).map(lambda chosen: {**path_parameters, **chosen})


@schema.hook
def map_query(context, query: dict[str, Any] | None):
    """A period's two ends in order. That `to` is not before `from` is a rule between two parameters, which
    the document says in words but JSON Schema cannot express, so a generated pair is never valid otherwise."""
    if not query or context.operation.path != "/api/v1/report-card":
        return query
    ends = [query.get("from"), query.get("to")]
    if all(isinstance(end, str) and _is_iso_date(end) for end in ends) and ends[0] > ends[1]:
        return {**query, "from": ends[1], "to": ends[0]}
    return query


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def test_the_fuzzed_document_is_the_one_served(client):
    assert client.get("/api/v1/openapi.json").get_json() == DOCUMENT


def test_every_check_schemathesis_has_is_run_or_left_out_for_a_reason():
    load_all_checks()
    assert set(REGISTERED_CHECKS.get_all_names()) == {check.__name__ for check in CHECKS} | EXCLUDED


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_operation_answers_as_its_document_says(case, world, client, app):
    case.call_and_validate(session=client, app=app, checks=CHECKS)


# Values no generator from the document makes: NUL and other control characters, format characters (right-to-left
# overrides, zero-width spaces, byte-order marks), lone surrogates (sent as the bytes a careless encoder
# writes for them), bytes that are not UTF-8 at all, an overlong NUL, dot segments, digits that are not
# ASCII, markup, SQL, and very long values.
HOSTILE_TEXTS = ["\x00", "a\x00b", "\x01\x08\x1b\x7f", "\r\n", "\t", "\u202eevil", "\u200b", "\ufeff", "\ud800",
                 "a\udfffb", "\U0001f600", "e\u0301", "   ", ".", "..", "../../etc/passwd", "/", "\\", "%", "%00",
                 "<script>alert(1)</script>", "' OR '1'='1", "-1", "0", "+1", "1e999", "NaN", "0x10",
                 "\u0663", "\u00b2", "\uff11", "9" * 40, "x" * 5_000, "x" * 100_000]
RAW_BYTES = ["%FF", "%C0%80", "%ED%A0%80", "%E2%80", "%F4%90%80%80", "%"]
HOSTILE_CHARACTERS = st.characters(codec=None, categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Mn", "Nd"))


def _on_the_wire(text: str) -> str:
    """Percent-encoded as a client would send it, lone surrogates included (as their UTF-8-like bytes)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


HOSTILE = st.one_of(st.sampled_from(HOSTILE_TEXTS).map(_on_the_wire), st.sampled_from(RAW_BYTES),
                    st.text(HOSTILE_CHARACTERS, min_size=1, max_size=40).map(_on_the_wire),
                    st.text(min_size=1, max_size=300).map(_on_the_wire))

RESPONSE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
                   response_headers_conformance, response_schema_conformance]


def _hostile_request(operation_id: str, draw) -> tuple[str, dict[str, Any]]:
    """A URL for the operation with one hostile value somewhere in it, and the path parameters it stands for."""
    value = draw(HOSTILE)
    slug = draw(st.sampled_from(PUBLIC_SLUGS))
    query_names = {"listEngagements": list(ALLOWED_FILTERS), "getReportCard": ["from", "to"]}.get(operation_id, [])
    where = draw(st.sampled_from(["unknown name", "unknown value", *query_names,
                                  *{"getEngagement": ["slug"],
                                    "getEngagementVersion": ["slug", "number"]}.get(operation_id, [])]))
    path = {"listEngagements": "/api/v1/engagements", "getReportCard": "/api/v1/report-card",
            "getEngagement": "/api/v1/engagements/{slug}",
            "getEngagementVersion": "/api/v1/engagements/{slug}/versions/{number}"}[operation_id]
    segments = {"slug": slug, "number": "1"}
    query = ""
    if where in segments:
        segments[where] = value
    elif where == "unknown name":
        query = f"?{value}=1"
    elif where == "unknown value":
        query = f"?fields={value}"
    else:
        query = f"?{where}={value}"
    url = path.format(**segments) + query
    return url, {"slug": slug, "number": 1} if "{slug}" in path else {}


OPERATIONS = ["listEngagements", "getEngagement", "getEngagementVersion", "getReportCard"]


# One test for every operation, so the world is built once.
@settings(max_examples=EXAMPLES * len(OPERATIONS), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_values_anywhere_in_an_address_get_an_answer_the_document_describes(data, world, client):
    operation_id = data.draw(st.sampled_from(OPERATIONS))
    url, path_parameters = _hostile_request(operation_id, data.draw)
    note(f"GET {url[:300]}")
    response = client.get(url)

    case = schema.find_operation_by_id(operation_id).Case(path_parameters=path_parameters)
    case.validate_response(response, checks=RESPONSE_CHECKS)
