"""The lists read cards (`site/cards.py`) instead of whole records, and show exactly what whole records showed:
each list page rendered from cards is the same, byte for byte, as the page rendered from the whole records,
for any filters and page, over engagements whose listed fields are varied at random; and every card is the
projection of its record, whether it was stored when the version was published, by `fill_missing`, or is
missing and worked out from the record.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update
from werkzeug.datastructures import MultiDict

from engage.demo.seed import seed
from engage.engagements.models import Engagement, Level, Step, engagement_themes
from engage.extensions import db
from engage.opendata import feeds
from engage.organisations.models import Organisation
from engage.publication.models import PublishedCard, PublishedVersion
from engage.publication.visibility import is_public_clause
from engage.site import cards, queries
from engage.vocabularies.models import Area, Theme
from tests.public.scale import copy_engagements
from tests.statements import queries_run

LEVELS = [None, *(level.value for level in Level)]


def _varied(value: Any, rng: random.Random) -> Any:
    # A listed text as residents might write it: empty, absent, or with characters the page must escape.
    return rng.choice([value, None, "", f"{value} <b>&amp;</b> \u201cquoted\u201d", "**Markdown** [link](https://example.org)"])


@pytest.fixture
def listed(app) -> dict[str, list[str]]:
    """Forty public engagements (copies of the demo's), their listed fields varied at random: in-progress
    ones on their own rows, completed ones in their stored records (rewritten below the ORM, which refuses
    any change to a published version), with cards filled as after a deploy."""
    seed()
    db.session.commit()
    templates = list(db.session.scalars(select(Engagement.id).where(is_public_clause()).order_by(Engagement.id)))
    copy_engagements(templates, 40 - len(templates))
    rng = random.Random(17)
    themes = list(db.session.scalars(select(Theme.id)))
    areas = [None, *db.session.scalars(select(Area.id))]
    for engagement in db.session.scalars(select(Engagement).where(is_public_clause())).all():
        if engagement.current_step is Step.COMPLETED:
            continue
        db.session.execute(update(Engagement).where(Engagement.id == engagement.id).values(
            summary=_varied(engagement.summary, rng) or "", get_involved=_varied(engagement.get_involved, rng) or "",
            level=None if rng.random() < 0.2 else Level(rng.choice(LEVELS[1:])), area_id=rng.choice(areas)))
        db.session.execute(delete(engagement_themes).where(engagement_themes.c.engagement_id == engagement.id))
        for theme_id in rng.sample(themes, rng.randint(0, 3)):
            db.session.execute(engagement_themes.insert().values(engagement_id=engagement.id, theme_id=theme_id))
    for version_id, record in db.session.execute(select(PublishedVersion.id, PublishedVersion.record)).all():
        changed = dict(record)
        changed["summary"] = _varied(record["summary"], rng)
        changed["get_involved"] = _varied(record.get("get_involved"), rng)
        changed["level"] = rng.choice(LEVELS)
        changed["area"] = rng.choice([None, record.get("area"), "Heywood & <Middleton>"])
        changed["themes"] = rng.sample(["Housing", "Health & care", "<Youth>"], rng.randint(0, 3))
        if rng.random() < 0.2:
            changed.pop("get_involved", None)
        db.session.execute(update(PublishedVersion).where(PublishedVersion.id == version_id)
                           .values(record=changed))
    db.session.execute(delete(PublishedCard))
    db.session.commit()
    cards.fill_missing(batch=7)
    return {
        "themes": list(db.session.scalars(select(Theme.slug))),
        "areas": list(db.session.scalars(select(Area.slug))),
        "organisations": list(db.session.scalars(select(Organisation.slug))),
    }


def _with_whole_records(monkeypatch) -> None:
    # The lists as they were before cards: each item the engagement's whole public record.
    monkeypatch.setattr(queries, "list_public_cards", queries.list_public_engagements)


def _body(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code in (200, 400)
    # The only part of a page that differs between two requests: the script's nonce.
    return re.sub(r'nonce="[^"]+"', 'nonce=""', response.get_data(as_text=True))


example_settings = settings(max_examples=30, deadline=None, database=None, derandomize=True,
                            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@example_settings
@given(status=st.sampled_from([None, "completed", "in_progress"]), theme=st.integers(0, 40),
       area=st.integers(0, 40), organisation=st.integers(0, 40), level=st.sampled_from(LEVELS),
       which=st.sets(st.sampled_from(["theme", "area", "organisation", "level", "q"]), max_size=2),
       page=st.integers(1, 4), per_page=st.integers(1, 15))
def test_every_list_page_is_the_same_from_cards_as_from_whole_records(listed, client, monkeypatch, status,
                                                                        theme, area, organisation, level, which,
                                                                        page, per_page):
    args: dict[str, Any] = {"status": status, "page": page, "per_page": per_page}
    if "theme" in which:
        args["theme"] = listed["themes"][theme % len(listed["themes"])]
    if "area" in which:
        args["area"] = listed["areas"][area % len(listed["areas"])]
    if "organisation" in which:
        args["organisation"] = listed["organisations"][organisation % len(listed["organisations"])]
    if "level" in which and level:
        args["level"] = level
    if "q" in which:
        args["q"] = "community"
    query = "&".join(f"{name}={value}" for name, value in args.items() if value is not None)
    org = listed["organisations"][organisation % len(listed["organisations"])]
    urls = ["/", f"/engagements?{query}", f"/organisations/{org}?page={page}", f"/api/v1/engagements?{query}"]

    from_cards = [_body(client, url) for url in urls]
    with monkeypatch.context() as patch:
        _with_whole_records(patch)
        from_records = [_body(client, url) for url in urls]

    assert from_cards == from_records
    filters = queries.Filters.from_args(_multidict(args))
    assert queries.list_public_cards(filters).items == [
        cards.card_of(record) for record in queries.list_public_engagements(filters).items]


def _multidict(args: dict[str, Any]) -> MultiDict:
    return MultiDict({name: str(value) for name, value in args.items() if value is not None})


def test_the_lists_show_something_of_every_kind(listed, client):
    # The comparison above means something only if the pages list both kinds, with their varied fields.
    page = client.get("/engagements?per_page=100").get_data(as_text=True)
    assert "In progress" in page and "Completed" in page and "&lt;b&gt;" in page
    public = db.session.scalar(select(func.count()).select_from(Engagement).where(is_public_clause()))
    assert queries.list_public_cards(queries.Filters(per_page=100)).total == public >= 40


def test_publishing_stores_the_card_of_the_new_version(app):
    seed()
    db.session.commit()

    versions = db.session.execute(select(PublishedVersion.id, PublishedVersion.record)).all()
    stored = dict(db.session.execute(select(PublishedCard.version_id, PublishedCard.card)).tuples().all())

    assert len(versions) >= 2
    assert stored == {version_id: cards.card_of(record) for version_id, record in versions}
    assert set(stored[versions[0][0]]) == set(cards.CARD_FIELDS)


def test_a_version_without_its_card_is_listed_from_its_record(app, client):
    seed()
    db.session.commit()
    filters = queries.Filters(per_page=100)
    before = queries.list_public_cards(filters).items
    feed = client.get("/feed.atom").get_data()
    db.session.execute(delete(PublishedCard))
    db.session.commit()

    assert queries.list_public_cards(filters).items == before
    assert client.get("/feed.atom").get_data() == feed
    assert cards.fill_missing() == db.session.scalar(select(func.count()).select_from(PublishedVersion))
    assert cards.fill_missing() == 0
    assert queries.list_public_cards(filters).items == before


def test_the_feed_is_the_same_from_cards_as_from_whole_records(listed, client):
    with queries_run() as with_cards:
        from_cards = client.get("/feed.atom").get_data()
    db.session.execute(delete(PublishedCard))
    db.session.commit()

    with queries_run() as without_cards:
        assert client.get("/feed.atom").get_data() == from_cards
    # The versions without their card are read together, not one query each.
    assert len(without_cards) == len(with_cards) + 1
    # Full of entries whose shown fields were varied.
    assert from_cards.count(b"<entry>") == feeds.FEED_LENGTH and b"&lt;Youth&gt;" in from_cards
