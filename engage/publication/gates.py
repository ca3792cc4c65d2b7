"""The publication check's part of the `challenge` gate (leaving it makes the in-progress record public) and of
the `story` gate (nothing is published with personal data in it), and the first publication when an engagement is
completed."""

from __future__ import annotations

from engage.engagements.models import Engagement, Step
from engage.engagements.steps import Missing, gate, on_arrival
from engage.publication.public_texts import unresolved_public_findings
from engage.publication.services import publish_on_completion, unresolved_findings
from engage.text.personal_data import instruction


@gate(Step.CHALLENGE)
def public_texts_check_passes(engagement: Engagement) -> list[Missing]:
    if engagement.id is None:
        return []
    return [Missing(instruction(finding)) for finding in unresolved_public_findings(engagement)]


@gate(Step.STORY)
def publication_check_passes(engagement: Engagement) -> list[Missing]:
    if engagement.id is None:
        return []
    return [Missing(instruction(finding)) for finding in unresolved_findings(engagement)]


@on_arrival(Step.COMPLETED)
def publish_the_record(engagement: Engagement, actor) -> None:
    publish_on_completion(engagement, actor)
