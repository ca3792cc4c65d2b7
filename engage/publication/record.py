"""The public record of an engagement (BRIEF §6.1), as plain data: what the pages, the JSON API, the CSV
and the static export all show. It never holds a person's name or contact details: organisations are
credited, people are not."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engage.activity import services as activity
from engage.activity.models import Insight
from engage.agreements.models import CONTENT_FIELDS, Agreement, AgreementStatus
from engage.commitments.models import Commitment, CommitmentStatus
from engage.commitments.queries import load_commitments_of
from engage.engagements.models import Engagement, Step
from engage.engagements.steps import once_each
from engage.extensions import db
from engage.publication.licence import licence
from engage.publication.models import PublishedVersion
from engage.publication.visibility import is_public

# Agreement content that is published as commitments (the signatories are people: left out).
AGREEMENT_COMMITMENTS = [name for name, _ in CONTENT_FIELDS if name not in ("public_signatory_id",
                                                                              "vcfse_signatory_id")]


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _organisation(organisation) -> dict[str, str] | None:
    if organisation is None:
        return None
    return {"name": organisation.name, "slug": organisation.slug, "kind": organisation.kind.value}


def status_of(engagement: Engagement) -> str:
    return "completed" if engagement.current_step is Step.COMPLETED else "in_progress"


def _agreement(agreement: Agreement | None) -> dict[str, Any] | None:
    if agreement is None:
        return None
    commitments = {name: _iso(getattr(agreement, name)) if name == "review_date" else getattr(agreement, name)
                   for name in AGREEMENT_COMMITMENTS}
    return {
        "version": agreement.version_number,
        "parties": [{"role": "public_sector", **_organisation(agreement.public_organisation)},
                    {"role": "vcfse", **_organisation(agreement.vcfse_organisation)}],
        "signed_at": _iso(agreement.signed_at),
        "content_sha256": agreement.content_hash,
        "commitments": commitments,
        "milestones": [{"title": m.title, "due_date": _iso(m.due_date), "status": m.status.value}
                       for m in agreement.milestones],
    }


def latest_signed_agreements(engagement_ids: Collection[int | None]) -> dict[int | None, Agreement | None]:
    """Each engagement's most recently signed agreement, with its milestones, in two queries for them all."""
    latest: dict[int | None, Agreement | None] = dict.fromkeys(engagement_ids)
    for agreement in db.session.scalars(
        select(Agreement).where(Agreement.engagement_id.in_([i for i in engagement_ids if i is not None]),
                                Agreement.status == AgreementStatus.SIGNED)
        .options(selectinload(Agreement.milestones)).order_by(Agreement.signed_at.desc())
    ).unique():
        if latest[agreement.engagement_id] is None:
            latest[agreement.engagement_id] = agreement
    return latest


def _output_url(engagement: Engagement, output) -> str:
    if output.url:
        return output.url
    return f"/engagements/{engagement.slug}/outputs/{output.id}"


def _answers(commitment: Commitment) -> list[dict[str, Any]]:
    """What a commitment answers, credited as the record's insights and ideas are: to organisations, and for
    an idea to the group that proposed it too (never to a person)."""
    return [
        *({"kind": "insight", "text": i.text, "attributed_to": i.organisation.name if i.organisation else None,
           "proposed_by": None} for i in commitment.insights),
        *({"kind": "idea", "text": i.text, "attributed_to": i.organisation.name if i.organisation else None,
           "proposed_by": i.proposed_by} for i in commitment.ideas),
    ]


def _commitments(commitments: list[Commitment]) -> list[dict[str, Any]]:
    """What happens next (the "What now?" commitments), each with its dated timeline of updates."""
    return [{
        "action": c.action,
        "responsible_organisation": _organisation(c.responsible_organisation),
        "due_date": _iso(c.due_date),
        "status": c.status.value,
        "reason": c.reason if c.status is CommitmentStatus.NOT_GOING_AHEAD else None,
        "progress_percent": c.progress_percent,
        "done_on": _iso(c.done_on),
        "answers": _answers(c),
        "updates": [{"on": _iso(u.occurred_on), "text": u.body,
                     "status_from": u.status_from.value if u.status_from else None,
                     "status_to": u.status_to.value if u.status_to else None,
                     "progress_percent": u.progress_percent} for u in c.updates],
    } for c in commitments]


def list_item_part(engagement: Engagement, *, published_at: datetime | None) -> dict[str, Any]:
    """The fields of a record a list item shows (`site.cards.CARD_FIELDS`), from the engagement's own columns,
    lead organisation, area and themes only."""
    return {
        "slug": engagement.slug,
        "title": engagement.title,
        "summary": engagement.summary,
        "status": status_of(engagement),
        "step": engagement.current_step.value,
        "level": engagement.level.value if engagement.level else None,
        "published_at": _iso(published_at),
        "lead_organisation": _organisation(engagement.lead_organisation),
        "area": engagement.area.name if engagement.area else None,
        "themes": [t.name for t in engagement.themes],
        "get_involved": engagement.get_involved,
    }


# The order of a record's fields, as every record stored so far has them.
_RECORD_FIELDS = ("slug", "title", "summary", "status", "step", "level", "level_rationale", "version",
                  "published_at", "lead_organisation", "collaborators", "challenge", "hooks", "area", "themes",
                  "dates", "steps", "updates", "get_involved", "versions", "licence")


def _in_progress_part(engagement: Engagement, *, version: int | None, published_at: datetime | None,
                      versions: list[dict[str, Any]] | None) -> dict[str, Any]:
    # Only the engagement's own columns and relationships: a list of in-progress engagements eager-loads
    # these and so builds each record without a query of its own.
    fields = {
        **list_item_part(engagement, published_at=published_at),
        "level_rationale": engagement.level_rationale,
        "version": version,
        "collaborators": [{**_organisation(c.organisation), "role": c.role.value} for c in engagement.collaborators],
        "challenge": {"statement": engagement.challenge_statement, "why_now": engagement.why_now},
        "hooks": [{"title": h.title, "url": h.url or None} for h in engagement.hooks],
        "dates": {"start": _iso(engagement.start_date), "end": _iso(engagement.end_date)},
        "steps": [{"from": c.from_step.value if c.from_step else None, "to": c.to_step.value,
                   "at": _iso(c.occurred_at), "reason": c.reason} for c in engagement.step_changes],
        "updates": [{"at": _iso(u.created_at), "organisation": u.organisation.name if u.organisation else None,
                     "text": u.body} for u in sorted(engagement.updates, key=lambda u: u.id)],
        "versions": versions or [],
        "licence": licence(),
    }
    return {name: fields[name] for name in _RECORD_FIELDS}


@dataclass(frozen=True)
class _Read:
    """What the whole record reads from beyond the engagement's own columns and relationships."""

    figures: activity.Figures
    insights: list[Insight]
    agreement: Agreement | None
    commitments: list[Commitment]


def read_for_records(engagement_ids: Collection[int | None]) -> dict[int | None, _Read]:
    """What the whole records of these engagements read from other tables, in the same queries for any number."""
    figures = activity.figures_of(engagement_ids)
    insights: dict[int | None, list[Insight]] = {i: [] for i in engagement_ids}
    for insight in db.session.scalars(
            select(Insight).where(Insight.engagement_id.in_([i for i in engagement_ids if i is not None]))
            .options(selectinload(Insight.themes)).order_by(Insight.id)):
        insights[insight.engagement_id].append(insight)
    agreements = latest_signed_agreements(engagement_ids)
    commitments = load_commitments_of(engagement_ids)
    return {i: _Read(figures[i], insights[i], agreements[i], commitments[i]) for i in engagement_ids}


def build_record(engagement: Engagement, *, version: int | None, published_at: datetime | None,
                 versions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    # Read once for a move or a list of engagements (see steps.reading_together): the check on leaving the
    # story step and the first version published on arrival at completed read the same.
    read = once_each(engagement.id, "publication.record", read_for_records)
    figures, insights = read.figures, read.insights
    spent = figures.spend_pence
    return {
        **_in_progress_part(engagement, version=version, published_at=published_at, versions=versions),
        "agreement": _agreement(read.agreement),
        "activity_summary": {
            "activities": figures.activities, "participants": figures.participants,
            "volunteer_hours": round(figures.volunteer_hours, 2), "staff_hours": round(figures.staff_hours, 2),
            "in_kind_value_pence": figures.in_kind_pence,
            "reach": [{"group": group, "community": name, "count": count} for group, name, count in figures.reach],
        },
        "perspectives": [{"text": p.text, "attributed_to": p.organisation.name if p.organisation else None,
                          "lens": p.lens.value if p.lens else None} for p in engagement.perspectives],
        "ideas": [{"text": i.text, "proposed_by": i.proposed_by,
                   "organisation": i.organisation.name if i.organisation else None,
                   "imagined_impact": i.imagined_impact} for i in engagement.ideas],
        "insights": [{"text": i.text, "lens": i.lens.value, "themes": [t.name for t in i.themes],
                      "attributed_to": i.organisation.name if i.organisation else None,
                      "blocker": i.system_blocker} for i in insights],
        "tests": [{"what": t.what, "how": t.how, "success_measure": t.success_measure,
                   "status": "dropped" if t.dropped else ("result" if t.is_resolved else "open"),
                   "what_happened": t.result_what_happened, "what_it_showed": t.result_what_it_showed,
                   "dropped_reason": t.dropped_reason} for t in engagement.planned_tests],
        "outputs": [{"title": o.title, "kind": o.kind.value, "description": o.description,
                     "url": _output_url(engagement, o)} for o in engagement.outputs],
        "story": {"we_asked": engagement.story_we_asked, "you_said": engagement.story_you_said,
                  "we_did": engagement.story_we_did, "so_what": engagement.story_so_what,
                  "what_now": engagement.story_what_now},
        "budget": {"planned_pence": engagement.budget_pence, "spent_pence": spent},
        "commitments": _commitments(read.commitments),
    }


# Public while in progress (BRIEF §6.1): what partners are doing, not yet what they found.
IN_PROGRESS_FIELDS = ["slug", "title", "summary", "status", "step", "level", "level_rationale", "version",
                      "published_at", "lead_organisation", "collaborators", "challenge", "hooks", "area", "themes",
                      "dates", "steps", "updates", "get_involved", "versions", "licence"]


def in_progress_record(engagement: Engagement) -> dict[str, Any]:
    part = _in_progress_part(engagement, version=None, published_at=None, versions=None)
    return {key: part[key] for key in IN_PROGRESS_FIELDS}


def latest_version(engagement_id: int) -> PublishedVersion | None:
    return db.session.scalars(select(PublishedVersion).where(PublishedVersion.engagement_id == engagement_id)
                              .order_by(PublishedVersion.number.desc()).limit(1)).first()


def latest_public_version(engagement: Engagement) -> PublishedVersion | None:
    """The version residents read now, if the engagement is completed and public (see `public_record`)."""
    if engagement.current_step is not Step.COMPLETED or not is_public(engagement):
        return None
    return latest_version(engagement.id)


def public_record(engagement: Engagement) -> dict[str, Any] | None:
    """What residents see now: the latest published version of a completed engagement (stored, never
    recomputed), the live in-progress view of one under way, or nothing."""
    if not is_public(engagement):
        return None
    if engagement.current_step is Step.COMPLETED:
        latest = latest_version(engagement.id)
        return latest.record if latest is not None else None
    return in_progress_record(engagement)
