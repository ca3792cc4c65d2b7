"""The date range a report card covers: read from a query string, checked, and turned into the UTC
instants that timestamps are compared with.

Dates are whole days in UK time, both ends included. A period is given either as ISO dates (`from` and `to`,
as links, the CSV and the JSON API use) or as the GOV.UK date input's three boxes each (`from-day`,
`from-month`, `from-year`, and the same for `to`), as the form on the page sends them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from werkzeug.datastructures import MultiDict

from engage.clock import LONDON, today
from engage.site.queries import FilterError, refuse_unknown

ENDS = {"from": "Start date", "to": "End date"}
PARTS = ("day", "month", "year")
ALLOWED = tuple(ENDS) + tuple(f"{end}-{part}" for end in ENDS for part in PARTS)
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
_DIGITS = re.compile(r"[0-9]+")


def default_period(on: date | None = None) -> Period:
    """The 12 months up to and including today (UK time)."""
    end = on or today()
    try:
        start = end.replace(year=end.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February: a year earlier has no such day
        start = end.replace(year=end.year - 1, day=28) + timedelta(days=1)
    return Period(start, end, is_default=True)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    is_default: bool = False

    @property
    def start_at(self) -> datetime:
        """The first instant of the first day, in UTC."""
        return datetime.combine(self.start, time(), LONDON).astimezone(UTC)

    @property
    def end_before(self) -> datetime:
        """The first instant after the last day, in UTC."""
        return datetime.combine(self.end + timedelta(days=1), time(), LONDON).astimezone(UTC)

    def query_args(self) -> dict[str, str]:
        """For links to the same figures (charts, CSV, JSON). The default period needs none, so its addresses
        stay stable and the static export can save them as files."""
        if self.is_default:
            return {}
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


@dataclass
class PeriodForm:
    """What was asked for (kept for the form, as typed), the errors and, if none, the period."""

    typed: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    period: Period | None = None

    def error_for(self, end: str) -> str | None:
        return next((e["text"] for e in self.errors if e["end"] == end), None)


def _single(args: MultiDict, name: str) -> str:
    # Given more than once is refused before this is asked.
    value = args.get(name)
    return value.strip() if value else ""


def _read_end(args: MultiDict, end: str) -> tuple[dict[str, str], date | None, str | None]:
    """One end of the period: (what was typed, the date or None, an error or None)."""
    label = ENDS[end]
    if any(len(args.getlist(name)) > 1 for name in (end, *(f"{end}-{p}" for p in PARTS))):
        return {}, None, f"Give the {label.lower()} once only"
    iso = _single(args, end)
    boxes = {part: _single(args, f"{end}-{part}") for part in PARTS}
    if iso and any(boxes.values()):
        return boxes, None, f"Give the {label.lower()} as a date or as day, month and year, not both"
    if iso:
        try:
            day = date.fromisoformat(iso)
        except ValueError:
            return {}, None, f"{label} must be a real date, like 2026-04-01"
        boxes = {"day": str(day.day), "month": str(day.month), "year": str(day.year)}
        return boxes, *_in_range(day, label)
    if not any(boxes.values()):
        return boxes, None, None
    missing = [part for part in PARTS if not boxes[part]]
    if missing:
        return boxes, None, f"{label} must include a {' and a '.join(missing)}"
    # The digits 0 to 9 only: str.isdigit() also takes superscripts and other scripts' digits, which int()
    # refuses or reads as numbers nobody meant.
    if not all(_DIGITS.fullmatch(boxes[part]) for part in PARTS):
        return boxes, None, f"{label} must be a real date, in numbers"
    try:
        day = date(int(boxes["year"]), int(boxes["month"]), int(boxes["day"]))
    except (ValueError, OverflowError):  # a number too big for a date is an OverflowError, not a ValueError
        return boxes, None, f"{label} must be a real date"
    return boxes, *_in_range(day, label)


def _in_range(day: date, label: str) -> tuple[date | None, str | None]:
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        return None, f"{label} must be between {EARLIEST_YEAR} and {LATEST_YEAR}"
    return day, None


def read_period(args: MultiDict, on: date | None = None) -> PeriodForm:
    """The period asked for in `args`. Neither end given: the default (the last 12 months). A start alone
    runs to today; an end alone is the 12 months up to it. Unknown parameters are refused."""
    form = PeriodForm()
    try:
        refuse_unknown(args, ALLOWED)
    except FilterError as error:
        form.errors.append({"end": "from", "text": str(error), "href": "#from-day"})
        return form
    found: dict[str, date | None] = {}
    for end in ENDS:
        typed, day, error = _read_end(args, end)
        form.typed[end] = typed
        found[end] = day
        if error:
            form.errors.append({"end": end, "text": error, "href": f"#{end}-day"})
    if form.errors:
        return form
    start, end_day = found["from"], found["to"]
    if start is None and end_day is None:
        form.period = default_period(on)
        return form
    if end_day is None:
        end_day = max(start, on or today())
    if start is None:
        start = default_period(end_day).start
    if start > end_day:
        form.errors.append({"end": "to", "text": "End date must be the same as or after the start date",
                            "href": "#to-day"})
        return form
    form.period = Period(start, end_day)
    return form
