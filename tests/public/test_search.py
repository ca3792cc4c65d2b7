"""Full-text search over public engagements and insights, and the filters and pages of the public lists,
on whichever database the suite runs (SQLite FTS5, or PostgreSQL full-text search with DATABASE_URL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, select
from werkzeug.datastructures import MultiDict

from engage.engagements import services as engagements
from engage.engagements.models import Lens, Step
from engage.extensions import db
from engage.publication import services as publishing
from engage.publication.record import latest_version
from engage.search import index as search
from engage.search.index import SearchDocument
from engage.site.queries import (
    FilterError,
    Filters,
    InsightFilters,
    list_public_engagements,
    public_engagement,
    search_insights,
)
from tests.engagements.conftest import describe_challenge, engagement_at  # noqa: F401 - the fixture
from tests.public.page_records import (
    COMPLETED_TITLE,
    IN_PROGRESS_TITLE,
    INSIGHT_TEXT,
    build_world,
)


@pytest.fixture
def world(engagement_at, make):  # noqa: F811 - the fixture imported above
    return build_world(engagement_at, make)


def titles(page) -> list[str]:
    return [item["title"] for item in page.items]


def found(q: str, **filters) -> list[str]:
    return titles(list_public_engagements(Filters(q=q, **filters)))


# What is listed ------------------------------------------------------------------------------------------

def test_the_list_holds_only_public_engagements_newest_first(world):
    page = list_public_engagements(Filters())

    assert titles(page) == [IN_PROGRESS_TITLE, COMPLETED_TITLE]
    assert (page.total, page.page, page.pages) == (2, 1, 1)


def test_items_are_the_public_records_residents_see(world):
    items = {item["title"]: item for item in list_public_engagements(Filters()).items}

    completed = items[COMPLETED_TITLE]
    assert completed == latest_version(world.completed.id).record
    in_progress = items[IN_PROGRESS_TITLE]
    assert in_progress["status"] == "in_progress" and in_progress["version"] is None
    assert "insights" not in in_progress and "story" not in in_progress


def test_public_engagement_is_none_when_held_back_at_the_challenge_or_unknown(world):
    assert public_engagement(world.completed.slug).id == world.completed.id
    assert public_engagement(world.in_progress.slug).id == world.in_progress.id
    assert public_engagement(world.held_back.slug) is None
    assert public_engagement(world.at_challenge.slug) is None
    assert public_engagement("no-such-engagement") is None


@pytest.mark.parametrize(("filters", "expected"), [
    ({"status": "completed"}, [COMPLETED_TITLE]),
    ({"status": "in_progress"}, [IN_PROGRESS_TITLE]),
    ({"step": "frame"}, [IN_PROGRESS_TITLE]),
    ({"step": "completed"}, [COMPLETED_TITLE]),
    ({"step": "test"}, []),
    ({"level": "co-design"}, [IN_PROGRESS_TITLE, COMPLETED_TITLE]),
    ({"level": "inform"}, []),
    ({"year": 2026}, [IN_PROGRESS_TITLE, COMPLETED_TITLE]),
    ({"year": 2019}, []),
])
def test_each_filter_narrows_the_list(world, filters, expected):
    assert titles(list_public_engagements(Filters(**filters))) == expected


def test_theme_and_area_filters_use_slugs_and_an_area_takes_in_its_neighbourhoods(world):
    assert titles(list_public_engagements(Filters(theme=world.theme.slug))) == [IN_PROGRESS_TITLE, COMPLETED_TITLE]
    assert titles(list_public_engagements(Filters(area=world.area.slug))) == [IN_PROGRESS_TITLE, COMPLETED_TITLE]
    assert titles(list_public_engagements(Filters(area=world.area.parent.slug))) == [IN_PROGRESS_TITLE,
                                                                                      COMPLETED_TITLE]
    assert titles(list_public_engagements(Filters(theme="no-such-theme"))) == []


def test_the_organisation_filter_finds_what_it_leads_and_what_it_collaborates_on(world):
    lead = world.completed.lead_organisation
    partner = world.completed.collaborators[0].organisation

    assert titles(list_public_engagements(Filters(organisation=lead.slug))) == [COMPLETED_TITLE]
    assert titles(list_public_engagements(Filters(organisation=partner.slug))) == [COMPLETED_TITLE]
    held_back_lead = world.held_back.lead_organisation
    assert titles(list_public_engagements(Filters(organisation=held_back_lead.slug))) == []


def test_the_year_is_the_start_date_or_the_first_publication(world):
    engagements.update_engagement(world.completed, actor=world.completed.lead_user, expected_version=None,
                                  start_date=date(2024, 6, 1), end_date=date(2024, 9, 1))
    db.session.commit()
    published_year = publishing.versions_of(world.completed.id)[0].published_at.year

    assert COMPLETED_TITLE in titles(list_public_engagements(Filters(year=2024)))
    assert COMPLETED_TITLE in titles(list_public_engagements(Filters(year=published_year)))
    assert COMPLETED_TITLE not in titles(list_public_engagements(Filters(year=2023)))


def test_pages_hold_per_page_items_and_count_them_all(engagement_at, make):  # noqa: F811
    made = [engagement_at(Step.COLLABORATORS, title=f"Engagement number {n}") for n in range(5)]

    first = list_public_engagements(Filters(per_page=2))
    last = list_public_engagements(Filters(per_page=2, page=3))
    beyond = list_public_engagements(Filters(per_page=2, page=4))

    assert (first.total, first.pages, len(first.items), first.has_next, first.has_prev) == (5, 3, 2, True, False)
    assert (len(last.items), last.has_next, last.has_prev) == (1, False, True)
    assert beyond.items == [] and beyond.total == 5
    listed = titles(first) + titles(list_public_engagements(Filters(per_page=2, page=2))) + titles(last)
    assert listed == [e.title for e in reversed(made)], "newest first, each once"


# Reading filters from a query string ---------------------------------------------------------------------

def test_filters_are_read_from_a_query_string_and_empty_values_mean_any():
    filters = Filters.from_args(MultiDict({"q": " clinic ", "status": "completed", "theme": "", "year": "2026",
                                           "page": "2", "per_page": "50"}))

    assert filters == Filters(q="clinic", status="completed", year=2026, page=2, per_page=50)
    assert filters.query_args(page=3) == {"q": "clinic", "status": "completed", "year": 2026, "page": 3,
                                          "per_page": 50}


@pytest.mark.parametrize(("args", "message"), [
    ({"sort": "title"}, "Unknown filter: sort"),
    ({"order_by": "id", "lead_user": "1"}, "Unknown filter: lead_user, order_by"),
    ({"status": "draft"}, "Status must be one of: in_progress, completed"),
    ({"step": "challenge"}, "Step must be one of: collaborators, frame, test, story, completed"),
    ({"level": "top"}, "Level must be one of"),
    ({"theme": "Health & care"}, "Theme must be a slug"),
    ({"year": "twenty"}, "Year must be a whole number"),
    ({"year": "1066"}, "Year must be between 1900 and 2999"),
    ({"page": "0"}, "Page must be between 1"),
    ({"page": "-1"}, "Page must be a whole number"),
    ({"per_page": "1000"}, "Per page must be between 1 and 100"),
    ({"q": "x" * 201}, "Search must be 200 characters or fewer"),
])
def test_unknown_filters_and_unusable_values_are_refused_in_plain_english(args, message):
    with pytest.raises(FilterError, match=message.replace("(", r"\(")):
        Filters.from_args(MultiDict(args))


def test_a_filter_given_twice_is_refused():
    with pytest.raises(FilterError, match="Give status once only"):
        Filters.from_args(MultiDict([("status", "completed"), ("status", "in_progress")]))


def test_insight_filters_are_read_from_a_query_string():
    filters = InsightFilters.from_args(MultiDict({"lens": "carers", "blocker": "yes", "theme": "housing"}))

    assert (filters.lens, filters.blocker, filters.theme) == ("carers", True, "housing")
    with pytest.raises(FilterError, match="Unknown filter: status"):
        InsightFilters.from_args(MultiDict({"status": "completed"}))


# Searching -----------------------------------------------------------------------------------------------

def test_search_finds_a_completed_engagement_by_words_in_its_story(world):
    assert found("walk-in evening clinic") == [COMPLETED_TITLE]
    assert found("A&E minor injuries") == [COMPLETED_TITLE]


def test_search_stems_words_and_ignores_case(world):
    assert found("CLINICS") == [COMPLETED_TITLE]
    assert found("warm SPACE") == [IN_PROGRESS_TITLE]


def test_search_finds_an_in_progress_engagement_by_its_summary_update_and_organisation(world):
    assert found("warm spaces") == [IN_PROGRESS_TITLE]
    assert found("mapped twelve") == [IN_PROGRESS_TITLE]
    assert found(world.in_progress.lead_organisation.name) == [IN_PROGRESS_TITLE]


def test_every_word_must_match(world):
    assert found("clinic winter") == []


def test_search_combines_with_filters(world):
    assert found("urgent care", status="in_progress") == [IN_PROGRESS_TITLE]
    assert found("clinic", status="in_progress") == []


def test_search_never_finds_held_back_or_challenge_engagements(world):
    assert found("safeguarding") == []
    assert found("parks") == []
    assert found("draft idea") == []


@pytest.mark.parametrize("q", ['"', "clinic\"", "clinic AND (", "NEAR(clinic)", "*", "title:clinic", "-clinic",
                               "clinic OR", "!!!", "'; DROP TABLE engagements; --", "\u00a0", "clinic^2"])
def test_what_a_resident_types_never_breaks_the_search(world, q):
    page = list_public_engagements(Filters(q=q))

    assert set(titles(page)) <= {COMPLETED_TITLE, IN_PROGRESS_TITLE}


def test_punctuation_is_taken_as_spaces(world):
    assert found("clinic!") == [COMPLETED_TITLE]
    assert found('"evening clinic"') == [COMPLETED_TITLE]


def test_the_best_match_comes_first(engagement_at, make):  # noqa: F811
    mentions = engagement_at(Step.COLLABORATORS, title="Libraries and more")
    engagements.update_engagement(mentions, actor=mentions.lead_user, expected_version=None,
                                  summary="Something about many things, one of them a library.")
    engagement_at(Step.COLLABORATORS, title="Library opening hours in Heywood library")
    db.session.commit()

    assert found("library") == ["Library opening hours in Heywood library", "Libraries and more"]


def test_insights_are_searchable_with_their_engagement(world):
    page = search_insights(q="carers walk-in")

    [item] = page.items
    assert item["text"] == INSIGHT_TEXT and item["lens"] == "carers" and item["blocker"] is True
    assert item["engagement"] == {"slug": world.completed.slug, "title": COMPLETED_TITLE, "version": 1}


def test_insights_filter_by_theme_lens_area_and_blocker(world):
    assert search_insights(theme=world.theme.slug).total == 1
    assert search_insights(theme="no-such-theme").total == 0
    assert search_insights(lens="carers").total == 1
    assert search_insights(lens="workforce").total == 0
    assert search_insights(blocker=True).total == 1
    assert search_insights(blocker=False).total == 0
    assert search_insights(area=world.area.slug).total == 1
    assert search_insights(area=world.area.parent.slug).total == 1


def test_insights_of_engagements_still_in_progress_are_not_public(world, make):
    from engage.activity.models import Activity
    from engage.activity.services import add_insight
    from tests.factories import log_activity

    log_activity(world.in_progress, partner=world.in_progress.lead_user)
    logged = db.session.scalars(select(Activity).where(Activity.engagement_id == world.in_progress.id)).first()
    add_insight(logged, actor=world.in_progress.lead_user, text="Radiators in the hall were broken.",
                lens=Lens.COMMUNITIES, themes=[], organisation=None, system_blocker=False)
    db.session.commit()

    assert search_insights(q="radiators").items == []
    assert found("radiators") == []


# The documents follow what residents see -----------------------------------------------------------------

def test_a_changed_title_of_an_in_progress_engagement_is_found_at_once(world):
    lead = world.in_progress.lead_user
    engagements.update_engagement(world.in_progress, actor=lead, expected_version=None, title="Cosy rooms")
    db.session.commit()

    assert found("cosy rooms") == ["Cosy rooms"]
    assert found("warm spaces this winter") == []


def test_a_held_back_engagement_leaves_the_search_and_comes_back_when_released(world):
    lead = world.in_progress.lead_user
    engagements.set_held_back(world.in_progress, actor=lead, held_back=True, reason="A review is under way.")
    db.session.commit()
    assert found("warm spaces") == []

    engagements.set_held_back(world.in_progress, actor=lead, held_back=False)
    db.session.commit()
    assert found("warm spaces") == [IN_PROGRESS_TITLE]


def test_an_engagement_stepped_back_to_the_challenge_leaves_the_search(engagement_at):  # noqa: F811
    engagement = engagement_at(Step.COLLABORATORS, title="Park benches")
    assert found("benches") == ["Park benches"]

    engagements.step_back(engagement, actor=engagement.lead_user, reason="Start again with the parks team.")
    db.session.commit()
    assert found("benches") == []


def test_an_engagement_is_found_from_the_moment_it_leaves_the_challenge(engagement_at):  # noqa: F811
    engagement = engagement_at(Step.CHALLENGE, title="Park benches")
    describe_challenge(engagement, engagement.lead_user)
    db.session.commit()
    assert found("benches") == []

    engagements.move_on(engagement, actor=engagement.lead_user)
    db.session.commit()
    assert found("benches") == ["Park benches"]


def test_a_completed_engagement_is_searched_as_published_not_as_being_edited(world):
    lead = world.completed.lead_user
    engagements.update_engagement(world.completed, actor=lead, expected_version=None,
                                  story_we_did="Opened a pharmacy on Saturdays.")
    db.session.commit()
    assert found("pharmacy") == [], "an edit is not public until it is published"

    publishing.publish(world.completed, actor=lead, change_note="Corrected what we did.")
    db.session.commit()
    assert found("pharmacy") == [COMPLETED_TITLE]

    engagements.update_engagement(world.completed, actor=lead, expected_version=None,
                                  story_we_did="Opened an optician on Saturdays.")
    publishing.publish(world.completed, actor=lead, change_note="Corrected it again.")
    db.session.commit()
    assert found("optician") == [COMPLETED_TITLE]
    assert found("pharmacy") == [], "only the latest version is searched"


def test_a_rolled_back_change_leaves_the_documents_as_they_were(world):
    lead = world.in_progress.lead_user
    engagements.update_engagement(world.in_progress, actor=lead, expected_version=None, title="Cosy rooms")
    db.session.flush()
    db.session.rollback()

    assert found("warm spaces") == [IN_PROGRESS_TITLE]
    assert found("cosy") == []


def test_changed_at_moves_only_when_the_public_record_changes(world):
    def changed_at():
        return db.session.scalar(select(SearchDocument.changed_at).where(
            SearchDocument.engagement_id == world.in_progress.id, SearchDocument.kind == "engagement"))

    before = changed_at()
    engagements.update_engagement(world.in_progress, actor=world.in_progress.lead_user, expected_version=None,
                                  budget_pence=5000)
    db.session.commit()
    assert changed_at() == before, "the budget is not public while in progress"

    engagements.post_update(world.in_progress, actor=world.in_progress.lead_user, body="Two more spaces.")
    db.session.commit()
    assert changed_at() > before


def test_reindex_rebuilds_every_document(world, app):
    db.session.execute(SearchDocument.__table__.delete())
    db.session.commit()
    assert found("clinic") == []

    result = app.test_cli_runner().invoke(args=["publish", "reindex"])

    assert result.exit_code == 0, result.output
    assert "Search index rebuilt: 2 public engagements." in result.output
    assert found("clinic") == [COMPLETED_TITLE]
    assert search_insights(q="carers").total == 1


def test_the_search_index_is_made_and_removed_by_the_migration(database_url, tmp_path):
    from flask_migrate import downgrade, upgrade

    from engage import create_app
    from tests.databases import dispose, fresh_database

    with fresh_database(database_url, tmp_path) as url:
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
        try:
            with app.app_context():
                upgrade()
                inspector = inspect(db.engine)
                if db.engine.dialect.name == "sqlite":
                    assert search.FTS_TABLE in inspector.get_table_names()
                else:
                    indexes = {index["name"] for index in inspector.get_indexes("search_documents")}
                    assert search.FULLTEXT_INDEX in indexes

                downgrade(revision="1b570bc7e151")
                inspector = inspect(db.engine)
                assert not [name for name in inspector.get_table_names() if name.startswith("search")]
        finally:
            dispose(app)
