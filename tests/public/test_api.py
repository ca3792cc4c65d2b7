"""The public JSON API: every response is checked against the service's own published OpenAPI document
(`/api/v1/openapi.json`), whose schemas allow no field they do not list."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from jsonschema import Draft202012Validator

from engage.engagements import services as engagements
from engage.engagements.models import Step
from engage.extensions import db
from engage.publication import services as publishing
from engage.publication.record import latest_version
from engage.reporting.periods import EARLIEST_YEAR, LATEST_YEAR
from engage.routing import LARGEST_INTEGER
from engage.site.queries import ALLOWED_FILTERS
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.public.api_schema import assert_valid
from tests.public.page_records import COMPLETED_TITLE, IN_PROGRESS_TITLE, build_world


class Api:
    """Gets API addresses and checks each response against the schema the document gives for its path and
    status, so no response goes unchecked."""

    def __init__(self, client):
        self.client = client
        response = client.get("/api/v1/openapi.json")
        assert response.status_code == 200
        self.document = response.get_json()

    def _schema_for(self, path: str, status: int) -> str:
        for template, item in self.document["paths"].items():
            pattern = "^" + re.sub(r"\\{[a-z]+\\}", "[^/]+", re.escape(template)) + "$"
            if re.match(pattern, path):
                ref = item["get"]["responses"][str(status)]["content"]["application/json"]["schema"]["$ref"]
                return ref.rsplit("/", 1)[1]
        raise AssertionError(f"{path} is not in the OpenAPI document")

    def get(self, url: str, *, status: int = 200, **headers: str) -> Any:
        response = self.client.get(url, headers=headers)
        assert response.status_code == status, response.get_data(as_text=True)
        assert response.mimetype == "application/json"
        body = response.get_json()
        assert_valid(self.document, self._schema_for(urlsplit(url).path, status), body)
        return body


@pytest.fixture
def world(engagement_at, make):  # noqa: F811 - the fixture imported above
    return build_world(engagement_at, make)


@pytest.fixture
def api(client) -> Api:
    return Api(client)


def correct(engagement) -> None:
    lead = engagement.lead_user
    engagements.update_engagement(engagement, actor=lead, expected_version=None,
                                  story_we_did="Opened the clinic on three evenings a week.")
    publishing.publish(engagement, actor=lead, change_note="Three evenings, not two.")
    db.session.commit()


# The document ---------------------------------------------------------------------------------------------

def test_the_openapi_document_describes_the_api_in_openapi_3_1(api, app):
    document = api.document

    assert document["openapi"] == "3.1.0"
    assert document["info"]["license"] == {"name": app.config["OPEN_DATA_LICENCE_NAME"],
                                           "url": app.config["OPEN_DATA_LICENCE_URL"]}
    assert set(document["paths"]) == {"/api/v1/engagements", "/api/v1/engagements/{slug}",
                                      "/api/v1/engagements/{slug}/versions/{number}", "/api/v1/report-card"}
    listed = [p["name"] for p in document["paths"]["/api/v1/engagements"]["get"]["parameters"]]
    assert listed == list(ALLOWED_FILTERS)


def test_every_schema_in_the_document_is_valid_json_schema(api):
    for schema in api.document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_the_record_schema_lists_the_fields_the_brief_asks_for(api):
    record = api.document["components"]["schemas"]["Record"]
    fields = set(record["properties"])

    assert {"slug", "title", "summary", "status", "step", "level", "version", "published_at", "lead_organisation",
            "collaborators", "hooks", "area", "themes", "steps", "agreement", "activity_summary", "insights",
            "tests", "outputs", "story", "budget", "versions"} <= fields
    assert record["additionalProperties"] is False
    agreement = record["properties"]["agreement"]["anyOf"][0]["properties"]
    assert {"parties", "signed_at", "content_sha256", "commitments"} <= set(agreement)
    assert set(record["properties"]["story"]["properties"]) == {"we_asked", "you_said", "we_did", "so_what",
                                                                "what_now"}


def test_an_empty_query_parameter_is_documented_as_the_same_as_one_left_out(api, world):
    # The filters read an empty value as "any" (the public pages' forms send every field, filled in or not),
    # but the document's patterns and enumerations refused one.
    for item in api.document["paths"].values():
        for parameter in item["get"]["parameters"]:
            assert parameter["in"] == "path" or parameter["allowEmptyValue"] is True, parameter["name"]

    empty = "&".join(f"{name}=" for name in ALLOWED_FILTERS)
    assert api.get(f"/api/v1/engagements?{empty}")["items"] == api.get("/api/v1/engagements")["items"]
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        assert api.get("/api/v1/report-card?from=&to=") == api.get("/api/v1/report-card")


def test_the_document_gives_the_longest_slug_and_the_last_page_a_filter_may_name(api, world):
    # Longer slugs and later pages are refused with 400, which the document did not say.
    parameters = {parameter["name"]: parameter["schema"]
                  for parameter in api.document["paths"]["/api/v1/engagements"]["get"]["parameters"]}
    for name in ("theme", "area", "organisation"):
        assert parameters[name]["maxLength"] == 160
        api.get(f"/api/v1/engagements?{name}={'a' * 160}")
        api.get(f"/api/v1/engagements?{name}={'a' * 161}", status=400)
    assert parameters["page"]["maximum"] == 100_000
    api.get("/api/v1/engagements?page=100000")
    api.get("/api/v1/engagements?page=100001", status=400)


def test_the_document_gives_the_years_a_report_card_period_may_name(api):
    # The API refuses days before 2000 or after 2100 with 400, which the document did not say.
    parameters = api.document["paths"]["/api/v1/report-card"]["get"]["parameters"]
    for parameter in parameters:
        validator = Draft202012Validator(parameter["schema"], format_checker=Draft202012Validator.FORMAT_CHECKER)
        allowed = [year for year in range(1000, 10_000) if validator.is_valid(f"{year:04d}-06-01")]
        assert allowed == list(range(EARLIEST_YEAR, LATEST_YEAR + 1)), parameter["name"]

    api.get("/api/v1/report-card?from=1999-12-31&to=2000-01-31", status=400)
    api.get("/api/v1/report-card?from=2100-12-01&to=2101-01-01", status=400)
    api.get("/api/v1/report-card?from=2000-01-01&to=2100-12-31")


# The list -------------------------------------------------------------------------------------------------

def test_the_list_holds_the_public_records_newest_first_with_the_licence(api, world, app):
    body = api.get("/api/v1/engagements")

    assert [item["title"] for item in body["items"]] == [IN_PROGRESS_TITLE, COMPLETED_TITLE]
    assert (body["total"], body["page"], body["per_page"]) == (2, 1, 20)
    assert body["links"] == {"next": None, "prev": None}
    assert body["licence"] == {"name": app.config["OPEN_DATA_LICENCE_NAME"],
                               "url": app.config["OPEN_DATA_LICENCE_URL"]}
    completed = body["items"][1]
    assert completed == latest_version(world.completed.id).record


def test_the_list_links_to_the_next_and_previous_pages_keeping_the_filters(api, world):
    first = api.get("/api/v1/engagements?per_page=1&level=co-design")
    assert [item["title"] for item in first["items"]] == [IN_PROGRESS_TITLE]
    assert first["links"]["prev"] is None
    next_url = urlsplit(first["links"]["next"])
    assert next_url.path == "/api/v1/engagements"
    assert parse_qs(next_url.query) == {"per_page": ["1"], "level": ["co-design"], "page": ["2"]}

    second = api.get(f"{next_url.path}?{next_url.query}")
    assert [item["title"] for item in second["items"]] == [COMPLETED_TITLE]
    assert second["links"]["next"] is None
    assert parse_qs(urlsplit(second["links"]["prev"]).query) == {"per_page": ["1"], "level": ["co-design"]}


@pytest.mark.parametrize(("query", "expected"), [
    ("status=completed", [COMPLETED_TITLE]),
    ("status=in_progress", [IN_PROGRESS_TITLE]),
    ("step=frame", [IN_PROGRESS_TITLE]),
    ("q=walk-in+evening+clinic", [COMPLETED_TITLE]),
    ("q=warm+spaces&status=completed", []),
    ("year=2026&level=co-design", [IN_PROGRESS_TITLE, COMPLETED_TITLE]),
])
def test_the_list_takes_the_same_filters_as_the_page(api, world, query, expected):
    body = api.get(f"/api/v1/engagements?{query}")

    assert [item["title"] for item in body["items"]] == expected
    assert body["total"] == len(expected)


def test_the_organisation_theme_and_area_filters_take_slugs(api, world):
    partner = world.completed.collaborators[0].organisation
    assert api.get(f"/api/v1/engagements?organisation={partner.slug}")["total"] == 1
    assert api.get(f"/api/v1/engagements?theme={world.theme.slug}")["total"] == 2
    assert api.get(f"/api/v1/engagements?area={world.area.slug}")["total"] == 2


@pytest.mark.parametrize(("query", "message"), [
    ("sort=title", "Unknown filter: sort"),
    ("order_by=created_at", "Unknown filter: order_by"),
    ("lead_user_id=1", "Unknown filter: lead_user_id"),
    ("held_back=true", "Unknown filter: held_back"),
    ("status=draft", "Status must be one of: in_progress, completed"),
    ("per_page=101", "Per page must be between 1 and 100"),
    ("page=two", "Page must be a whole number"),
])
def test_unknown_parameters_and_unusable_values_are_refused_with_a_json_error(api, world, query, message):
    body = api.get(f"/api/v1/engagements?{query}", status=400)

    assert body["error"]["status"] == 400
    assert body["error"]["message"].startswith(message)


def test_a_page_past_the_end_is_empty_not_an_error(api, world):
    body = api.get("/api/v1/engagements?page=5")

    assert body["items"] == [] and body["total"] == 2
    assert body["links"]["next"] is None
    assert parse_qs(urlsplit(body["links"]["prev"]).query) == {}, "back to the last page there is"


# One record and its versions ------------------------------------------------------------------------------

def test_a_completed_engagement_gives_its_latest_version(api, world):
    correct(world.completed)

    body = api.get(f"/api/v1/engagements/{world.completed.slug}")

    assert body["version"] == 2 and body["status"] == "completed"
    assert body["story"]["we_did"] == "Opened the clinic on three evenings a week."
    assert [v["change_note"] for v in body["versions"]] == ["First publication.", "Three evenings, not two."]


def test_every_version_stays_readable_and_unchanged(api, world):
    first = api.get(f"/api/v1/engagements/{world.completed.slug}/versions/1")
    correct(world.completed)

    assert api.get(f"/api/v1/engagements/{world.completed.slug}/versions/1") == first
    second = api.get(f"/api/v1/engagements/{world.completed.slug}/versions/2")
    assert second["version"] == 2 and first["version"] == 1
    assert first["story"]["we_did"] != second["story"]["we_did"]


def test_an_in_progress_engagement_gives_what_is_public_while_it_runs(api, world):
    body = api.get(f"/api/v1/engagements/{world.in_progress.slug}")

    assert body["status"] == "in_progress" and body["step"] == "frame" and body["version"] is None
    assert body["get_involved"].startswith("Come to a *drop-in*")
    assert "insights" not in body and "agreement" not in body and "story" not in body


def test_what_is_not_public_is_not_found(api, world):
    for slug in (world.held_back.slug, world.at_challenge.slug, "no-such-engagement"):
        body = api.get(f"/api/v1/engagements/{slug}", status=404)
        assert body["error"]["status"] == 404
    api.get(f"/api/v1/engagements/{world.in_progress.slug}/versions/1", status=404)
    api.get(f"/api/v1/engagements/{world.completed.slug}/versions/2", status=404)
    api.get(f"/api/v1/engagements/{world.held_back.slug}/versions/1", status=404)


def test_a_version_number_too_large_for_the_database_is_not_found(api, world):
    # Any run of digits used to reach the database, which refuses a number larger than an integer column
    # holds: a 500 on both PostgreSQL and SQLite, for a real engagement.
    for number in (2**31, 2**63, 10**30):
        body = api.get(f"/api/v1/engagements/{world.completed.slug}/versions/{number}", status=404)
        assert body["error"]["status"] == 404
    api.get(f"/api/v1/engagements/{world.completed.slug}/versions/{LARGEST_INTEGER}", status=404)
    number, = (parameter for parameter in api.document["paths"]["/api/v1/engagements/{slug}/versions/{number}"]
               ["get"]["parameters"] if parameter["name"] == "number")
    assert number["schema"]["maximum"] == LARGEST_INTEGER


def test_a_completed_engagement_held_back_later_takes_its_versions_with_it(api, world):
    engagements.set_held_back(world.completed, actor=world.completed.lead_user, held_back=True,
                              reason="A complaint is being looked into.")
    db.session.commit()

    api.get(f"/api/v1/engagements/{world.completed.slug}", status=404)
    api.get(f"/api/v1/engagements/{world.completed.slug}/versions/1", status=404)
    assert [item["title"] for item in api.get("/api/v1/engagements")["items"]] == [IN_PROGRESS_TITLE]


def test_record_addresses_take_no_parameters(api, world):
    body = api.get(f"/api/v1/engagements/{world.completed.slug}?fields=title", status=400)

    assert body["error"]["message"] == "Unknown filter: fields"


def test_the_api_offers_only_get(client, world):
    response = client.post("/api/v1/engagements")

    assert response.status_code == 405
    assert response.get_json() == {"error": {"status": 405, "message": "Only GET is offered"}}


def test_the_api_advertises_only_the_methods_it_offers(client, world):
    # A catch-all route for the other methods made every API address advertise POST, PUT, PATCH and DELETE.
    for path in ("/api/v1/engagements", f"/api/v1/engagements/{world.completed.slug}",
                 f"/api/v1/engagements/{world.completed.slug}/versions/1", "/api/v1/report-card",
                 "/api/v1/openapi.json"):
        options = client.options(path)
        assert sorted(options.headers["Allow"].split(", ")) == ["GET", "HEAD", "OPTIONS"], path

        for method in ("POST", "PUT", "PATCH", "DELETE"):
            refused = client.open(path, method=method)
            assert refused.status_code == 405, (method, path)
            assert refused.get_json() == {"error": {"status": 405, "message": "Only GET is offered"}}
            assert sorted(refused.headers["Allow"].split(", ")) == ["GET", "HEAD", "OPTIONS"]
            assert refused.headers["Access-Control-Allow-Origin"] == "*"


def test_any_site_may_read_the_open_data(client, world):
    response = client.get("/api/v1/engagements")

    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers


def test_engagements_at_every_step_give_valid_records(api, engagement_at):  # noqa: F811
    for step in (Step.COLLABORATORS, Step.FRAME, Step.TEST, Step.STORY):
        engagement_at(step, title=f"At the {step.value} step")

    body = api.get("/api/v1/engagements")

    assert sorted(item["step"] for item in body["items"]) == ["collaborators", "frame", "story", "test"]


def test_an_unknown_api_address_is_not_found_in_json(api, client):
    body = api.get("/api/v1/engagements/no-such/versions/1", status=404)
    assert body == {"error": {"status": 404, "message": "There is no published version with that number"}}

    for path in ("/api/v1/organisations", "/api/v1/", "/api/v2/engagements"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.get_json() == {"error": {"status": 404, "message": "Not found"}}
        assert response.headers["Access-Control-Allow-Origin"] == "*"
