"""The workspace's task list: every part of every step, its status, and what blocks moving on."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from engage.engagements import steps
from engage.engagements.models import Engagement, Step

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


def _has_signed_agreement(engagement: Engagement) -> bool:
    from engage.agreements.services import signed_with

    return bool(signed_with(engagement))


def _has_any_agreement(engagement: Engagement) -> bool:
    from sqlalchemy import select

    from engage.agreements.models import Agreement
    from engage.extensions import db

    return db.session.scalar(select(Agreement.id).where(Agreement.engagement_id == engagement.id).limit(1)) is not None


def _has_activity(engagement: Engagement) -> bool:
    from sqlalchemy import select

    from engage.activity.models import Activity
    from engage.extensions import db

    return db.session.scalar(select(Activity.id).where(Activity.engagement_id == engagement.id).limit(1)) is not None


def _status(done: bool, started: bool = False) -> str:
    if done:
        return COMPLETED
    return INCOMPLETE if started else NOT_STARTED


def sections(engagement: Engagement) -> list[StepSection]:
    slug = engagement.slug

    def href(endpoint: str) -> str:
        return url_for(f"workspace.{endpoint}", slug=slug)

    challenge_fields = [engagement.challenge_statement, engagement.summary, engagement.why_now]
    vcfse = [c for c in engagement.collaborators if c.organisation.kind.value == "vcfse"]
    story_done = [bool(getattr(engagement, name).strip()) for name, _ in steps.STORY_SECTIONS]
    resolved = [t for t in engagement.planned_tests if t.is_resolved]
    return [
        StepSection(Step.CHALLENGE, [
            Task("Describe the challenge", href("challenge"),
                 _status(all(f.strip() for f in challenge_fields[:2]), any(f.strip() for f in challenge_fields)),
                 "Statement, why now, summary, area, themes, dates and budget"),
            Task("Add the hooks", href("hooks"), _status(bool(engagement.hooks)),
                 "The strategies, plans, service changes or policies the work can change"),
            Task("Choose the level of engagement", href("level"),
                 _status(engagement.level is not None and bool(engagement.level_rationale.strip()),
                         bool(engagement.guide_answers)),
                 "Answer the guide's questions and give your rationale"),
        ]),
        StepSection(Step.COLLABORATORS, [
            Task("Gather collaborators", href("collaborators"),
                 _status(bool(vcfse), bool(engagement.collaborators)),
                 "At least one VCFSE organisation"),
            Task("Agree expectations", url_for("agreements.index", slug=slug),
                 _status(_has_signed_agreement(engagement), _has_any_agreement(engagement)),
                 "An expectation agreement signed with a VCFSE partner"),
        ]),
        StepSection(Step.FRAME, [
            Task("Frame the challenge", href("perspectives"), _status(bool(engagement.perspectives)),
                 "Perspectives from collaborators and lenses"),
            Task("Explore potential solutions", href("ideas"), _status(bool(engagement.ideas)),
                 "Ideas, who proposed them, and their imagined impact"),
            Task("Plan tests", href("planned_tests"), _status(bool(engagement.planned_tests)),
                 "What, how, and what would show it works"),
        ]),
        StepSection(Step.TEST, [
            Task("Log activity", url_for("activity.index", slug=slug), _status(_has_activity(engagement)),
                 "Workshops, events, interviews and other activity, with the insights they gathered"),
            Task("Record test results", href("planned_tests"),
                 _status(bool(resolved) and len(resolved) == len(engagement.planned_tests), bool(resolved)),
                 "What happened in each planned test and what it showed, or why it was dropped"),
        ]),
        StepSection(Step.STORY, [
            Task("Tell the story", href("story"), _status(all(story_done), any(story_done)),
                 "We asked, You said, We did, So what? and What now?"),
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
