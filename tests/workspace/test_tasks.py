"""The task list reads from the gates which of its parts are done: a task is completed exactly when the gate of
its step finds nothing missing in it, at every step."""

from __future__ import annotations

import pytest

from engage.engagements import services as engagements
from engage.engagements import steps
from engage.engagements.models import Engagement, Step
from engage.engagements.steps import Part
from engage.extensions import db
from engage.workspace import tasks

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

TASK_OF = {
    Part.CHALLENGE: "Describe the challenge", Part.HOOKS: "Add the hooks", Part.LEVEL: "Choose the level of engagement",
    Part.COLLABORATORS: "Gather collaborators", Part.AGREEMENT: "Agree expectations",
    Part.PERSPECTIVES: "Frame the challenge", Part.IDEAS: "Explore potential solutions",
    Part.PLANNED_TESTS: "Plan tests",
    Part.ACTIVITY: "Log activity", Part.TEST_RESULTS: "Record test results", Part.STORY: "Tell the story",
}


def _statuses(app, engagement: Engagement) -> dict[str, str]:
    with app.test_request_context():
        return {task.title: task.status for section in tasks.sections(engagement) for task in section.tasks}


def _open_in_gates(engagement: Engagement) -> set[Part]:
    return {item.part for step in Step for item in steps.missing_items(engagement, step) if item.part is not None}


def test_every_part_the_gates_decide_has_a_task():
    assert set(TASK_OF) == set(Part)


@pytest.mark.parametrize("step", [Step.CHALLENGE, Step.COLLABORATORS, Step.FRAME, Step.TEST, Step.STORY,
                                  Step.COMPLETED])
def test_a_task_is_completed_exactly_when_its_gate_finds_nothing_missing_in_it(app, engagement_at, step):
    engagement = engagement_at(step)
    statuses = _statuses(app, engagement)
    still_open = _open_in_gates(engagement)

    assert {part: statuses[title] == tasks.COMPLETED for part, title in TASK_OF.items()} == {
        part: part not in still_open for part in TASK_OF}


def test_with_every_planned_test_removed_the_test_step_asks_for_one_and_its_results_are_not_done(app, engagement_at):
    engagement = engagement_at(Step.TEST)
    for test in list(engagement.planned_tests):
        engagements.remove_contribution(engagement, test, actor=engagement.lead_user)
    db.session.commit()

    assert "Plan at least one test" in steps.missing_to_leave(engagement)
    with pytest.raises(engagements.GateClosed):
        engagements.move_on(engagement, actor=engagement.lead_user)
    db.session.rollback()
    statuses = _statuses(app, engagement)
    assert statuses["Record test results"] == tasks.NOT_STARTED
    assert statuses["Plan tests"] == tasks.NOT_STARTED
