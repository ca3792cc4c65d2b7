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
from engage.engagements.steps import Part
from engage.extensions import db

COMPLETED = "Completed"
INCOMPLETE = "Incomplete"
NOT_STARTED = "Not yet started"


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

    challenge_fields = [engagement.challenge_statement, engagement.summary, engagement.why_now]
    return [
        StepSection(Step.CHALLENGE, [
            Task("Describe the challenge", href("challenge"),
                 status(Part.CHALLENGE, any(f.strip() for f in challenge_fields)),
                 "Statement, why now, summary, area, themes, dates and budget"),
            Task("Add the hooks", href("hooks"), status(Part.HOOKS),
                 "The strategies, plans, service changes or policies the work can change"),
            Task("Choose the level of engagement", href("level"), status(Part.LEVEL, bool(engagement.guide_answers)),
                 "Answer the guide's questions and give your rationale"),
        ]),
        StepSection(Step.COLLABORATORS, [
            Task("Gather collaborators", href("collaborators"),
                 status(Part.COLLABORATORS, bool(engagement.collaborators)),
                 "At least one VCFSE organisation"),
            Task("Agree expectations", url_for("agreements.index", slug=slug),
                 status(Part.AGREEMENT, Part.AGREEMENT in still_open and _has_any_agreement(engagement)),
                 "An expectation agreement signed with a VCFSE partner"),
        ]),
        StepSection(Step.FRAME, [
            Task("Frame the challenge", href("perspectives"), status(Part.PERSPECTIVES),
                 "Perspectives from collaborators and lenses"),
            Task("Explore potential solutions", href("ideas"), status(Part.IDEAS),
                 "Ideas, who proposed them, and their imagined impact"),
            Task("Plan tests", href("planned_tests"), status(Part.PLANNED_TESTS),
                 "What, how, and what would show it works"),
        ]),
        StepSection(Step.TEST, [
            Task("Log activity", url_for("activity.index", slug=slug), status(Part.ACTIVITY),
                 "Workshops, events, interviews and other activity, with the insights they gathered"),
            Task("Record test results", href("planned_tests"),
                 status(Part.TEST_RESULTS, any(t.is_resolved for t in engagement.planned_tests)),
                 "What happened in each planned test and what it showed, or why it was dropped"),
        ]),
        StepSection(Step.STORY, [
            Task("Tell the story", href("story"),
                 status(Part.STORY, any(getattr(engagement, name).strip() for name, _ in steps.STORY_SECTIONS)),
                 "We asked, You said, We did, So what? and What now?"),
            # Outputs are asked for but not required to leave the story step: no gate decides this task.
            Task("Add outputs", href("outputs"), _status(bool(engagement.outputs)),
                 "Reports, videos, toolkits, case studies, datasets, photos and policy changes"),
        ]),
    ]


def next_thing_to_do(engagement: Engagement) -> str:
    if engagement.current_step is Step.COMPLETED:
        return "Nothing: the engagement is complete"
    missing = steps.missing_to_leave(engagement)
    if missing:
        return missing[0]
    return f"Ready to move on to \u2018{engagement.current_step.next.label}\u2019"
