"""The rules for moving an engagement through the Ideas Shop steps.

Each step has gates: plain functions that return what is still missing, in plain English. The same list is
shown in the workspace, refused on a move, and tested, and the workspace's task list reads from the same gates
which of its parts are done. Later parts of the service register their own gates with `gate(step)`, under a
name declared here in `ORDER`, so their sentences come in the same order in every process, whatever order the
packages were imported in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from engage.engagements.models import Engagement, Step
from engage.organisations.models import OrganisationKind
from engage.text.personal_data import Finding

T = TypeVar("T")


class Part(StrEnum):
    """The parts of the work the workspace's task list shows, each decided by one gate."""

    CHALLENGE = "challenge"
    HOOKS = "hooks"
    LEVEL = "level"
    COLLABORATORS = "collaborators"
    AGREEMENT = "agreement"
    PERSPECTIVES = "perspectives"
    IDEAS = "ideas"
    PLANNED_TESTS = "planned_tests"
    ACTIVITY = "activity"
    TEST_RESULTS = "test_results"
    STORY = "story"


@dataclass(frozen=True)
class Missing:
    """One thing still missing before an engagement can leave a step, and the part of the task list it keeps
    open (none for what no task stands for, such as the publication check's findings). The workspace links each
    to where it is done: the part's task, or the place of the publication check's `finding`."""

    text: str
    part: Part | None = None
    finding: Finding | None = None


Gate = Callable[[Engagement], list[Missing]]

# Every gate of each step, by name, in the order their sentences are shown and refused with. The gates of the
# packages above this one register under these names when they are imported (see `engage._register_gates`).
ORDER: dict[Step, tuple[str, ...]] = {
    Step.CHALLENGE: ("challenge_is_chosen", "public_texts_check_passes"),
    Step.COLLABORATORS: ("vcfse_partner_gathered", "agreement_signed"),
    Step.FRAME: ("time_together_planned",),
    Step.TEST: ("tests_resolved_and_activity_logged",),
    Step.STORY: ("story_is_told", "publication_check_passes"),
    Step.COMPLETED: ("nothing_after_completion",),
}


@dataclass(frozen=True)
class _Gate:
    check: Gate
    parts: frozenset[Part]


_GATES: dict[Step, dict[str, _Gate]] = {step: {} for step in Step}


def gate(step: Step, *, parts: Iterable[Part] = ()) -> Callable[[Gate], Gate]:
    """Register a gate that must be clear before an engagement can leave `step`. Its name must be one `ORDER`
    declares for the step. `parts` are the parts of the task list it decides: each is done exactly when the gate
    finds nothing missing in it, so every item it returns names one of them (and a gate with none names none)."""

    def register(function: Gate) -> Gate:
        if function.__name__ not in ORDER[step]:
            raise ValueError(f"{function.__name__} is not declared as a gate of the {step.value} step in "
                             "engage.engagements.steps.ORDER")
        _GATES[step][function.__name__] = _Gate(function, frozenset(parts))
        return function

    return register


def registered(step: Step) -> list[str]:
    """The names of the step's gates registered in this process, in the order they are asked."""
    return [name for name in ORDER[step] if name in _GATES[step]]


def not_registered() -> list[str]:
    """Gates declared in `ORDER` that no module has registered (the application refuses to start with any)."""
    return [name for step in Step for name in ORDER[step] if name not in _GATES[step]]


def _ask(registration: _Gate, engagement: Engagement) -> list[Missing]:
    items = registration.check(engagement)
    allowed = registration.parts or {None}
    for item in items:
        if item.part not in allowed:
            raise ValueError(f"{registration.check.__name__} gave {item.text!r} for {item.part!r}, not for a part "
                             "it was registered for")
    return items


def missing_items(engagement: Engagement, step: Step | None = None) -> list[Missing]:
    step = step or engagement.current_step
    return [item for name in registered(step) for item in _ask(_GATES[step][name], engagement)]


def missing_to_leave(engagement: Engagement, step: Step | None = None) -> list[str]:
    return [item.text for item in missing_items(engagement, step)]


def open_parts(engagement: Engagement) -> set[Part]:
    """The parts of the task list, at every step, in which a gate still finds something missing. Gates that
    decide no part (the publication check) are not asked."""
    return {item.part for step in Step for name in registered(step) if (registration := _GATES[step][name]).parts
            for item in _ask(registration, engagement) if item.part is not None}


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


# Reading once ---------------------------------------------------------------------------------------------------

@dataclass
class _Together:
    engagements: dict[int, Engagement]  # by id
    values: dict[str, Any] = field(default_factory=dict)
    each: dict[str, dict[int, Any]] = field(default_factory=dict)


_together: ContextVar[_Together | None] = ContextVar("engage_gates_reading_together", default=None)


@contextmanager
def reading_together(engagements: Iterable[Engagement]) -> Iterator[None]:
    """Within the block, what the gates, and what happens on arrival at a step, read through `once` and
    `once_each` is read once: a list of engagements costs the same queries as one, and a move reads for its
    arrival what it read for its gates. Open it only around work that changes none of what they read but the
    step itself: a page that shows the gates, or a move on."""
    token = _together.set(_Together({e.id: e for e in engagements if e.id is not None}))
    try:
        yield
    finally:
        _together.reset(token)


def once(key: str, load: Callable[[], T]) -> T:
    """`load()`, once within a `reading_together` block (every time outside one)."""
    together = _together.get()
    if together is None:
        return load()
    if key not in together.values:
        together.values[key] = load()
    return together.values[key]


def once_each(engagement_id: int | None, key: str, load: Callable[[list[int | None]], dict[Any, T]]) -> T:
    """What `load` gives for this engagement. `load` is given engagement ids and answers for each of them.
    Within a `reading_together` block it is asked, the first time any of them needs it, for every engagement of
    the block at the same step as this one (those a gate of this step will ask about too); outside one, or for
    an engagement not in the block, for this engagement alone."""
    together = _together.get()
    if together is None or engagement_id not in together.engagements:
        return load([engagement_id])[engagement_id]
    known = together.each.setdefault(key, {})
    if engagement_id not in known:
        step = together.engagements[engagement_id].current_step
        batch = [i for i, e in together.engagements.items() if i not in known and e.current_step is step]
        known.update(load(batch))
    return known[engagement_id]


# The gates of the engagement's own steps ------------------------------------------------------------------------

@gate(Step.CHALLENGE, parts=(Part.CHALLENGE, Part.HOOKS, Part.LEVEL))
def challenge_is_chosen(engagement: Engagement) -> list[Missing]:
    missing = []
    if not engagement.challenge_statement.strip():
        missing.append(Missing("Write the challenge statement", Part.CHALLENGE))
    if not engagement.summary.strip():
        missing.append(Missing("Write a plain-English summary", Part.CHALLENGE))
    if not engagement.hooks:
        missing.append(Missing("Add at least one hook: a strategy, plan, service change or policy the work can "
                               "change", Part.HOOKS))
    if engagement.level is None:
        missing.append(Missing("Choose the level of engagement", Part.LEVEL))
    elif not engagement.level_rationale.strip():
        missing.append(Missing("Give the rationale for the level of engagement", Part.LEVEL))
    return missing


@gate(Step.COLLABORATORS, parts=(Part.COLLABORATORS,))
def vcfse_partner_gathered(engagement: Engagement) -> list[Missing]:
    if any(c.organisation.kind is OrganisationKind.VCFSE for c in engagement.collaborators):
        return []
    return [Missing("Add at least one VCFSE organisation as a collaborator", Part.COLLABORATORS)]


@gate(Step.FRAME, parts=(Part.PERSPECTIVES, Part.IDEAS, Part.PLANNED_TESTS))
def time_together_planned(engagement: Engagement) -> list[Missing]:
    missing = []
    if not engagement.perspectives:
        missing.append(Missing("Frame the challenge: add at least one perspective", Part.PERSPECTIVES))
    if not engagement.ideas:
        missing.append(Missing("Explore potential solutions: add at least one idea", Part.IDEAS))
    if not engagement.planned_tests:
        missing.append(Missing("Plan at least one test", Part.PLANNED_TESTS))
    return missing


STORY_SECTIONS = [
    ("story_we_asked", "We asked"),
    ("story_you_said", "You said"),
    ("story_we_did", "We did"),
    ("story_so_what", "So what?"),
    ("story_what_now", "What now?"),
]


@gate(Step.STORY, parts=(Part.STORY,))
def story_is_told(engagement: Engagement) -> list[Missing]:
    return [Missing(f"Write the \u201c{label}\u201d section of the story", Part.STORY)
            for field_name, label in STORY_SECTIONS if not getattr(engagement, field_name).strip()]


@gate(Step.COMPLETED)
def nothing_after_completion(engagement: Engagement) -> list[Missing]:
    return [Missing("The engagement is complete: there is no step after this one")]
