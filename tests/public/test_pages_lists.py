"""The public lists: the home page, the engagement list with its filters, search and pages, organisation
pages and the insight library. What is not public never shows on any of them."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from engage.accounts.models import User
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.publication import services as publishing
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.public.page_records import (
    CHALLENGE_TITLE,
    COMPLETED_TITLE,
    HELD_BACK_TITLE,
    IN_PROGRESS_TITLE,
    INSIGHT_TEXT,
    PublicWorld,
    build_world,
    complete,
)
from tests.public.test_pages_record import text_of


@pytest.fixture
def world(engagement_at, make) -> PublicWorld:  # noqa: F811 - the fixture imported above
    return build_world(engagement_at, make)


def links_in(response) -> list[str]:
    return re.findall(r'href="([^"]+)"', response.get_data(as_text=True))


def test_the_home_page_shows_the_latest_records_open_engagements_and_a_search_box(client, world):
    response = client.get("/")
    assert response.status_code == 200
    page = text_of(response)
    html = response.get_data(as_text=True)

    latest = page[page.index("Latest published records"):]
    assert COMPLETED_TITLE in latest and IN_PROGRESS_TITLE not in latest
    get_involved = page[page.index("Get involved"):page.index("Latest published records")]
    assert IN_PROGRESS_TITLE in get_involved and COMPLETED_TITLE not in get_involved
    assert "How to get involved Come to a drop-in at the library on Tuesdays." in get_involved
    assert re.search(r'<form method="get" action="/engagements"[^>]*role="search"', html)
    assert re.search(r'<input class="govuk-input" id="home-search" name="q" type="search"', html)
    assert f"/engagements/{world.completed.slug}" in links_in(response)


def test_the_list_shows_every_public_engagement_with_a_count_and_the_csv(client, world):
    response = client.get("/engagements")
    assert response.status_code == 200
    page = text_of(response)
    assert "2 engagements" in page
    assert COMPLETED_TITLE in page and IN_PROGRESS_TITLE in page
    assert "/engagements.csv" in links_in(response)
    assert "/open-data" in links_in(response)


@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("status=completed", COMPLETED_TITLE, IN_PROGRESS_TITLE),
    ("status=in_progress", IN_PROGRESS_TITLE, COMPLETED_TITLE),
    ("step=frame", IN_PROGRESS_TITLE, COMPLETED_TITLE),
    ("q=walk-in+centre", COMPLETED_TITLE, IN_PROGRESS_TITLE),
    ("q=warm+spaces", IN_PROGRESS_TITLE, COMPLETED_TITLE),
], ids=["completed", "in-progress", "step", "search-insight-words", "search-title"])
def test_filters_and_search_narrow_the_list(client, world, query, shown, hidden):
    page = text_of(client.get(f"/engagements?{query}"))
    results = page[page.index("Results"):]
    assert "1 engagement " in results
    assert shown in results and hidden not in results


def test_the_filter_panel_keeps_what_was_chosen(client, world):
    html = client.get(f"/engagements?status=completed&theme={world.theme.slug}&q=clinic").get_data(as_text=True)
    assert '<option value="completed" selected>' in html
    assert f'<option value="{world.theme.slug}" selected>' in html
    assert 'name="q" type="search" value="clinic"' in html


def test_the_organisation_filter_offers_only_organisations_in_public_engagements(client, world):
    html = client.get("/engagements").get_data(as_text=True)
    assert f'value="{world.completed.lead_organisation.slug}"' in html
    assert f'value="{world.held_back.lead_organisation.slug}"' not in html
    assert f'value="{world.at_challenge.lead_organisation.slug}"' not in html


@pytest.mark.parametrize(("query", "message"), [
    ("sort=title", "Unknown filter: sort"),
    ("status=archived", "Status must be one of: in_progress, completed"),
    ("page=0", "Page must be between 1 and 100000"),
    ("year=last", "Year must be a whole number"),
])
def test_a_bad_filter_is_explained_with_an_error_summary_not_a_crash(client, world, query, message):
    response = client.get(f"/engagements?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert message in text_of(response)
    assert "<title>Error: " in html
    results = text_of(response)[text_of(response).index("Results"):]
    assert "Change the filters and try again." in results and COMPLETED_TITLE not in results


def test_long_lists_are_paged_with_the_filters_kept(client, engagement_at, make, world):  # noqa: F811
    for n in range(3):
        complete(engagement_at, make, title=f"Library hours {n}", theme=world.theme, area=world.area)
    first = client.get("/engagements?status=completed&per_page=2")
    page = text_of(first)
    assert "4 engagements, showing 1 to 2" in page
    html = first.get_data(as_text=True)
    assert 'class="govuk-pagination' in html and 'aria-label="Pages of results"' in html
    assert 'href="/engagements?status=completed&amp;per_page=2&amp;page=2"' in html
    assert 'aria-current="page"' in html

    second = text_of(client.get("/engagements?status=completed&per_page=2&page=2"))
    assert "4 engagements, showing 3 to 4" in second
    first_titles = set(re.findall(r"Library hours \d|" + COMPLETED_TITLE, page[page.index("Results"):]))
    second_titles = set(re.findall(r"Library hours \d|" + COMPLETED_TITLE, second[second.index("Results"):]))
    assert len(first_titles) == 2 and len(second_titles) == 2 and not first_titles & second_titles


def test_an_organisation_page_lists_the_engagements_it_leads_or_collaborates_on(client, world):
    lead = world.completed.lead_organisation
    partner = world.completed.collaborators[0].organisation
    for organisation in (lead, partner):
        response = client.get(f"/organisations/{organisation.slug}")
        assert response.status_code == 200
        page = text_of(response)
        assert organisation.name in page and organisation.kind.description in page
        assert COMPLETED_TITLE in page and "1 engagement" in page
        assert IN_PROGRESS_TITLE not in page
    assert client.get("/organisations/no-such-organisation").status_code == 404


def test_an_organisation_page_shows_its_description_and_website(client, world):
    organisation = world.in_progress.lead_organisation
    organisation.description = "The borough council."
    organisation.website = "https://council.example.org"
    db.session.commit()
    response = client.get(f"/organisations/{organisation.slug}")
    assert "The borough council." in text_of(response)
    assert "https://council.example.org" in links_in(response)


def test_the_insight_library_links_each_insight_to_its_engagement(client, world):
    response = client.get("/insights")
    assert response.status_code == 200
    page = text_of(response)
    assert INSIGHT_TEXT in page and "1 insight" in page and "System blocker" in page
    assert f"From {COMPLETED_TITLE}" in page
    assert f"/engagements/{world.completed.slug}#insights" in links_in(response)


@pytest.mark.parametrize(("query", "found"), [
    ("q=walk-in", True), ("q=library", False), ("blocker=yes", True), ("blocker=no", False),
    ("lens=carers", True), ("lens=workforce", False), ("theme={theme}", True), ("area={area}", True),
    ("area=wardle", False),
])
def test_the_insight_library_filters_by_search_theme_lens_area_and_blocker(client, world, query, found):
    query = query.format(theme=world.theme.slug, area=world.area.slug)
    page = text_of(client.get(f"/insights?{query}"))
    assert (INSIGHT_TEXT in page) is found
    assert ("No insights found" in page) is not found


def test_a_bad_insight_filter_is_explained_not_a_crash(client, world):
    response = client.get("/insights?lens=astrologers")
    assert response.status_code == 400
    assert "Lens must be one of" in text_of(response)


def _every_public_page(client, world) -> dict[str, str]:
    paths = ["/", "/engagements", "/insights", "/engagements?status=in_progress", "/engagements?step=frame"]
    for title in (HELD_BACK_TITLE, CHALLENGE_TITLE, COMPLETED_TITLE, IN_PROGRESS_TITLE):
        paths.append("/engagements?q=" + title.split()[0])
    for engagement in (world.completed, world.in_progress):
        paths.append(f"/engagements/{engagement.slug}")
    for version in publishing.versions_of(world.completed.id):
        paths.append(f"/engagements/{world.completed.slug}/versions/{version.number}")
    for slug in db.session.scalars(select(Organisation.slug)):
        paths.append(f"/organisations/{slug}")
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.get_data(as_text=True)
    return pages


def test_held_back_and_first_step_engagements_never_appear_on_any_public_page(client, world):
    for path, html in _every_public_page(client, world).items():
        for hidden in (world.held_back, world.at_challenge):
            assert hidden.title not in html, path
            assert f"/engagements/{hidden.slug}" not in html, path
        assert "A safeguarding review is under way." not in html, path  # the reason for holding back


def test_no_registered_persons_name_or_email_appears_on_any_public_page(client, world):
    people = list(db.session.scalars(select(User)))
    assert len(people) >= 4  # leads and partners of every engagement, public or not
    for path, html in _every_public_page(client, world).items():
        for person in people:
            assert person.email not in html, path
            assert re.search(rf"\b{re.escape(person.name)}\b", html) is None, (path, person.name)


def test_every_public_page_can_be_cached_and_answers_a_conditional_request_with_304(client, world):
    paths = ["/", "/engagements", "/insights", f"/engagements/{world.completed.slug}",
             f"/engagements/{world.completed.slug}/versions/1", f"/engagements/{world.in_progress.slug}",
             f"/organisations/{world.completed.lead_organisation.slug}"]
    # HTTP dates count whole seconds, so a change in the last second gets no Last-Modified: let one pass.
    time.sleep(1.1)
    for path in paths:
        first = client.get(path)
        assert first.status_code == 200, path
        assert first.headers.get("ETag") and first.headers.get("Last-Modified"), path
        assert "public" in first.headers["Cache-Control"], path
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", path


def test_a_bad_filter_is_not_cached_as_if_it_were_a_page(client, world):
    response = client.get("/engagements?sort=title")
    assert response.status_code == 400 and "ETag" not in response.headers
