"""What each webhook event says. Only public facts: the engagement's slug, title and public addresses,
version numbers and change notes, steps and organisations' names. Never a person's name or e-mail address.

Nothing is sent about an engagement residents cannot see (still at the first step, or held back).

The domains announce these events (`engage.events`); `subscribe` connects the senders of webhooks to them.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from engage import events
from engage.engagements.models import Engagement, Step
from engage.publication.visibility import is_public
from engage.webhooks.services import emit


def _engagement(engagement: Engagement) -> dict[str, Any]:
    base = current_app.config["BASE_URL"]
    return {"slug": engagement.slug, "title": engagement.title,
            "url": f"{base}/engagements/{engagement.slug}",
            "json_url": f"{base}/api/v1/engagements/{engagement.slug}"}


def record_published(engagement: Engagement, *, number: int, change_note: str, published_at, **_details) -> None:
    """Version 1 is `record.published`; every later version (a correction or an update) `record.version`."""
    if not is_public(engagement):
        return
    base = current_app.config["BASE_URL"]
    emit("record.published" if number == 1 else "record.version", {
        "engagement": _engagement(engagement),
        "version": {"number": number, "change_note": change_note, "published_at": published_at.isoformat(),
                    "url": f"{base}/engagements/{engagement.slug}/versions/{number}",
                    "json_url": f"{base}/api/v1/engagements/{engagement.slug}/versions/{number}"},
    })


def step_changed(engagement: Engagement, *, from_step: Step, to_step: Step) -> None:
    if not is_public(engagement):
        return
    emit("engagement.step_changed", {
        "engagement": _engagement(engagement),
        "from_step": from_step.value, "to_step": to_step.value,
        "direction": "on" if to_step.number > from_step.number else "back",
    })


def agreement_signed(agreement) -> None:
    engagement = agreement.engagement
    if not is_public(engagement):
        return
    emit("agreement.signed", {
        "engagement": _engagement(engagement),
        "agreement": {"version_number": agreement.version_number,
                      "signed_at": agreement.signed_at.isoformat() if agreement.signed_at else None,
                      "public_sector_organisation": agreement.public_organisation.name,
                      "vcfse_organisation": agreement.vcfse_organisation.name},
    })


def subscribe() -> None:
    events.record_published.connect(record_published, weak=False)
    events.step_changed.connect(step_changed, weak=False)
    events.agreement_signed.connect(agreement_signed, weak=False)
