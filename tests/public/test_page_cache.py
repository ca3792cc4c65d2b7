"""The page cache: public responses kept in each process, served again only while nothing residents can see
has changed, never to signed-in people, never with another response's script nonce."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import update

from engage.caching import page_cache
from engage.caching.changes import current_stamp
from engage.engagements import services as engagements
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.publication import services as publishing
from tests.databases import dispose, migrated_app
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.factories import sign_in
from tests.public.page_records import IN_PROGRESS_TITLE, build_world
from tests.statements import queries_run

pytestmark = pytest.mark.date_sensitive

NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def cache_on(app: Flask) -> Iterator[None]:
    app.config["PAGE_CACHE_ENABLED"] = True
    page_cache.clear()
    try:
        yield
    finally:
        app.config["PAGE_CACHE_ENABLED"] = False
        page_cache.clear()


@pytest.fixture
def world(engagement_at, make, cache_on):  # noqa: F811 - the fixture imported above
    return build_world(engagement_at, make)


def test_a_second_reader_is_served_from_the_cache_with_one_query(client, world):
    url = f"/engagements/{world.completed.slug}"
    first = client.get(url)
    with queries_run() as seen:
        second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert seen == [seen[0]] and "site_changes" in seen[0]
    assert NONCE.sub("", second.get_data(as_text=True)) == NONCE.sub("", first.get_data(as_text=True))
    assert second.headers["ETag"] == first.headers["ETag"]


def test_each_response_from_the_cache_has_its_own_nonce_in_its_policy_and_its_page(client, world):
    responses = [client.get("/engagements") for _ in range(3)]

    nonces = [NONCE.search(r.get_data(as_text=True)).group(1) for r in responses]
    assert len(set(nonces)) == 3
    for response, nonce in zip(responses, nonces, strict=True):
        assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
        assert all(other not in response.get_data(as_text=True) for other in nonces if other != nonce)


def test_a_new_published_version_is_seen_by_the_next_reader(client, world):
    url = f"/engagements/{world.completed.slug}"
    api_url = f"/api/v1/engagements/{world.completed.slug}"
    assert client.get(url).status_code == 200 and client.get(api_url).json["version"] == 1

    engagements.update_engagement(world.completed, actor=world.completed.lead_user, expected_version=None,
                                  story_so_what="The evening service now opens until ten.")
    publishing.publish(world.completed, actor=world.completed.lead_user, change_note="Opening hours corrected.")
    db.session.commit()

    assert "opens until ten" in client.get(url).get_data(as_text=True)
    assert client.get(api_url).json["version"] == 2
    assert "Opening hours corrected." in client.get("/feed.atom").get_data(as_text=True)


def test_a_change_to_an_organisation_is_seen_on_every_cached_page(client, world):
    before = client.get("/engagements").get_data(as_text=True)
    organisation = world.completed.lead_organisation
    assert organisation.name in before

    organisation.name = "Northbrook Borough Council (renamed)"
    db.session.commit()

    assert "Northbrook Borough Council (renamed)" in client.get("/engagements").get_data(as_text=True)


def test_an_in_progress_update_is_seen_at_once(client, world):
    url = f"/engagements/{world.in_progress.slug}"
    assert "Fourteen spaces" not in client.get(url).get_data(as_text=True)

    engagements.post_update(world.in_progress, actor=world.in_progress.lead_user, body="Fourteen spaces now open.")
    db.session.commit()

    assert "Fourteen spaces now open." in client.get(url).get_data(as_text=True)


def test_a_bulk_statement_on_a_public_table_changes_the_stamp(world):
    before = current_stamp()
    db.session.execute(update(Organisation).values(description="Rewritten in bulk."))
    db.session.commit()

    assert current_stamp() != before


def test_work_no_page_shows_leaves_the_stamp_alone(client, world, make):
    before = current_stamp()
    person = make.lead(organisation=world.completed.lead_organisation)  # a person, in an organisation there is
    db.session.commit()
    changed_by_new_person = current_stamp() != before

    stamp = current_stamp()
    sign_in(client, person)  # a session, a sign-in record, an audit entry, mail

    assert changed_by_new_person is False
    assert current_stamp() == stamp


def test_signed_in_people_are_never_served_or_given_a_kept_page(client, world, make):
    url = f"/engagements/{world.in_progress.slug}"
    client.get(url)
    kept = len(page_cache.store(about_one=True))
    sign_in(client, world.in_progress.lead_user)

    response = client.get(url)

    assert response.headers["Cache-Control"] == "no-store"
    assert len(page_cache.store(about_one=True)) == kept


def test_a_page_that_sets_a_cookie_is_not_kept(client, world):
    # As a page with a form would, for its CSRF token.
    page_cache.clear()
    with client.application.test_request_context("/engagements"):
        from flask import session

        response = page_cache.cached(lambda: (session.__setitem__("x", 1), "page")[1])()
    assert response.status_code == 200
    assert len(page_cache.store()) == 0


def test_a_conditional_request_for_a_kept_page_is_answered_not_modified(client, world):
    url = f"/api/v1/engagements/{world.completed.slug}"
    etag = client.get(url).headers["ETag"]
    client.get(url)  # now kept

    again = client.get(url, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.get_data() == b""


def test_pages_that_depend_on_the_date_are_kept_for_one_day_only(client, world, time_machine):
    time_machine.move_to("2026-11-23 23:59:00+00:00", tick=False)
    client.get("/report-card")
    kept = {key[1] for key in page_cache.store()._entries}

    time_machine.move_to("2026-11-24 00:01:00+00:00", tick=False)
    client.get("/report-card")

    assert {key[1] for key in page_cache.store()._entries} - kept != set()


def test_a_change_made_by_another_process_is_seen_by_this_one(database_url, client, world):
    # A second application on the same database, as a second web worker would be: its write must make this
    # process's kept page stale.
    url = f"/engagements/{world.in_progress.slug}"
    assert IN_PROGRESS_TITLE in client.get(url).get_data(as_text=True)
    slug = world.in_progress.slug
    db.session.remove()

    other = migrated_app(database_url, PAGE_CACHE_ENABLED=True)
    try:
        with other.app_context():
            from engage.engagements.models import Engagement

            engagement = db.session.scalars(db.select(Engagement).where(Engagement.slug == slug)).one()
            engagements.update_engagement(engagement, actor=engagement.lead_user, expected_version=None,
                                          summary="Now with a second winter of warm spaces.")
            db.session.commit()
    finally:
        dispose(other)

    assert "Now with a second winter of warm spaces." in client.get(url).get_data(as_text=True)


def test_the_store_lets_the_least_recently_used_go_when_full_and_keeps_no_huge_response():
    from datetime import date

    from werkzeug.datastructures import Headers

    store = page_cache.ResponseStore(max_bytes=4_000)
    entry = page_cache.Entry(body=b"x" * 900, headers=Headers(), nonce=None, own_policy=None)
    day = date(2026, 11, 23)
    for n in range(5):
        store.put(("stamp", day, f"/{n}", ""), entry, "stamp")
        store.get(("stamp", day, "/0", ""), "stamp")  # /0 stays in use

    assert store.get(("stamp", day, "/0", ""), "stamp") is not None
    assert store.get(("stamp", day, "/1", ""), "stamp") is None
    store.put(("stamp", day, "/huge", ""), page_cache.Entry(body=b"x" * 1_001, headers=Headers(), nonce=None,
                                                             own_policy=None), "stamp")
    assert store.get(("stamp", day, "/huge", ""), "stamp") is None
    assert store.get(("other stamp", day, "/0", ""), "other stamp") is None
    assert len(store) == 0, "a new generation lets everything kept under the old one go"


def test_every_public_page_and_open_data_file_is_served_through_the_cache(app):
    # Naming an endpoint that does not exist already stops the app from starting; this checks the other way:
    # no public view is left out of the list, and each listed one really is wrapped.
    public = {rule.endpoint for rule in app.url_map.iter_rules()
              if rule.endpoint.split(".")[0] in ("public", "api", "open_data", "reporting")
              and "GET" in rule.methods}
    not_cached = {"public.output_file"}  # uploaded files are streamed
    assert public - not_cached <= set(page_cache.CACHED_ENDPOINTS)
    # The page cache's own wrapper, not any decorator that sets __wrapped__: every wrapper cached() makes runs
    # the same code.
    cache_wrapper = page_cache.cached(lambda: None).__code__
    not_wrapped = [e for e in page_cache.CACHED_ENDPOINTS if app.view_functions[e].__code__ is not cache_wrapper]
    assert not_wrapped == []


def test_the_filters_kept_between_pages_follow_a_change_at_once(client, world):
    organisation = world.completed.lead_organisation
    assert f">{organisation.name}<" in client.get("/engagements").get_data(as_text=True)

    organisation.name = "Heywood Health Partnership"
    db.session.commit()

    # A page not seen before, whose filter choices were kept from the first page's.
    page = client.get("/engagements?status=completed").get_data(as_text=True)
    assert ">Heywood Health Partnership<" in page


# Finer invalidation: a page about one engagement keys on that engagement's stamp and the shared one ---------

def _get(client, url: str):
    """The response, and whether the cache answered it (a kept page runs one query: the read of its stamps)."""
    with queries_run() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(seen) == 1 and "site_changes" in seen[0]


def test_a_change_to_one_engagement_leaves_the_pages_about_another_kept(client, world):
    about_completed = [f"/engagements/{world.completed.slug}", f"/api/v1/engagements/{world.completed.slug}",
                       f"/engagements/{world.completed.slug}/versions/1",
                       f"/api/v1/engagements/{world.completed.slug}/versions/1"]
    for url in [*about_completed, "/engagements"]:
        assert client.get(url).status_code == 200

    engagements.post_update(world.in_progress, actor=world.in_progress.lead_user, body="Fourteen spaces now open.")
    db.session.commit()

    assert all(_get(client, url)[1] for url in about_completed)
    assert not _get(client, "/engagements")[1], "a list shows every engagement, so any change builds it again"


def test_a_row_with_no_engagement_of_its_own_is_traced_through_its_owner(world):
    from engage.activity.models import Community, Reach
    from engage.caching.changes import engagement_stamp
    from tests.factories import log_activity

    activity = log_activity(world.in_progress, partner=world.in_progress.lead_user)
    shared, own = engagement_stamp(world.in_progress.slug)
    other = engagement_stamp(world.completed.slug)

    community = db.session.scalars(db.select(Community)).first()
    db.session.add(Reach(activity_id=activity.id, community_id=community.id, count=7))  # no engagement_id
    db.session.commit()

    now_shared, now_own = engagement_stamp(world.in_progress.slug)
    assert now_shared == shared, "nothing every engagement shows changed"
    assert now_own != own, "the activity's engagement changed"
    assert engagement_stamp(world.completed.slug) == other, "no other engagement did"


def test_a_change_no_one_engagement_owns_is_seen_on_every_page_about_one(client, world):
    url = f"/engagements/{world.in_progress.slug}"
    assert client.get(url).status_code == 200 and _get(client, url)[1]
    organisation = world.in_progress.lead_organisation

    organisation.name = "Northbrook Borough Council (renamed)"
    db.session.commit()

    again, from_cache = _get(client, url)
    assert not from_cache
    assert "Northbrook Borough Council (renamed)" in again.get_data(as_text=True)


def _outcome(client, url: str) -> tuple[str, bool]:
    """The page, and whether the cache answered it (nothing read but the stamps)."""
    with queries_run() as seen:
        response = client.get(url)
    assert response.status_code == 200
    stamps_only = all("site_changes" in statement or "engagement_changes" in statement for statement in seen)
    return response.get_data(as_text=True), len(seen) <= 2 and stamps_only


def test_an_organisations_page_is_kept_until_one_of_its_own_engagements_changes(client, world):
    own = f"/organisations/{world.in_progress.lead_organisation.slug}"
    other = f"/organisations/{world.completed.lead_organisation.slug}"
    assert world.in_progress.lead_organisation_id != world.completed.lead_organisation_id
    for url in (own, other):
        assert not _outcome(client, url)[1] and _outcome(client, url)[1]

    world.in_progress.summary = "Fourteen warm spaces, open into the evening."
    db.session.commit()

    assert _outcome(client, other)[1], "nothing the other organisation's page lists changed"
    page, from_cache = _outcome(client, own)
    assert not from_cache and "Fourteen warm spaces, open into the evening." in page


def test_an_organisation_joining_or_leaving_an_engagement_is_seen_on_its_page_at_once(client, world, make):
    from engage.engagements.models import CollaboratorRole
    from engage.organisations.models import OrganisationKind

    newcomer = make.organisation(kind=OrganisationKind.VCFSE, name="Riverside Food Co-op")
    url = f"/organisations/{newcomer.slug}"
    assert IN_PROGRESS_TITLE not in _outcome(client, url)[0] and _outcome(client, url)[1]
    lead = world.in_progress.lead_user

    collaborator = engagements.add_collaborator(world.in_progress, actor=lead, organisation=newcomer,
                                                role=CollaboratorRole.COMMUNITY_GROUP)
    db.session.commit()
    page, from_cache = _outcome(client, url)
    assert not from_cache and IN_PROGRESS_TITLE in page
    assert _outcome(client, url)[1], "kept again until the next change"

    engagements.remove_collaborator(world.in_progress, collaborator, actor=lead)
    db.session.commit()
    # The organisation lists nothing again, as before it joined: the page kept then is the right one now.
    assert IN_PROGRESS_TITLE not in _outcome(client, url)[0]


def test_a_change_to_the_organisation_itself_is_seen_on_its_page(client, world):
    organisation = world.completed.lead_organisation
    url = f"/organisations/{organisation.slug}"
    assert not _outcome(client, url)[1] and _outcome(client, url)[1]

    organisation.name = "Northbrook Integrated Care Board (renamed)"
    db.session.commit()

    page, from_cache = _outcome(client, url)
    assert not from_cache and "Northbrook Integrated Care Board (renamed)" in page
