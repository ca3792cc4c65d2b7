"""The key figures at the top of a public record: what a first-time reader looks for before reading on.

Each figure is worked out from the record alone (the stored snapshot or the live in-progress view), so the
page says nothing the open data does not. Every sum of money says in words what it counts: "spent" is what
the partners logged against their activities, which is not the engagement's budget and not the funding the
expectation agreement promised the VCFSE partner, so the three are shown side by side and named.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from engage.commitments.models import CommitmentStatus
from engage.engagements.models import Step
from engage.site.labels import STEP_LABELS
from engage.templating import format_date, hours, pounds


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    note: str | None = None


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def _day(value: str) -> str:
    # The record's start and end are plain dates ('2026-01-05'), with no time or zone to convert.
    return format_date(date.fromisoformat(value[:10]))


def _organisations(record: dict[str, Any]) -> int:
    lead = record.get("lead_organisation") or {}
    return len({o["slug"] for o in record.get("collaborators", [])} | ({lead["slug"]} if lead else set()))


def _dates(record: dict[str, Any], completed: bool) -> list[KeyFigure]:
    dates = record.get("dates") or {}
    start, end = dates.get("start"), dates.get("end")
    if start:
        return [KeyFigure("Dates", _day(start), f"to {_day(end)}" if end else None)]
    if end:
        return [KeyFigure("Ended" if completed else "Planned to end", _day(end))]
    return []


def _vcfse_partner(record: dict[str, Any]) -> str | None:
    agreement = record.get("agreement") or {}
    return next((party["name"] for party in agreement.get("parties", []) if party.get("role") == "vcfse"), None)


def _money(record: dict[str, Any]) -> list[KeyFigure]:
    budget = record.get("budget") or {}
    agreement = record.get("agreement") or {}
    funding = (agreement.get("commitments") or {}).get("funding_pence")
    partner = _vcfse_partner(record)
    figures = []
    if budget.get("planned_pence") is not None:
        figures.append(KeyFigure("Budget planned", pounds(budget["planned_pence"]),
                                 "For the whole engagement, as the lead planned it"))
    if funding is not None:
        figures.append(KeyFigure("Funding agreed", pounds(funding),
                                 f"For {partner}, in the signed agreement" if partner
                                 else "For the VCFSE partner, in the signed agreement"))
    spent = budget.get("spent_pence") or 0
    of_what = f"of the {pounds(funding)} funding agreed" if funding is not None else "with no funding agreed"
    figures.append(KeyFigure("Spent on activities", pounds(spent),
                             f"As the partners logged it, {of_what}"))
    return figures


def _commitments(record: dict[str, Any]) -> KeyFigure:
    commitments = record["commitments"]
    statuses = Counter(c["status"] for c in commitments)
    overdue = sum(1 for c in commitments if c.get("overdue"))
    parts = [f"{statuses[s.value]:,} {s.label.lower()}" for s in CommitmentStatus if statuses[s.value]]
    if overdue:
        parts.append(f"{overdue:,} overdue")
    return KeyFigure("Commitments made", f"{len(commitments):,}", ", ".join(parts) or "None made yet")


def key_figures(record: dict[str, Any]) -> list[KeyFigure]:
    """The record's key figures, in the order the page shows them. The status, version and level are said
    elsewhere at the top of the page, so they are not repeated here."""
    completed = record.get("status") == "completed"
    if not completed:
        step = Step(record["step"])
        return [KeyFigure("Step", f"{step.number} of 6", STEP_LABELS[step.value]), *_dates(record, completed),
                KeyFigure("Organisations working together", f"{_organisations(record):,}",
                          "The lead and its collaborators"),
                KeyFigure("Progress updates", f"{len(record.get('updates', [])):,}")]
    summary = record["activity_summary"]
    insights = record.get("insights", [])
    blockers = sum(1 for i in insights if i.get("blocker"))
    volunteer, staff = summary["volunteer_hours"], summary["staff_hours"]
    figures = [
        *_dates(record, completed),
        KeyFigure("Activities", f"{summary['activities']:,}"),
        KeyFigure("People who took part", f"{summary['participants']:,}", "Counted at each activity"),
        KeyFigure("Insights gathered", f"{len(insights):,}",
                  _count(blockers, "system blocker", "system blockers") if blockers else None),
        KeyFigure("Hours given", hours(volunteer + staff),
                  f"{hours(volunteer)} by volunteers and {hours(staff)} by staff. In-kind value of volunteer "
                  f"time: {pounds(summary['in_kind_value_pence'])}"),
    ]
    if "commitments" in record:
        figures.append(_commitments(record))
    return figures + _money(record)
