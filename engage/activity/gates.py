"""The activity and test results part of the `test` gate."""

from __future__ import annotations

from sqlalchemy import func, select

from engage.activity.models import Activity
from engage.engagements.models import Engagement, Step
from engage.engagements.steps import gate
from engage.extensions import db


@gate(Step.TEST)
def tests_resolved_and_activity_logged(engagement: Engagement) -> list[str]:
    missing = [f"Record a result for the test \u2018{test.what[:60]}\u2019, or drop it with a reason"
               for test in engagement.planned_tests if not test.is_resolved]
    activities = 0 if engagement.id is None else db.session.scalar(
        select(func.count(Activity.id)).where(Activity.engagement_id == engagement.id))
    if not activities:
        missing.append("Log at least one activity")
    return missing
