"""The report card's charts (SVG that runs nothing and loads nothing), caching, who may see it, and the demo
data as the report card shows it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
import time_machine
from bs4 import BeautifulSoup

from engage.reporting.charts import CHARTS
from tests.factories import Factories, sign_in
from tests.reporting.conftest import install_communities

pytestmark = pytest.mark.date_sensitive

QUERY = "from=2026-01-01&to=2026-06-30"


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_each_chart_is_an_svg_image_with_nothing_to_run_or_fetch(client, borough, name):
    response = client.get(f"/report-card/charts/{name}.svg?{QUERY}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    # Its own narrow policy: an image needs its inline style sheet and nothing else.
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    svg = response.get_data(as_text=True)
    root = ElementTree.fromstring(svg)  # noqa: S314 - the service's own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script" not in svg and "@import" not in svg and "@font-face" not in svg
    addresses = set(re.findall(r"(?:href|src)\s*=\s*\"([^\"]+)\"", svg)) | set(re.findall(r"url\(([^)]*)\)", svg))
    assert not [a for a in addresses if not a.startswith("#")], addresses
    assert CHARTS[name].title in svg
    # The same chart twice is the same document (no random identifiers), so its ETag holds.
    assert client.get(f"/report-card/charts/{name}.svg?{QUERY}").data == response.data


def test_a_chart_prints_every_number_of_its_table(client, borough):
    svg = client.get(f"/report-card/charts/levels.svg?{QUERY}").get_data(as_text=True)
    root = ElementTree.fromstring(svg)  # noqa: S314 - the service's own output
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text]
    for label in ("Inform", "Consult", "Engage", "Co-design", "Co-produce"):
        assert label in texts
    assert texts.count("1") >= 4 and "0" in texts


def test_an_unknown_chart_is_not_found_and_bad_dates_are_refused(client):
    assert client.get("/report-card/charts/secrets.svg").status_code == 404
    assert client.get("/report-card/charts/levels.svg?from=2026-02-31").status_code == 400


def test_the_page_shows_each_chart_with_alt_text_a_description_and_a_table(client, borough):
    soup = BeautifulSoup(client.get(f"/report-card?{QUERY}").data, "html.parser")
    for name, chart in CHARTS.items():
        section = soup.find(id=f"chart-{name}")
        image = section.find("img")
        assert image["src"] == f"/report-card/charts/{name}.svg?{QUERY}"
        assert image["alt"].startswith(f"Bar chart of {chart.title.lower()}")
        assert section.select_one(".engage-chart__description").get_text(strip=True)
        assert section.find("table").caption.get_text(strip=True) == chart.title
    levels = soup.find(id="chart-levels").select_one(".engage-chart__description").get_text(" ", strip=True)
    assert "Co-design: 1" in levels and "Inform" not in levels.split("had none")[0].split(".", 1)[1]


def test_the_default_period_links_to_charts_and_files_without_dates(client, borough):
    # So that the addresses are stable, and the static export saves them as files.
    soup = BeautifulSoup(client.get("/report-card").data, "html.parser")
    assert soup.find(id="chart-levels").find("img")["src"] == "/report-card/charts/levels.svg"
    assert soup.select_one('a[href^="/report-card.csv"]')["href"] == "/report-card.csv"


@pytest.mark.parametrize("url", [f"/report-card?{QUERY}", f"/report-card.csv?{QUERY}",
                                 f"/api/v1/report-card?{QUERY}", f"/report-card/charts/reach.svg?{QUERY}"])
def test_responses_are_cached_like_the_rest_of_the_public_site(client, borough, url):
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.headers["ETag"]
    # The figures move with activity the site's last-change time does not follow: no Last-Modified.
    assert "Last-Modified" not in first.headers
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_the_json_is_open_to_other_sites(client):
    assert client.get("/api/v1/report-card").headers["Access-Control-Allow-Origin"] == "*"


def test_everyone_may_read_it_and_signed_in_pages_are_not_stored(client, app, make: Factories):
    assert client.get("/report-card").status_code == 200
    for user in (make.partner(), make.lead(), make.admin()):
        browser = app.test_client()
        sign_in(browser, user)
        response = browser.get("/report-card")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"


def test_the_report_card_is_in_the_navigation_the_sitemap_and_the_data_card(client):
    home = BeautifulSoup(client.get("/").data, "html.parser")
    assert home.select_one('.govuk-service-navigation a[href="/report-card"]').get_text(strip=True) == "Report card"
    assert b"/report-card</loc>" in client.get("/sitemap.xml").data
    card = BeautifulSoup(client.get("/open-data").data, "html.parser")
    assert card.find("a", href="/report-card.csv") and card.find("a", href="/api/v1/report-card")
    columns = [th.get_text(strip=True) for th in card.find(id="report-card").find_next("table").tbody.find_all("th")]
    header = client.get("/report-card.csv").get_data(as_text=True).splitlines()[0]
    assert columns == header.split(",")


def test_the_demo_data_shows_correctly(app, client):
    # The demo is seeded "now"; its activity is dated in 2026. Seen from 23 November 2026, the last 12 months hold
    # every public demo engagement and all of its activity.
    with time_machine.travel(datetime(2026, 11, 23, 12, tzinfo=UTC)):
        install_communities()
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        body = client.get("/api/v1/report-card").get_json()
        page = BeautifulSoup(client.get("/report-card").data, "html.parser")

    assert body["period"] == {"from": "2025-11-24", "to": "2026-11-23"}
    engagements = body["engagements"]
    # Six demo engagements, one at each step: the one still choosing its challenge is not public.
    assert engagements["total"] == 5
    assert engagements["left_out"] == {"held_back": 0, "choosing_challenge": 1}
    assert {c["key"]: c["count"] for c in engagements["by_step"]} == {
        "collaborators": 1, "frame": 1, "test": 1, "story": 1, "completed": 1}
    # The signed agreements: three with Common Ground Northbrook (£1,500 each), one with no funding.
    assert body["vcfse"]["funding_pence"] == 450_000
    assert body["publication"]["published"] == 1
    # The completed engagement's published record has two system blockers.
    assert len(body["insights"]["system_blockers"]) == 2
    assert {b["engagement"]["slug"] for b in body["insights"]["system_blockers"]} == {
        "neighbourhood-support-in-langley"}
    glance = {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
              for row in page.select(".engage-report-card__glance .govuk-summary-list__row")}
    assert glance["Engagements active"] == "5"
    assert glance["Funding committed to VCFSE partners"].startswith("£4,500.00")
    assert glance["Participants"] == f"{body['activity']['participants']:,}"
    # The demo's activity reaches older people: counted under Age.
    assert {c["key"]: c["count"] for c in body["activity"]["reach"]}["age"] > 0
