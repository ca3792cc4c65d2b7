"""The insight library's title says, in words, which insights a page shows and which page it is."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engage.search.results import Page
from engage.site.queries import InsightFilters
from engage.site.titles import insights_title

OPTIONS = {"theme": [("housing", "Housing")], "area": [("heywood", "Heywood")],
           "lens": [("carers", "People who love and care for them")]}


def test_every_filter_and_the_page_are_named() -> None:
    filters = InsightFilters(q="damp", theme="housing", lens="carers", area="heywood", blocker=True, page=2)
    page = Page(items=[], total=45, page=2, per_page=20)
    assert insights_title(filters, OPTIONS, page) == (
        "Insights about Housing, from people who love and care for them, in Heywood, system blockers only, "
        "matching \u201cdamp\u201d, page 2 of 3")


def test_the_first_page_without_filters_is_just_insights() -> None:
    assert insights_title(InsightFilters(), OPTIONS, Page(items=[], total=0, page=1, per_page=20)) == "Insights"


@given(st.text(min_size=1, max_size=200))
def test_a_filter_value_the_options_do_not_know_is_named_as_given(theme: str) -> None:
    # Options are kept between requests, so a theme added a moment ago may not be among them yet.
    assert insights_title(InsightFilters(theme=theme), OPTIONS, None) == f"Insights about {theme}"
