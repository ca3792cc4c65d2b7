"""HTTP caching of the public site and open data: ETag and Last-Modified on every response, 304 Not
Modified for a conditional request that already has the current body, and Cache-Control suited to each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.http import http_date, parse_date

from engage.caching import http as caching
from engage.caching.changes import SiteChange
from engage.database import utcnow
from engage.engagements import services as engagements
from engage.extensions import db
from engage.publication.record import latest_version
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.factories import sign_in
from tests.public.page_records import build_world

pytestmark = pytest.mark.date_sensitive

OPEN_DATA = ["/api/v1/engagements", "/api/v1/engagements?status=completed", "/engagements.csv", "/feed.atom",
             "/sitemap.xml", "/open-data"]


@pytest.fixture
def world(engagement_at, make):  # noqa: F811 - the fixture imported above
    return build_world(engagement_at, make)


@pytest.fixture
def later(monkeypatch):
    """The clock a few seconds on, as when a resident comes back: dates of changes just made are sent."""
    monkeypatch.setattr(caching, "_now", lambda: utcnow() + timedelta(seconds=5))


def settle() -> None:
    """Every change residents can see made a minute ago."""
    site = db.session.scalars(select(SiteChange)).one()
    site.changed_at -= timedelta(minutes=1)
    db.session.commit()


def addresses(world) -> list[str]:
    return [*OPEN_DATA, f"/api/v1/engagements/{world.completed.slug}", f"/api/v1/engagements/{world.in_progress.slug}",
            f"/api/v1/engagements/{world.completed.slug}/versions/1"]


def test_every_open_data_response_has_validators_and_may_be_cached_publicly(client, world, later):
    for path in addresses(world):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["ETag"].startswith('"'), path
        assert parse_date(response.headers["Last-Modified"]) is not None, path
        assert response.cache_control.public, path
        assert response.cache_control.max_age in (caching.LIST_MAX_AGE, caching.VERSION_MAX_AGE), path


def test_if_none_match_with_the_current_etag_gives_304_with_no_body(client, world):
    for path in addresses(world):
        first = client.get(path)

        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})

        assert again.status_code == 304, path
        assert again.get_data() == b"", path
        assert again.headers["ETag"] == first.headers["ETag"], path
        assert again.headers["Cache-Control"] == first.headers["Cache-Control"], path


def test_if_modified_since_the_last_change_gives_304(client, world, later):
    for path in addresses(world):
        first = client.get(path)

        again = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        older = client.get(path, headers={"If-Modified-Since": http_date(
            parse_date(first.headers["Last-Modified"]) - timedelta(seconds=1))})

        assert again.status_code == 304, path
        assert older.status_code == 200, path


def test_an_etag_that_no_longer_matches_wins_over_a_date_that_does(client, world, later):
    first = client.get("/api/v1/engagements")

    response = client.get("/api/v1/engagements", headers={"If-None-Match": '"something-else"',
                                                           "If-Modified-Since": first.headers["Last-Modified"]})

    assert response.status_code == 200


def test_a_change_residents_can_see_changes_the_etag_and_the_date(client, world, later):
    before = client.get("/api/v1/engagements")
    engagements.post_update(world.in_progress, actor=world.in_progress.lead_user, body="Two more warm spaces.")
    db.session.commit()

    after = client.get("/api/v1/engagements", headers={"If-None-Match": before.headers["ETag"]})

    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert parse_date(after.headers["Last-Modified"]) >= parse_date(before.headers["Last-Modified"])
    assert "Two more warm spaces." in after.get_data(as_text=True)


def test_an_engagement_leaving_public_view_moves_the_last_modified_date(client, world):
    settle()
    before = parse_date(client.get("/engagements.csv").headers["Last-Modified"])
    engagements.set_held_back(world.in_progress, actor=world.in_progress.lead_user, held_back=True,
                              reason="A review is under way.")
    db.session.commit()

    after = client.get("/engagements.csv", headers={"If-Modified-Since": http_date(before)})

    assert after.status_code == 200, "an If-Modified-Since client must not keep the held-back engagement"
    assert world.in_progress.title not in after.get_data(as_text=True)


def test_a_published_version_is_cached_for_a_day_and_dated_when_it_was_published(client, world, later):
    version = latest_version(world.completed.id)

    response = client.get(f"/api/v1/engagements/{world.completed.slug}/versions/1")

    assert response.cache_control.max_age == caching.VERSION_MAX_AGE
    assert parse_date(response.headers["Last-Modified"]) == version.published_at.replace(microsecond=0)


def test_no_date_is_given_in_the_second_after_a_change(client, world):
    response = client.get("/api/v1/engagements")

    assert "Last-Modified" not in response.headers, "a change within this second could not be told apart"
    assert response.headers["ETag"]
    settle()
    assert "Last-Modified" in client.get("/api/v1/engagements").headers


def test_lists_and_latest_records_are_cached_for_five_minutes(client, world):
    for path in ("/api/v1/engagements", f"/api/v1/engagements/{world.completed.slug}", "/engagements.csv"):
        assert client.get(path).cache_control.max_age == 300


def test_an_html_page_keeps_its_etag_though_its_nonce_changes(client):
    # Each test-client request has its own context, so its own nonce, as in production.
    first = client.get("/open-data")
    second = client.get("/open-data", headers={"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200 and second.status_code == 304
    assert first.headers["Content-Security-Policy"] != client.get("/open-data").headers["Content-Security-Policy"]
    assert "Content-Security-Policy" in first.headers
    assert "Content-Security-Policy" not in second.headers, \
        "a 304 keeps the stored page's policy, whose nonce matches the stored page"


def test_errors_are_not_cached_as_public(client, world):
    for path in ("/api/v1/engagements?sort=title", "/api/v1/engagements/no-such-engagement"):
        response = client.get(path)
        assert response.status_code in (400, 404)
        assert "ETag" not in response.headers
        assert not response.cache_control.public


def test_a_signed_in_person_is_never_served_from_a_shared_cache(client, world):
    sign_in(client, world.completed.lead_user)

    response = client.get("/api/v1/engagements")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_head_request_has_the_validators_too(client, world):
    get = client.get("/engagements.csv")
    head = client.head("/engagements.csv")

    assert head.status_code == 200 and head.headers["ETag"] == get.headers["ETag"]


# The helper, as the public pages use it ---------------------------------------------------------------------

def test_conditional_gives_a_304_for_the_same_body_and_a_200_for_another(app):
    with app.test_request_context("/"):
        response = caching.conditional("Hello", last_modified=None)
    etag = response.headers["ETag"]

    with app.test_request_context("/", headers={"If-None-Match": etag}):
        assert caching.conditional("Hello", last_modified=None).status_code == 304
        assert caching.conditional("Hello again", last_modified=None).status_code == 200


def test_conditional_leaves_other_statuses_and_methods_alone(app):
    with app.test_request_context("/"):
        response = caching.conditional(("Not found", 404))
        assert response.status_code == 404 and "ETag" not in response.headers
    with app.test_request_context("/", method="POST"):
        assert "ETag" not in caching.conditional("Done").headers


def test_the_decorator_gives_a_view_its_validators(app):
    moment = datetime(2026, 3, 1, 10, 30, 15, 123456, tzinfo=UTC)

    @caching.public_cache(max_age=60, last_modified=lambda: moment)
    def view():
        return "A page"

    with app.test_request_context("/"):
        response = view()
    assert response.cache_control.max_age == 60 and response.cache_control.public
    assert parse_date(response.headers["Last-Modified"]) == moment.replace(microsecond=0)
    with app.test_request_context("/", headers={"If-Modified-Since": http_date(moment)}):
        assert view().status_code == 304
