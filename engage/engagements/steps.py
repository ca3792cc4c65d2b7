"""The rules for moving an engagement through the Ideas Shop steps.

Each step has gates: plain functions that return what is still missing, in plain English. The same
list is shown in the workspace, refused on a move, and tested. Later parts of the service register
their own gates with `gate(step)`.
"""

from __future__ import annotations

from collections.abc import Callable

from engage.engagements.models import Engagement, Step
from engage.organisations.models import OrganisationKind

Gate = Callable[[Engagement], list[str]]
_GATES: dict[Step, list[Gate]] = {step: [] for step in Step}


def gate(step: Step) -> Callable[[Gate], Gate]:
    """Register a gate that must be clear before an engagement can leave `step`."""

    def register(function: Gate) -> Gate:
        _GATES[step].append(function)
        return function

    return register


Arrival = Callable[[Engagement, object], None]
_ARRIVALS: dict[Step, list[Arrival]] = {step: [] for step in Step}


def on_arrival(step: Step) -> Callable[[Arrival], Arrival]:
    """Register what must happen, in the same transaction, when an engagement moves on to `step`."""

    def register(function: Arrival) -> Arrival:
        _ARRIVALS[step].append(function)
        return function

    return register


def arrived(engagement: Engagement, step: Step, actor: object) -> None:
    for function in _ARRIVALS[step]:
        function(engagement, actor)


def missing_to_leave(engagement: Engagement, step: Step | None = None) -> list[str]:
    step = step or engagement.current_step
    return [item for check in _GATES[step] for item in check(engagement)]


@gate(Step.CHALLENGE)
def challenge_is_chosen(engagement: Engagement) -> list[str]:
    missing = []
    if not engagement.challenge_statement.strip():
        missing.append("Write the challenge statement")
    if not engagement.summary.strip():
        missing.append("Write a plain-English summary")
    if not engagement.hooks:
        missing.append("Add at least one hook: a strategy, plan, service change or policy the work can change")
    if engagement.level is None:
        missing.append("Choose the level of engagement")
    elif not engagement.level_rationale.strip():
        missing.append("Give the rationale for the level of engagement")
    return missing


@gate(Step.COLLABORATORS)
def vcfse_partner_gathered(engagement: Engagement) -> list[str]:
    if any(c.organisation.kind is OrganisationKind.VCFSE for c in engagement.collaborators):
        return []
    return ["Add at least one VCFSE organisation as a collaborator"]


@gate(Step.FRAME)
def time_together_planned(engagement: Engagement) -> list[str]:
    missing = []
    if not engagement.perspectives:
        missing.append("Frame the challenge: add at least one perspective")
    if not engagement.ideas:
        missing.append("Explore potential solutions: add at least one idea")
    if not engagement.planned_tests:
        missing.append("Plan at least one test")
    return missing


STORY_SECTIONS = [
    ("story_we_asked", "We asked"),
    ("story_you_said", "You said"),
    ("story_we_did", "We did"),
    ("story_so_what", "So what?"),
    ("story_what_now", "What now?"),
]


@gate(Step.STORY)
def story_is_told(engagement: Engagement) -> list[str]:
    return [f"Write the \u201c{label}\u201d section of the story" for field, label in STORY_SECTIONS
            if not getattr(engagement, field).strip()]


@gate(Step.COMPLETED)
def nothing_after_completion(engagement: Engagement) -> list[str]:
    return ["The engagement is complete: there is no step after this one"]
