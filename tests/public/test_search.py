"""Full-text search over public engagements and insights, and the filters and pages of the public lists,
on whichever database the suite runs (SQLite FTS5 or PostgreSQL full-text search)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from engage.publishing.queries import FilterError, Filters, list_public_engagements, search_insights
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.public.page_records import (
    CHALLENGE_TITLE,
    COMPLETED_TITLE,
    HELD_BACK_TITLE,
    IN_PROGRESS_TITLE,
    INSIGHT_TEXT,
    build_world,
)


@pytest.fixture
def world(engagement_at, make):
    return build_world(engagement_at, make)


def titles(page) -> list[str]:
    return [item["title"] for item in page.items]


def test_the_list_holds_only_public_engagements_newest_first(world):
    page = list_public_engagements(Filters())

    assert titles(page) == [IN_PROGRESS_TITLE, COMPLETED_TITLE]
    assert page.total == 2 and page.pages == 1


def test_search_finds_a_completed_engagement_by_a_word_in_its_story(world):
    page = list_public_engagements(Filters(q="walk-in evening clinic"))

    assert titles(page) == [COMPLETED_TITLE]


def test_search_never_finds_held_back_or_challenge_engagements(world):
    assert titles(list_public_engagements(Filters(q="safeguarding"))) == []
    assert titles(list_public_engagements(Filters(q="parks"))) == []


def test_insights_are_searchable(world):
    page = search_insights(q="carers walk-in")

    assert [item["text"] for item in page.items] == [INSIGHT_TEXT]
    assert page.items[0]["engagement"]["slug"] == world.completed.slug


def test_unknown_filters_are_refused():
    with pytest.raises(FilterError, match="Unknown filter: sort"):
        Filters.from_args(MultiDict({"sort": "title"}))


assert CHALLENGE_TITLE and HELD_BACK_TITLE
