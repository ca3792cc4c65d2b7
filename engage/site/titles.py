"""Page titles that say what a filtered list shows, so someone using a screen reader (who hears the title first)
or a browser tab knows where they are: "Insights about Housing, in Heywood, page 2 of 5"."""

from __future__ import annotations

from engage.search.results import Page
from engage.site.queries import InsightFilters

Options = dict[str, list[tuple[str, str]]]


def _label(options: Options, name: str, value: str) -> str:
    return dict(options.get(name, [])).get(value, value)


def insights_title(filters: InsightFilters, options: Options, page: Page | None) -> str:
    """The insight library's title, naming each filter applied in words and the page, if not the first."""
    parts = ["Insights"]
    if filters.theme:
        parts.append(f"about {_label(options, 'theme', filters.theme)}")
    described = []
    if filters.lens:
        described.append(f"from {_label(options, 'lens', filters.lens).lower()}")
    if filters.area:
        described.append(f"in {_label(options, 'area', filters.area)}")
    if filters.blocker is not None:
        described.append("system blockers only" if filters.blocker else "not system blockers")
    if filters.q:
        described.append(f"matching \u201c{filters.q}\u201d")
    if page is not None and page.page > 1:
        described.append(f"page {page.page} of {page.pages}")
    return ", ".join([" ".join(parts), *described])
