"""The publication check's part of the `story` gate (nothing is published with personal data in it), and
the first publication when an engagement is completed."""

from __future__ import annotations

from engage.engagements.models import Engagement, Step
from engage.engagements.steps import gate, on_arrival
from engage.publishing.services import publish_on_completion, unresolved_findings


@gate(Step.STORY)
def publication_check_passes(engagement: Engagement) -> list[str]:
    if engagement.id is None:
        return []
    return [f"Remove or accept {finding.label} in {finding.where}: \u201c{finding.value}\u201d"
            for finding in unresolved_findings(engagement)]


@on_arrival(Step.COMPLETED)
def publish_the_record(engagement: Engagement, actor) -> None:
    publish_on_completion(engagement, actor)
