"""Open data files: the CSV, the Atom feed, the sitemap and the data card; and no personal data, nor
anything held back, in any of them or in the API."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from engage.engagements import services as engagements
from engage.engagements.models import Step
from engage.extensions import db
from engage.opendata.feeds import CSV_COLUMNS
from engage.opendata.openapi import RECORD_FIELDS
from engage.publication import services as publishing
from engage.text.spreadsheet import neutralise
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.public.page_records import (
    CHALLENGE_TITLE,
    COMPLETED_TITLE,
    HELD_BACK_TITLE,
    IN_PROGRESS_TITLE,
    build_world,
)

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def world(engagement_at, make):  # noqa: F811 - the fixture imported above
    return build_world(engagement_at, make)


def csv_rows(client) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get("/engagements.csv")
    assert response.status_code == 200
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    return list(reader.fieldnames or []), list(reader)


def parse_xml(response):
    assert response.status_code == 200
    return ElementTree.fromstring(response.get_data())  # noqa: S314 - the service's own output


def correct(engagement) -> None:
    lead = engagement.lead_user
    engagements.update_engagement(engagement, actor=lead, expected_version=None,
                                  story_we_did="Opened the clinic on three evenings a week.")
    publishing.publish(engagement, actor=lead, change_note="Three evenings, not two.")
    db.session.commit()


# CSV ------------------------------------------------------------------------------------------------------

def test_the_csv_has_a_header_row_and_one_row_per_public_engagement_newest_first(client, world, app):
    header, rows = csv_rows(client)

    assert header == [name for name, _ in CSV_COLUMNS]
    assert [row["title"] for row in rows] == [IN_PROGRESS_TITLE, COMPLETED_TITLE]
    completed = rows[1]
    assert completed["slug"] == world.completed.slug
    assert completed["url"] == f"{app.config['BASE_URL']}/engagements/{world.completed.slug}"
    assert (completed["status"], completed["step"], completed["version"]) == ("completed", "completed", "1")
    assert completed["insights"] == "1" and completed["participants"] == "12"
    assert completed["budget_planned_pence"] == "1200000"
    assert completed["lead_organisation"] == world.completed.lead_organisation.name
    assert rows[0]["version"] == "" and rows[0]["insights"] == "", "not public while in progress"


def test_every_csv_row_carries_the_licence(client, world, app):
    _, rows = csv_rows(client)

    assert {(row["licence"], row["licence_url"]) for row in rows} == {
        (app.config["OPEN_DATA_LICENCE_NAME"], app.config["OPEN_DATA_LICENCE_URL"])}
    response = client.get("/engagements.csv")
    assert response.headers["Link"] == f'<{app.config["OPEN_DATA_LICENCE_URL"]}>; rel="license"'


def test_the_csv_downloads_as_a_utf8_csv_file(client, world):
    response = client.get("/engagements.csv")

    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="engagements.csv"'


def test_the_csv_is_only_a_header_when_nothing_is_public(client):
    header, rows = csv_rows(client)

    assert header == [name for name, _ in CSV_COLUMNS] and rows == []


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://example.com\")", "+44 1 2", "-2+3", "@SUM(A1:A2)",
                                  "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(text):
    assert neutralise(text) == "'" + text


def test_ordinary_cells_and_numbers_are_left_alone():
    assert neutralise("Warm spaces") == "Warm spaces"
    assert neutralise("A = B") == "A = B"
    assert neutralise(-5) == -5 and neutralise(12) == 12


def test_formulas_in_a_public_record_are_neutralised_in_the_csv(client, engagement_at):  # noqa: F811
    engagement = engagement_at(Step.COLLABORATORS, title="=cmd|' /C calc'!A0")
    engagements.update_engagement(engagement, actor=engagement.lead_user, expected_version=None,
                                  summary="@SUM(1+1)*cmd|' /C calc'!A0")
    db.session.commit()

    _, [row] = csv_rows(client)

    assert row["title"] == "'=cmd|' /C calc'!A0"
    assert row["summary"] == "'@SUM(1+1)*cmd|' /C calc'!A0"


# Atom feed ------------------------------------------------------------------------------------------------

def test_the_feed_parses_as_atom_with_an_entry_for_each_publication_newest_first(client, world, app):
    correct(world.completed)
    base = app.config["BASE_URL"]

    feed = parse_xml(client.get("/feed.atom"))

    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == f"{base}/feed.atom"
    assert feed.findtext(f"{ATOM}title") and feed.findtext(f"{ATOM}updated")
    assert feed.find(f"{ATOM}author/{ATOM}name").text == app.config["SERVICE_NAME"]
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [f"{COMPLETED_TITLE} (version 2)",
                                                             f"{COMPLETED_TITLE} (published)"]
    newest = entries[0]
    assert newest.findtext(f"{ATOM}id") == f"{base}/engagements/{world.completed.slug}/versions/2"
    assert newest.findtext(f"{ATOM}summary").startswith("Three evenings, not two.")
    [link] = newest.findall(f"{ATOM}link")
    assert link.get("rel", "alternate") == "alternate"
    assert link.get("href") == f"{base}/engagements/{world.completed.slug}/versions/2"
    for entry in entries:
        assert entry.findtext(f"{ATOM}updated") and entry.find(f"{ATOM}author/{ATOM}name").text


def test_the_feed_carries_the_licence(client, world, app):
    feed = parse_xml(client.get("/feed.atom"))

    assert app.config["OPEN_DATA_LICENCE_URL"] in feed.findtext(f"{ATOM}rights")
    licence_links = [link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == "license"]
    assert licence_links == [app.config["OPEN_DATA_LICENCE_URL"]]


def test_the_feed_is_valid_atom_when_nothing_is_published(client):
    response = client.get("/feed.atom")

    assert response.mimetype == "application/atom+xml"
    feed = parse_xml(response)
    assert feed.findall(f"{ATOM}entry") == [] and feed.findtext(f"{ATOM}updated")


# Sitemap --------------------------------------------------------------------------------------------------

def test_the_sitemap_lists_every_public_page_and_nothing_else(client, world, app):
    base = app.config["BASE_URL"]

    urlset = parse_xml(client.get("/sitemap.xml"))

    assert urlset.tag == f"{SITEMAP}urlset"
    locations = [url.findtext(f"{SITEMAP}loc") for url in urlset.findall(f"{SITEMAP}url")]
    assert all(location.startswith(base + "/") for location in locations)
    paths = {urlsplit(location).path for location in locations}
    assert {"/", "/engagements", "/insights", "/open-data", "/engagements.csv", "/feed.atom",
            f"/engagements/{world.completed.slug}", f"/engagements/{world.completed.slug}/versions/1",
            f"/engagements/{world.in_progress.slug}",
            f"/organisations/{world.completed.lead_organisation.slug}",
            f"/organisations/{world.completed.collaborators[0].organisation.slug}"} <= paths
    text = client.get("/sitemap.xml").get_data(as_text=True)
    assert world.held_back.slug not in text and world.at_challenge.slug not in text
    assert world.held_back.lead_organisation.slug not in text


def test_every_page_in_the_sitemap_is_there(client, world):
    urlset = parse_xml(client.get("/sitemap.xml"))

    for url in urlset.findall(f"{SITEMAP}url"):
        path = urlsplit(url.findtext(f"{SITEMAP}loc")).path
        assert client.get(path).status_code == 200, path


# The data card --------------------------------------------------------------------------------------------

def test_the_open_data_page_links_to_every_file_and_explains_every_field(client, world, app):
    response = client.get("/open-data")
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")

    hrefs = {a["href"] for a in page.find_all("a", href=True)}
    assert {"/engagements.csv", "/api/v1/engagements", "/api/v1/openapi.json", "/feed.atom",
            "/sitemap.xml", app.config["OPEN_DATA_LICENCE_URL"]} <= hrefs
    assert app.config["OPEN_DATA_LICENCE_NAME"] in page.get_text()
    row_headers = {th.get_text(strip=True) for th in page.select("tbody th")}
    assert {name for name, _ in RECORD_FIELDS} <= row_headers
    assert {name for name, _ in CSV_COLUMNS} <= row_headers
    for href in {"/engagements.csv", "/api/v1/engagements", "/api/v1/openapi.json", "/feed.atom",
                 "/sitemap.xml"}:
        assert client.get(href).status_code == 200, href


# No personal data, nothing held back ----------------------------------------------------------------------

def everything_open(client, world) -> dict[str, str]:
    """Every open-data response there is for the world, by address."""
    paths = ["/api/v1/engagements?per_page=100", "/api/v1/openapi.json", "/engagements.csv", "/feed.atom",
             "/sitemap.xml", "/open-data"]
    for engagement in (world.completed, world.in_progress):
        paths.append(f"/api/v1/engagements/{engagement.slug}")
    paths += [f"/api/v1/engagements/{world.completed.slug}/versions/{n}" for n in (1, 2)]
    bodies = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        bodies[path] = response.get_data(as_text=True)
    return bodies


def test_no_registered_persons_name_or_e_mail_appears_in_any_open_data(client, world, make):
    from engage.accounts.models import User

    make.partner(name="Philippa Quennell-Abernethy", email="philippa.q@example.net",
                 organisation=world.completed.collaborators[0].organisation)
    correct(world.completed)
    people = db.session.query(User).all()
    assert len(people) >= 5

    for path, body in everything_open(client, world).items():
        for person in people:
            assert person.name not in body, (path, person.name)
            assert person.email not in body, (path, person.email)
            assert person.email.split("@")[0] not in body, (path, person.email)


def test_held_back_and_challenge_engagements_never_appear_in_any_open_data(client, world):
    correct(world.completed)
    hidden = [HELD_BACK_TITLE, CHALLENGE_TITLE, world.held_back.slug, world.at_challenge.slug,
              "Not for publication yet", "A safeguarding review is under way"]

    for path, body in everything_open(client, world).items():
        for text in hidden:
            assert text not in body, (path, text)


# Every open-data address with no parameters of its own, and the report card's files, which take only dates.
NO_PARAMETERS = ["/engagements.csv", "/feed.atom", "/sitemap.xml", "/api/v1/openapi.json"]
DATES_ONLY = ["/report-card.csv", "/api/v1/report-card"]


@pytest.mark.parametrize("path", NO_PARAMETERS + DATES_ONLY)
@pytest.mark.parametrize("query", ["sort=title", "from=2026-01-01&order_by=id", "utm_source=newsletter"])
def test_open_data_refuses_query_parameters_it_does_not_offer(client, path, query):
    if path in NO_PARAMETERS and query.startswith("from="):
        query = "order_by=id"
    response = client.get(f"{path}?{query}")

    assert response.status_code == 400
    unknown = sorted(part.split("=")[0] for part in query.split("&") if not part.startswith("from="))
    message = f"Unknown filter: {', '.join(unknown)}"
    if path.startswith("/api/"):
        assert response.get_json()["error"] == {"status": 400, "message": message}
    else:
        assert response.get_data(as_text=True) == message
        assert response.mimetype == "text/plain"


@pytest.mark.parametrize("path", NO_PARAMETERS + DATES_ONLY)
def test_open_data_without_parameters_still_answers(client, path):
    assert client.get(path).status_code == 200
