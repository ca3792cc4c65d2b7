"""The agreement's part of the `collaborators` gate."""

from __future__ import annotations

from engage.agreements.services import signed_with
from engage.engagements.models import Engagement, Step
from engage.engagements.steps import gate


@gate(Step.COLLABORATORS)
def agreement_signed(engagement: Engagement) -> list[str]:
    if signed_with(engagement):
        return []
    return ["Sign an expectation agreement with at least one VCFSE collaborator"]
