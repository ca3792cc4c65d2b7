"""The report card as JSON (`/api/v1/report-card`), described by `REPORT_CARD_SCHEMA` in the OpenAPI
document. Built from the same `ReportCard` as the page and the CSV."""

from __future__ import annotations

from typing import Any

from engage.publication.licence import licence
from engage.reporting.figures import DEFINITIONS, Count, ReportCard, system_blockers


def _counts(counts: list[Count]) -> list[dict[str, Any]]:
    return [c.as_dict() for c in counts]


def card_document(card: ReportCard) -> dict[str, Any]:
    """Every figure of the report card, with the period, what each figure means, and the licence."""
    return {
        "period": {"from": card.period.start.isoformat(), "to": card.period.end.isoformat()},
        "engagements": {
            "total": card.engagements,
            "by_step": _counts(card.by_step),
            "by_level": _counts(card.by_level),
            "by_theme": _counts(card.by_theme),
            "by_area": _counts(card.by_area),
            "without_area": card.without_area,
            "quiet_areas": _counts(card.quiet_areas),
            "co_design_or_co_produce": {"count": card.shared_power, "share": card.shared_power_share},
            "left_out": {"held_back": card.held_back, "choosing_challenge": card.not_yet_public},
        },
        "vcfse": {
            "organisations": _counts(card.vcfse_organisations),
            "signed_agreements": card.signed_agreements,
            "funding_pence": card.funding_pence,
            "funding_by_organisation": [{"key": c.key, "label": c.label, "agreements": c.extra["agreements"],
                                         "funding_pence": c.count} for c in card.funding_by_organisation],
        },
        "activity": {
            "activities": card.activities,
            "participants": card.participants,
            "volunteer_hours": card.volunteer_hours,
            "in_kind_value_pence": card.in_kind_pence,
            "hourly_rate_pence": card.hourly_rate_pence,
            "reach": _counts(card.reach),
        },
        "insights": {
            "total": card.insights,
            "by_lens": _counts(card.insights_by_lens),
            "by_theme": _counts(card.insights_by_theme),
            "system_blockers": system_blockers(card.period),
        },
        "publication": {"published": card.published, "median_weeks_to_publication": card.median_weeks},
        "commitments": {
            "made": card.commitments_made,
            "done_on_time": card.commitments_done_on_time,
            "done_late": card.commitments_done_late,
            "overdue_now": card.commitments_overdue,
            "not_going_ahead": card.commitments_not_going_ahead,
            "median_days_from_publication_to_done": card.median_days_to_done,
        },
        "definitions": dict(DEFINITIONS),
        "licence": licence(),
    }
