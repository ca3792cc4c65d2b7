"""The report card's numbers for the borough in conftest.py, worked out by hand, and the page, the CSV and
the JSON all giving them. The JSON is validated against the published OpenAPI document."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import literal, select

from engage.clock import LONDON
from engage.database import UTCDateTime
from engage.engagements.models import Engagement
from engage.extensions import db
from engage.reporting import figures
from engage.reporting.figures import _uk_date
from tests.public.api_schema import assert_valid
from tests.reporting.conftest import PERIOD, T1, T2

pytestmark = pytest.mark.date_sensitive

QUERY = "from=2026-01-01&to=2026-06-30"

# Public engagements active in 1 January to 30 June 2026:
#   e1 (frame, opened 1 Feb), e2 (test, opened Oct 2025, still going), e3 (published 21 Mar), e4 (published 3 May).
#   Not e5 (published in 2025, before the period), e6 (held back), e7 (still at the challenge step), e8 (opened in
#   August, after the period).
ENGAGEMENTS = 4
BY_STEP = {"collaborators": 0, "frame": 1, "test": 1, "story": 0, "completed": 2}
BY_LEVEL = {"inform": 0, "consult": 1, "engage": 1, "co-design": 1, "co-produce": 1}
SHARED_POWER = 2  # e1 co-design, e3 co-produce
BY_THEME = {T1: 2, T2: 2}  # T1: e1, e2; T2: e1, e3
BY_AREA = {"kirkholt": 1, "heywood": 1, "langley": 1, "rochdale": 0, "middleton": 0, "wardle": 0}
WITHOUT_AREA = 1  # e4
# Areas with none: every area but Kirkholt and its township Rochdale, Heywood, and Langley and its township
# Middleton. Heywood's neighbourhoods count as quiet: e2 was for the township as a whole.
QUIET = ["deeplish", "spotland", "wardleworth", "darnhill", "hopwood", "hollin", "pennines", "littleborough",
         "milnrow", "wardle"]
# VCFSE collaborators on e1toe4: Alpha (e1, e2) and Beta (e2, e3). Not the NHS trust (public sector), not Gamma
# (only on the held-back e6 and on e8, opened after the period).
VCFSE = {"alpha-community-trust": 2, "beta-foodbank": 2}
# Signed in the period and still in force: Alpha on e1 (£1,234.56) and Beta on e2 in April (£200.00). Not Beta's
# of July, Alpha's varied one, Gamma's (held back) or the draft.
FUNDING = 123_456 + 20_000
FUNDING_BY_ORGANISATION = {"alpha-community-trust": 123_456, "beta-foodbank": 20_000}
# Activity dated 1 Jan to 30 Jun on public engagements: e1 on 10 Feb (10 people, 90 min), e2 on 1 Jan (5, 30 min),
# e3 on 30 Jun (20, 120 min). Not e1's of July, e2's of 31 Dec, e6's (held back) or e7's (challenge step).
ACTIVITIES = 3
PARTICIPANTS = 35
VOLUNTEER_MINUTES = 240  # 4 hours
REACH = {"carers-network": 4 + 2, "age": 6 + 5}
# Insights in records first published in the period: e3's three and e4's one (not e5's, published in 2025).
INSIGHTS = 4
BY_LENS = {"lived_experience": 2, "workforce": 1, "carers": 1, "communities": 0}
INSIGHTS_BY_THEME = {T1: 1, T2: 2}
BLOCKERS = {"engagement-e3": 1, "engagement-e4": 1}
# Opening to first publication: e3 10 Jan → 21 Mar = 70 days (10 weeks); e4 1 Jun 2025 → 3 May 2026 = 336 days
# (48 weeks). The median of two is their mean: 29 weeks.
PUBLISHED = 2
MEDIAN_WEEKS = 29.0
# Commitments (c1 to c10 on the completed, published e3, e4 and e5 in conftest.py; c11 is on the held-back e6),
# seen on 15 July 2026:
#   made in the period: c1 to c6 and c8 (c7 was made in July, c9 and c10 in 2025).
#   done on time: c1 (done 20 April, due 30 April) and c6 (done on the day it was due, 15 June).
#   done late: c2 (done 15 May, due 30 April) and c9 (done 5 January, due 31 December 2025).
#   overdue now: c3 (due 31 May) and c10 (due 1 October 2025). Not c4: due 30 September, after the period.
#   not going ahead: c5 (1 June). Not c8: stopped on 3 July, after the period.
#   days from first publication to done: c1 30 (21 March to 20 April), c6 43 (3 May to 15 June), c2 55 (21 March
#   to 15 May), c9 218 (1 June 2025 to 5 January 2026). The median of four is the mean of the middle two: 49.
SEEN_ON = datetime(2026, 7, 15, 12, tzinfo=UTC)
COMMITMENTS = {"made": 7, "done_on_time": 2, "done_late": 2, "overdue_now": 2, "not_going_ahead": 1,
               "median_days_from_publication_to_done": 49.0}


def csv_figures(text: str) -> dict[tuple[str, str], str]:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(r["period_from"], r["period_to"]) for r in rows} == {(PERIOD["from"], PERIOD["to"])}
    return {(r["figure"], r["category_key"]): r["value"] for r in rows}


def by_key(items: list[dict]) -> dict[str, int]:
    return {item["key"]: item["count"] for item in items}


def test_the_json_gives_the_hand_computed_figures_and_matches_its_schema(client, borough, app):
    response = client.get(f"/api/v1/report-card?{QUERY}")
    assert response.status_code == 200
    body = response.get_json()
    assert_valid(client.get("/api/v1/openapi.json").get_json(), "ReportCard", body)

    assert body["period"] == PERIOD
    engagements = body["engagements"]
    assert engagements["total"] == ENGAGEMENTS
    assert by_key(engagements["by_step"]) == BY_STEP
    assert by_key(engagements["by_level"]) == BY_LEVEL
    assert {k: v for k, v in by_key(engagements["by_theme"]).items() if v} == BY_THEME
    assert {k: by_key(engagements["by_area"])[k] for k in BY_AREA} == BY_AREA
    assert engagements["without_area"] == WITHOUT_AREA
    assert [a["key"] for a in engagements["quiet_areas"]] == QUIET
    assert engagements["co_design_or_co_produce"] == {"count": SHARED_POWER, "share": 0.5}
    assert engagements["left_out"] == {"held_back": 1, "choosing_challenge": 1}

    vcfse = body["vcfse"]
    assert by_key(vcfse["organisations"]) == VCFSE
    assert vcfse["funding_pence"] == FUNDING
    assert vcfse["signed_agreements"] == 2
    assert {o["key"]: o["funding_pence"] for o in vcfse["funding_by_organisation"]} == FUNDING_BY_ORGANISATION

    activity = body["activity"]
    rate = app.config["IN_KIND_HOURLY_RATE_PENCE"]
    assert (activity["activities"], activity["participants"], activity["volunteer_hours"]) == (
        ACTIVITIES, PARTICIPANTS, 4)
    assert activity["in_kind_value_pence"] == 4 * rate
    assert {k: v for k, v in by_key(activity["reach"]).items() if v} == REACH

    insights = body["insights"]
    assert insights["total"] == INSIGHTS
    assert {k: by_key(insights["by_lens"])[k] for k in BY_LENS} == BY_LENS
    assert {k: v for k, v in by_key(insights["by_theme"]).items() if v} == INSIGHTS_BY_THEME
    assert [b["engagement"]["slug"] for b in insights["system_blockers"]] == ["engagement-e4", "engagement-e3"]
    assert insights["system_blockers"][1]["text"] == "Referral forms ask for the same things three times."

    assert body["publication"] == {"published": PUBLISHED, "median_weeks_to_publication": MEDIAN_WEEKS}
    assert body["licence"]["url"] == app.config["OPEN_DATA_LICENCE_URL"]
    assert set(body["definitions"]) >= {"engagements", "funding", "activity", "insights", "publication"}


def test_the_csv_gives_the_same_figures_one_row_each(client, borough, app):
    response = client.get(f"/report-card.csv?{QUERY}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "report-card-2026-01-01-to-2026-06-30.csv" in response.headers["Content-Disposition"]
    assert 'rel="license"' in response.headers["Link"]
    figures = csv_figures(response.get_data(as_text=True))

    assert figures[("engagements", "")] == str(ENGAGEMENTS)
    assert {k: int(figures[("engagements_by_step", k)]) for k in BY_STEP} == BY_STEP
    assert {k: int(figures[("engagements_by_level", k)]) for k in BY_LEVEL} == BY_LEVEL
    assert {k: int(figures[("engagements_by_theme", k)]) for k in BY_THEME} == BY_THEME
    assert {k: int(figures[("engagements_by_area", k)]) for k in BY_AREA} == BY_AREA
    assert sorted(k for f, k in figures if f == "quiet_area") == sorted(QUIET)
    assert figures[("co_design_or_co_produce", "")] == str(SHARED_POWER)
    assert figures[("co_design_or_co_produce_share", "")] == "0.5"
    assert figures[("held_back", "")] == "1"
    assert {k: int(figures[("vcfse_organisation_engagements", k)]) for k in VCFSE} == VCFSE
    assert figures[("funding_committed", "")] == str(FUNDING)
    assert {k: int(figures[("funding_committed_by_organisation", k)])
            for k in FUNDING_BY_ORGANISATION} == FUNDING_BY_ORGANISATION
    assert figures[("participants", "")] == str(PARTICIPANTS)
    assert figures[("volunteer_hours", "")] == "4.0"
    assert figures[("in_kind_value", "")] == str(4 * app.config["IN_KIND_HOURLY_RATE_PENCE"])
    assert {k: int(figures[("people_reached_by_community", k)]) for k in REACH} == REACH
    assert figures[("insights", "")] == str(INSIGHTS)
    assert {k: int(figures[("insights_by_lens", k)]) for k in BY_LENS} == BY_LENS
    assert {k: int(figures[("system_blockers_by_engagement", k)]) for k in BLOCKERS} == BLOCKERS
    assert figures[("median_weeks_to_publication", "")] == str(MEDIAN_WEEKS)


def _table(soup: BeautifulSoup, caption: str) -> dict[str, str]:
    table = soup.find("caption", string=caption).find_parent("table")
    return {row.th.get_text(" ", strip=True): row.find_all("td")[-1].get_text(strip=True)
            for row in table.tbody.find_all("tr")}


def test_the_page_shows_the_same_figures_and_says_what_is_left_out(client, borough, app):
    response = client.get(f"/report-card?{QUERY}")
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    glance = {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
              for row in soup.select(".engage-report-card__glance .govuk-summary-list__row")}

    assert glance["Engagements active"] == str(ENGAGEMENTS)
    assert glance["At co-design or co-produce"] == "2 of 4 (50%)"
    assert glance["VCFSE organisations involved"] == "2"
    assert glance["Funding committed to VCFSE partners"] == "£1,434.56 in 2 signed agreements"
    assert glance["Participants"] == str(PARTICIPANTS)
    assert glance["Volunteer hours"] == "4"
    rate = app.config["IN_KIND_HOURLY_RATE_PENCE"]
    assert glance["In-kind value of volunteers' time"].startswith(f"£{4 * rate / 100:,.2f}")
    assert glance["Insights published"] == str(INSIGHTS)
    assert glance["System blockers"] == "2"
    assert glance["Median weeks from opening to publication"] == "29.0"
    assert glance["Quiet areas"] == str(len(QUIET))

    assert _table(soup, "Engagements by level") == {"Inform": "0", "Consult": "1", "Engage": "1", "Co-design": "1",
                                                     "Co-produce": "1"}
    assert _table(soup, "People reached by community")["Carers network"] == "6"
    assert _table(soup, "Funding committed to VCFSE partners") == {
        "Alpha Community Trust": "£1,234.56", "Beta Foodbank": "£200.00", "Total": "£1,434.56"}
    text = soup.get_text(" ", strip=True)
    assert "1 engagement held back by its lead is not included" in text
    assert "1 engagement still choosing its challenge is not public yet and not included" in text
    assert "1 January 2026 to 30 June 2026" in text
    blockers = soup.find(id="system-blockers").find_next("ul")
    assert blockers.find("a", href="/engagements/engagement-e3#insights")
    assert "Referral forms ask for the same things three times." in blockers.get_text()
    # Held-back work appears nowhere, not even by name.
    assert "Engagement E6" not in text and "Gamma Group" not in text


def test_a_long_list_of_system_blockers_shows_the_latest_and_counts_them_all(client, borough, monkeypatch):
    # Two blockers in the period, one listed: as thousands in a long period would be, with 20 listed.
    monkeypatch.setattr(figures, "BLOCKERS_SHOWN", 1)
    soup = BeautifulSoup(client.get(f"/report-card?{QUERY}").data, "html.parser")
    glance = {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
              for row in soup.select(".engage-report-card__glance .govuk-summary-list__row")}
    assert glance["System blockers"] == "2"
    section = soup.find(id="system-blockers").find_next("ul")
    assert [a["href"] for a in section.find_all("a")] == ["/engagements/engagement-e4#insights"]
    note = soup.find(id="system-blockers").find_next("p").find_next("p")
    assert note.get_text(" ", strip=True).startswith("The latest 1 of 2 are listed here.")
    assert note.find("a", string="JSON")["href"] == f"/api/v1/report-card?{QUERY}"

    # The JSON and the CSV still give every one.
    body = client.get(f"/api/v1/report-card?{QUERY}").get_json()
    assert [b["engagement"]["slug"] for b in body["insights"]["system_blockers"]] == ["engagement-e4", "engagement-e3"]
    rows = csv_figures(client.get(f"/report-card.csv?{QUERY}").get_data(as_text=True))
    assert rows[("system_blockers", "")] == "2"
    assert {k: int(rows[("system_blockers_by_engagement", k)]) for k in BLOCKERS} == BLOCKERS


def test_the_page_csv_and_json_agree_on_every_figure(client, borough):
    figures = csv_figures(client.get(f"/report-card.csv?{QUERY}").get_data(as_text=True))
    body = client.get(f"/api/v1/report-card?{QUERY}").get_json()
    pairs = {
        ("engagements", ""): body["engagements"]["total"],
        ("funding_committed", ""): body["vcfse"]["funding_pence"],
        ("participants", ""): body["activity"]["participants"],
        ("in_kind_value", ""): body["activity"]["in_kind_value_pence"],
        ("insights", ""): body["insights"]["total"],
        ("published", ""): body["publication"]["published"],
    }
    for section, figure in [("by_step", "engagements_by_step"), ("by_level", "engagements_by_level"),
                            ("by_theme", "engagements_by_theme"), ("by_area", "engagements_by_area")]:
        pairs.update({(figure, c["key"]): c["count"] for c in body["engagements"][section]})
    pairs.update({("people_reached_by_community", c["key"]): c["count"] for c in body["activity"]["reach"]})
    pairs.update({("insights_by_lens", c["key"]): c["count"] for c in body["insights"]["by_lens"]})
    assert {key: figures[key] for key in pairs} == {key: str(value) for key, value in pairs.items()}

    soup = BeautifulSoup(client.get(f"/report-card?{QUERY}").data, "html.parser")
    for caption, section in [("Engagements by step", body["engagements"]["by_step"]),
                             ("Engagements by theme", body["engagements"]["by_theme"]),
                             ("Insights by whose view they give", body["insights"]["by_lens"])]:
        assert _table(soup, caption) == {c["label"]: f"{c['count']:,}" for c in section}


def test_the_default_period_is_the_last_12_months(client, borough):
    with time_machine.travel(datetime(2026, 6, 30, 12, tzinfo=UTC)):
        body = client.get("/api/v1/report-card").get_json()
        page = client.get("/report-card").get_data(as_text=True)
    assert body["period"] == {"from": "2025-07-01", "to": "2026-06-30"}
    assert "1 July 2025" in page and "(the last 12 months)" in page
    # e4 was opened in June 2025 but is active until its publication in May 2026; e2 from October 2025.
    assert body["engagements"]["total"] == 4
    # Activity of 31 Dec 2025 is now inside the period: e2's two activities (5 + 7) and the rest.
    assert body["activity"]["participants"] == 10 + 5 + 7 + 20 + 3


@pytest.mark.parametrize("query, message", [
    ("from-day=31&from-month=2&from-year=2026", "Start date must be a real date"),
    ("from-day=1&from-month=&from-year=2026", "Start date must include a month"),
    ("to-day=x&to-month=2&to-year=2026", "End date must be a real date, in numbers"),
    # Too big for a date to be made from at all (this was a server error), or digits that are not 0 to 9.
    ("to-day=1&to-month=99999999999999999999999999&to-year=2026", "End date must be a real date"),
    ("from-day=1&from-month=1&from-year=" + "9" * 30, "Start date must be a real date"),
    ("from-day=%C2%B2&from-month=1&from-year=2026", "Start date must be a real date, in numbers"),
    ("from-day=%EF%BC%91&from-month=1&from-year=2026", "Start date must be a real date, in numbers"),
    ("from=2026-06-01&to=2026-05-01", "End date must be the same as or after the start date"),
    ("from=1800-01-01", "Start date must be between 2000 and 2100"),
    ("from=2026-13-01", "Start date must be a real date, like 2026-04-01"),
    ("sort=name", "Unknown filter: sort"),
    ("from=2026-01-01&from=2026-02-01", "Give the start date once only"),
    ("to=2026-01-01&to-day=1&to-month=1&to-year=2026", "Give the end date as a date or as day, month and year"),
])
def test_bad_dates_are_refused_with_an_error_summary_that_keeps_what_was_typed(client, query, message):
    response = client.get(f"/report-card?{query}")
    assert response.status_code == 400
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.title.get_text().startswith("Error:")
    summary = soup.select_one(".govuk-error-summary")
    assert message in summary.get_text()
    assert summary.find("a")["href"] in ("#from-day", "#to-day")
    assert not soup.select(".engage-report-card__glance")
    if query.startswith("from-day=31"):
        assert soup.find("input", id="from-day")["value"] == "31"
        assert soup.find("input", id="from-month")["value"] == "2"
    assert client.get(f"/api/v1/report-card?{query}").get_json()["error"]["message"].startswith(message)
    assert client.get(f"/report-card.csv?{query}").status_code == 400


def test_the_date_boxes_give_the_same_figures_as_iso_dates(client, borough):
    boxes = "from-day=1&from-month=1&from-year=2026&to-day=30&to-month=6&to-year=2026"
    page = BeautifulSoup(client.get(f"/report-card?{boxes}").data, "html.parser")
    assert page.find("input", id="to-day")["value"] == "30"
    assert page.select_one('a[href^="/report-card.csv"]')["href"] == f"/report-card.csv?{QUERY}"
    assert page.select_one('a[href^="/api/v1/report-card"]')["href"] == f"/api/v1/report-card?{QUERY}"
    glance = page.select_one(".engage-report-card__glance").get_text(" ", strip=True)
    assert "£1,434.56" in glance


def test_an_empty_service_shows_zeros_not_errors(client):
    body = client.get(f"/api/v1/report-card?{QUERY}").get_json()
    assert body["engagements"]["total"] == 0
    assert body["engagements"]["co_design_or_co_produce"] == {"count": 0, "share": None}
    assert body["publication"] == {"published": 0, "median_weeks_to_publication": None}
    page = client.get(f"/report-card?{QUERY}")
    assert page.status_code == 200
    assert b"None published in this period" in page.data
    assert client.get(f"/report-card/charts/levels.svg?{QUERY}").status_code == 200


def test_the_median_of_an_odd_number_is_the_middle_one(client, borough):
    # From 1 March: only e3 (70 days, 10 weeks) and e4 (48 weeks) are published; to 31 March: e3 alone.
    body = client.get("/api/v1/report-card?from=2026-03-01&to=2026-03-31").get_json()
    assert body["publication"] == {"published": 1, "median_weeks_to_publication": 10.0}


def test_the_page_csv_and_json_give_the_hand_computed_commitment_figures(client, borough):
    with time_machine.travel(SEEN_ON):
        body = client.get(f"/api/v1/report-card?{QUERY}").get_json()
        figures = csv_figures(client.get(f"/report-card.csv?{QUERY}").get_data(as_text=True))
        soup = BeautifulSoup(client.get(f"/report-card?{QUERY}").data, "html.parser")
        schema = client.get("/api/v1/openapi.json").get_json()

    assert_valid(schema, "ReportCard", body)
    assert body["commitments"] == COMMITMENTS
    assert {name: figures[(name, "")] for name in (
        "commitments_made", "commitments_done_on_time", "commitments_done_late", "commitments_overdue_now",
        "commitments_not_going_ahead", "median_days_from_publication_to_done")} == {
        "commitments_made": "7", "commitments_done_on_time": "2", "commitments_done_late": "2",
        "commitments_overdue_now": "2", "commitments_not_going_ahead": "1",
        "median_days_from_publication_to_done": "49.0"}
    assert _table(soup, "Commitments") == {
        "Made in the period": "7", "Done on time": "2", "Done late": "2", "Overdue now": "2", "Not going ahead": "1",
        "Median days from publication to done": "49.0"}
    glance = {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
              for row in soup.select(".engage-report-card__glance .govuk-summary-list__row")}
    assert (glance["Commitments made"], glance["Commitments overdue now"]) == ("7", "2")
    # Each figure says in plain English what it counts, on the page and in the JSON.
    section = soup.find(id="commitments").find_next("table").find_previous_siblings("p")
    text = " ".join(p.get_text(" ", strip=True) for p in section)
    for key in ("commitments", "commitments_overdue", "commitments_not_going_ahead", "commitments_days_to_done"):
        assert body["definitions"][key] in text
    assert "how things stand today, not at the end of the period" in body["definitions"]["commitments_overdue"]


def test_the_commitment_median_of_an_odd_number_is_the_middle_one(client, borough):
    # April to June: c1 (30 days), c6 (43) and c2 (55) were done; c9 was done in January.
    with time_machine.travel(SEEN_ON):
        body = client.get("/api/v1/report-card?from=2026-04-01&to=2026-06-30").get_json()
    assert body["commitments"]["median_days_from_publication_to_done"] == 43.0
    assert (body["commitments"]["done_on_time"], body["commitments"]["done_late"]) == (2, 1)


def test_overdue_now_counts_what_fell_due_by_the_end_of_the_period_and_is_still_open_today(client, borough):
    # On 15 October c4 (due 30 September) is overdue too, but it fell due after this period: only a period that
    # reaches past 30 September counts it.
    with time_machine.travel(datetime(2026, 10, 15, 12, tzinfo=UTC)):
        assert client.get(f"/api/v1/report-card?{QUERY}").get_json()["commitments"]["overdue_now"] == 2
        later = client.get("/api/v1/report-card?from=2026-01-01&to=2026-10-15").get_json()["commitments"]
    assert later["overdue_now"] == 3
    # Before c3 fell due (31 May), only c10 was overdue.
    with time_machine.travel(datetime(2026, 5, 31, 12, tzinfo=UTC)):
        assert client.get(f"/api/v1/report-card?{QUERY}").get_json()["commitments"]["overdue_now"] == 1


def test_commitments_of_an_engagement_held_back_are_not_counted(client, borough):
    e4 = db.session.scalar(select(Engagement).where(Engagement.slug == borough.slugs["e4"]))
    e4.held_back, e4.held_back_reason = True, "A complaint is being looked into."
    db.session.commit()
    with time_machine.travel(SEEN_ON):
        commitments = client.get(f"/api/v1/report-card?{QUERY}").get_json()["commitments"]
    # c6 (made, done on time) and c8 (made) go: 30, 55 and 218 days are left.
    assert commitments == {**COMMITMENTS, "made": 5, "done_on_time": 1,
                           "median_days_from_publication_to_done": 55.0}


@pytest.mark.parametrize("instant, day", [
    (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "2026-03-29"),  # the clocks go forward at 01:00 UTC
    (datetime(2026, 3, 29, 23, 30, tzinfo=UTC), "2026-03-30"),
    (datetime(2026, 6, 20, 22, 59, tzinfo=UTC), "2026-06-20"),
    (datetime(2026, 6, 20, 23, 0, tzinfo=UTC), "2026-06-21"),
    (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), "2026-10-25"),  # still summer time
    (datetime(2026, 10, 25, 0, 59, tzinfo=UTC), "2026-10-25"),
    (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), "2026-10-25"),  # winter: UK time is UTC
    (datetime(2027, 3, 27, 23, 30, tzinfo=UTC), "2027-03-27"),  # the day before 2027's change
    (datetime(2027, 3, 28, 23, 30, tzinfo=UTC), "2027-03-29"),
    (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "2026-12-31"),
])
def test_the_uk_date_of_a_moment_is_worked_out_in_sql_as_python_does(instant, day):
    assert instant.astimezone(LONDON).date().isoformat() == day
    assert str(db.session.scalar(select(_uk_date(literal(instant, UTCDateTime()))))) == day
