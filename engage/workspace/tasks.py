"""The workspace's task list: every part of every step, its status, and what blocks moving on.

Whether a part is done is what its step's gate says (`steps.open_parts`), so the task list and the gates that
refuse a move cannot disagree. What is read here is only whether a part not done has been started."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select

from engage.agreements.models import Agreement
from engage.engagements import steps
from engage.engagements.models import Engagement, Step
from engage.engagements.steps import Missing, Part
from engage.extensions import db
from engage.publication import places

COMPLETED = "Completed"
INCOMPLETE = "Incomplete"
NOT_STARTED = "Not yet started"


# The page of each part of the task list: its task's link, and where whatever a gate finds missing in it is done.
PART_PAGES: dict[Part, str] = {
    Part.CHALLENGE: "workspace.challenge",
    Part.HOOKS: "workspace.hooks",
    Part.LEVEL: "workspace.level",
    Part.COLLABORATORS: "workspace.collaborators",
    Part.AGREEMENT: "agreements.index",
    Part.PERSPECTIVES: "workspace.perspectives",
    Part.IDEAS: "workspace.ideas",
    Part.PLANNED_TESTS: "workspace.planned_tests",
    Part.ACTIVITY: "activity.index",
    Part.TEST_RESULTS: "workspace.planned_tests",
    Part.STORY: "workspace.story",
}


def part_href(engagement: Engagement, part: Part) -> str:
    return url_for(PART_PAGES[part], slug=engagement.slug)


@dataclass(frozen=True)
class ToDo:
    """One thing still missing before the engagement can move on, and the page where it is done (none for what
    no page does, such as moving on from the last step)."""

    text: str
    href: str | None = None

    def __str__(self) -> str:
        return self.text


def to_do(engagement: Engagement, missing: Missing) -> ToDo:
    """What a gate found missing, linked to its task; a publication check finding, to the field holding it."""
    if missing.finding is not None:
        return ToDo(missing.text, places.link(engagement.slug, missing.finding))
    return ToDo(missing.text, part_href(engagement, missing.part) if missing.part is not None else None)


def still_to_do(engagement: Engagement, items: list[Missing] | None = None) -> list[ToDo]:
    """Everything still missing before the engagement can leave its step (or these of it), each with its link."""
    return [to_do(engagement, item) for item in (steps.missing_items(engagement) if items is None else items)]


@dataclass
class Task:
    title: str
    href: str
    status: str
    hint: str = ""


@dataclass
class StepSection:
    step: Step
    tasks: list[Task]


def _has_any_agreement(engagement: Engagement) -> bool:
    return db.session.scalar(select(Agreement.id).where(Agreement.engagement_id == engagement.id).limit(1)) is not None


def _status(done: bool, started: bool = False) -> str:
    if done:
        return COMPLETED
    return INCOMPLETE if started else NOT_STARTED


def sections(engagement: Engagement) -> list[StepSection]:
    slug = engagement.slug
    still_open = steps.open_parts(engagement)

    def href(endpoint: str) -> str:
        return url_for(f"workspace.{endpoint}", slug=slug)

    def status(part: Part, started: bool = False) -> str:
        return _status(part not in still_open, started)

    def part(name: Part) -> str:
        return part_href(engagement, name)

    challenge_fields = [engagement.challenge_statement, engagement.summary, engagement.why_now]
    return [
        StepSection(Step.CHALLENGE, [
            Task("Describe the challenge", part(Part.CHALLENGE),
                 status(Part.CHALLENGE, any(f.strip() for f in challenge_fields)),
                 "Statement, why now, summary, area, themes, dates and budget"),
            Task("Add the hooks", part(Part.HOOKS), status(Part.HOOKS),
                 "The strategies, plans, service changes or policies the work can change"),
            Task("Choose the level of engagement", part(Part.LEVEL), status(Part.LEVEL, bool(engagement.guide_answers)),
                 "Answer the guide's questions and give your rationale"),
        ]),
        StepSection(Step.COLLABORATORS, [
            Task("Gather collaborators", part(Part.COLLABORATORS),
                 status(Part.COLLABORATORS, bool(engagement.collaborators)),
                 "At least one VCFSE organisation"),
            Task("Agree expectations", part(Part.AGREEMENT),
                 status(Part.AGREEMENT, Part.AGREEMENT in still_open and _has_any_agreement(engagement)),
                 "An expectation agreement signed with a VCFSE partner"),
        ]),
        StepSection(Step.FRAME, [
            Task("Frame the challenge", part(Part.PERSPECTIVES), status(Part.PERSPECTIVES),
                 "Perspectives from collaborators and lenses"),
            Task("Explore potential solutions", part(Part.IDEAS), status(Part.IDEAS),
                 "Ideas, who proposed them, and their imagined impact"),
            Task("Plan tests", part(Part.PLANNED_TESTS), status(Part.PLANNED_TESTS),
                 "What, how, and what would show it works"),
        ]),
        StepSection(Step.TEST, [
            Task("Log activity", part(Part.ACTIVITY), status(Part.ACTIVITY),
                 "Workshops, events, interviews and other activity, with the insights they gathered"),
            Task("Record test results", part(Part.TEST_RESULTS),
                 status(Part.TEST_RESULTS, any(t.is_resolved for t in engagement.planned_tests)),
                 "What happened in each planned test and what it showed, or why it was dropped"),
        ]),
        StepSection(Step.STORY, [
            Task("Tell the story", part(Part.STORY),
                 status(Part.STORY, any(getattr(engagement, name).strip() for name, _ in steps.STORY_SECTIONS)),
                 "We asked, You said, We did, So what? and What now?"),
            # Outputs are asked for but not required to leave the story step: no gate decides this task.
            Task("Add outputs", href("outputs"), _status(bool(engagement.outputs)),
                 "Reports, videos, toolkits, case studies, datasets, photos and policy changes"),
        ]),
    ]


def next_thing_to_do(engagement: Engagement) -> ToDo:
    if engagement.current_step is Step.COMPLETED:
        return ToDo("Nothing: the engagement is complete")
    missing = steps.missing_items(engagement)
    if missing:
        return to_do(engagement, missing[0])
    return ToDo(f"Ready to move on to \u2018{engagement.current_step.next.label}\u2019",
                url_for("workspace.task_list", slug=engagement.slug))
