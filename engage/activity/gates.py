"""The activity and test results part of the `test` gate."""

from __future__ import annotations

from sqlalchemy import func, select

from engage.activity.models import Activity
from engage.engagements.models import Engagement, Step
from engage.engagements.steps import Missing, Part, gate, once_each
from engage.extensions import db
from engage.text.lengths import shortened

# How much of a planned test's "what" names it in the sentence asking for its result.
TITLE_LENGTH = 60


def activities_logged(engagement_ids: list[int | None]) -> dict[int | None, int]:
    """How many activities each engagement has logged, in one query for them all."""
    counts = dict(db.session.execute(
        select(Activity.engagement_id, func.count(Activity.id))
        .where(Activity.engagement_id.in_([i for i in engagement_ids if i is not None]))
        .group_by(Activity.engagement_id)).tuples().all())
    return {i: counts.get(i, 0) for i in engagement_ids}


@gate(Step.TEST, parts=(Part.TEST_RESULTS, Part.ACTIVITY))
def tests_resolved_and_activity_logged(engagement: Engagement) -> list[Missing]:
    missing = [Missing(f"Record a result for the test \u2018{shortened(test.what, TITLE_LENGTH, at_word=True)}\u2019, "
                       "or drop it with a reason", Part.TEST_RESULTS)
               for test in engagement.planned_tests if not test.is_resolved]
    if not engagement.planned_tests:
        # Every planned test removed since the frame step: there is no result to record until one is planned.
        missing.append(Missing("Plan at least one test", Part.TEST_RESULTS))
    if not once_each(engagement.id, "activity.logged", activities_logged):
        missing.append(Missing("Log at least one activity", Part.ACTIVITY))
    return missing
