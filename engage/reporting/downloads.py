"""The report card as a tidy CSV: one row per figure and category, each with the period and the licence,
like the engagements CSV (and, like it, with cells a spreadsheet would run as a formula neutralised)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from engage.publication.licence import LICENCE_COLUMNS, licence_cells
from engage.reporting.figures import Count, ReportCard, blockers_by_engagement
from engage.text.spreadsheet import neutralise

# (column, what it holds): the header row, and the data card on /open-data.
CSV_COLUMNS: list[tuple[str, str]] = [
    ("period_from", "The first day of the period (ISO 8601 date, UK time)."),
    ("period_to", "The last day of the period, included."),
    ("figure", "What is counted, for example engagements_by_level or funding_committed."),
    ("group", "For reach, the kind of community (network, under_represented or protected_characteristic)."),
    ("category_key", "The category's key (a slug or code), empty for a total."),
    ("category", "The category's name, empty for a total."),
    ("value", "The number."),
    ("unit", "What the number counts: engagements, organisations, agreements, pence, people, hours, "
             "insights, weeks, commitments, days or proportion (0 to 1)."),
    *LICENCE_COLUMNS,
]

Row = tuple[str, str, str, str, Any, str]  # figure, group, category_key, category, value, unit


def _total(figure: str, value: Any, unit: str) -> Row:
    return figure, "", "", "", value, unit


def _each(figure: str, counts: list[Count], unit: str) -> Iterator[Row]:
    for c in counts:
        yield figure, c.extra.get("group", ""), c.key, c.label, c.count, unit


def figure_rows(card: ReportCard) -> Iterator[Row]:
    """Every figure of the card, in the order the page shows them."""
    yield _total("engagements", card.engagements, "engagements")
    yield from _each("engagements_by_step", card.by_step, "engagements")
    yield from _each("engagements_by_level", card.by_level, "engagements")
    yield from _each("engagements_by_theme", card.by_theme, "engagements")
    yield from _each("engagements_by_area", card.by_area, "engagements")
    yield _total("engagements_without_area", card.without_area, "engagements")
    yield from _each("quiet_area", card.quiet_areas, "engagements")
    yield _total("co_design_or_co_produce", card.shared_power, "engagements")
    yield _total("co_design_or_co_produce_share", card.shared_power_share, "proportion")
    yield _total("held_back", card.held_back, "engagements")
    yield _total("choosing_challenge", card.not_yet_public, "engagements")
    yield _total("vcfse_organisations", len(card.vcfse_organisations), "organisations")
    yield from _each("vcfse_organisation_engagements", card.vcfse_organisations, "engagements")
    yield _total("signed_agreements", card.signed_agreements, "agreements")
    yield _total("funding_committed", card.funding_pence, "pence")
    yield from _each("funding_committed_by_organisation", card.funding_by_organisation, "pence")
    yield _total("activities", card.activities, "activities")
    yield _total("participants", card.participants, "people")
    yield _total("volunteer_hours", card.volunteer_hours, "hours")
    yield _total("in_kind_value", card.in_kind_pence, "pence")
    yield _total("in_kind_hourly_rate", card.hourly_rate_pence, "pence")
    yield from _each("people_reached_by_community", card.reach, "people")
    yield _total("insights", card.insights, "insights")
    yield from _each("insights_by_lens", card.insights_by_lens, "insights")
    yield from _each("insights_by_theme", card.insights_by_theme, "insights")
    yield _total("system_blockers", card.blocker_count, "insights")
    for slug, title, n in blockers_by_engagement(card.period):
        yield "system_blockers_by_engagement", "", slug, title, n, "insights"
    yield _total("published", card.published, "engagements")
    yield _total("median_weeks_to_publication", card.median_weeks, "weeks")
    yield _total("commitments_made", card.commitments_made, "commitments")
    yield _total("commitments_done_on_time", card.commitments_done_on_time, "commitments")
    yield _total("commitments_done_late", card.commitments_done_late, "commitments")
    yield _total("commitments_overdue_now", card.commitments_overdue, "commitments")
    yield _total("commitments_not_going_ahead", card.commitments_not_going_ahead, "commitments")
    yield _total("median_days_from_publication_to_done", card.median_days_to_done, "days")


def card_csv(card: ReportCard) -> str:
    terms = list(licence_cells().values())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in CSV_COLUMNS])
    for figure, group, key, category, value, unit in figure_rows(card):
        row = [card.period.start.isoformat(), card.period.end.isoformat(), figure, group, key, category,
               "" if value is None else value, unit, *terms]
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()
