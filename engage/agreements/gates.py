"""The agreement's part of the `collaborators` gate."""

from __future__ import annotations

from engage.agreements.services import signed_agreements_of, signed_with
from engage.engagements.models import Engagement, Step
from engage.engagements.steps import Missing, Part, gate, once_each


@gate(Step.COLLABORATORS, parts=(Part.AGREEMENT,))
def agreement_signed(engagement: Engagement) -> list[Missing]:
    if signed_with(engagement, once_each(engagement.id, "agreements.signed", signed_agreements_of)):
        return []
    return [Missing("Sign an expectation agreement with at least one VCFSE collaborator", Part.AGREEMENT)]
