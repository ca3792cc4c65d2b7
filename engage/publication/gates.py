"""The publication check's part of the `challenge` gate (leaving it makes the in-progress record public) and of
the `story` gate (nothing is published with personal data in it), and the first publication when an engagement is
completed."""

from __future__ import annotations

from engage.engagements.models import Engagement, Step
from engage.engagements.steps import Missing, gate, on_arrival
from engage.publication import check, places, services
from engage.publication.record import build_record, in_progress_record
from engage.publication.services import publish_on_completion


def _missing(engagement: Engagement, record: dict) -> list[Missing]:
    # Each finding named by its place in the record it was found in, and carried so the workspace links to it.
    return [Missing(places.instruction(finding, record), finding=finding)
            for finding in services.not_accepted(engagement.id, check.findings_in(record))]


@gate(Step.CHALLENGE)
def public_texts_check_passes(engagement: Engagement) -> list[Missing]:
    if engagement.id is None:
        return []
    return _missing(engagement, in_progress_record(engagement))


@gate(Step.STORY)
def publication_check_passes(engagement: Engagement) -> list[Missing]:
    if engagement.id is None:
        return []
    return _missing(engagement, build_record(engagement, version=None, published_at=None))


@on_arrival(Step.COMPLETED)
def publish_the_record(engagement: Engagement, actor) -> None:
    publish_on_completion(engagement, actor)
