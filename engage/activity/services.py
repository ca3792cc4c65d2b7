"""Logging activity and insight, recording test results, and the figures they add up to."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, select

from engage.accounts.models import User
from engage.activity.models import Activity, ActivityKind, Insight, Reach
from engage.activity.permissions import can_edit, can_log, can_unlock, unlocked_until
from engage.agreements.models import Agreement, Milestone
from engage.audit.services import record
from engage.clock import today
from engage.database import utcnow
from engage.engagements.models import Engagement, Lens, PlannedTest
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.text.markdown import markdown_problem
from engage.vocabularies.models import Area, Community, Theme

MAX_COUNT = 1_000_000


class ActivityError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class ActivityLocked(Exception):
    """The activity can no longer be edited by the person who logged it."""


@dataclass
class ActivityInput:
    occurred_on: date
    kind: ActivityKind
    title: str
    description: str
    area: Area | None
    participants: int
    volunteer_minutes: int
    staff_minutes: int
    spend_pence: int
    milestone_id: int | None
    planned_test_id: int | None
    reach: dict[int, int]


def _validate(engagement: Engagement, data: ActivityInput) -> None:
    if data.occurred_on > today():
        raise ActivityError("occurred_on", "The date of the activity must be today or in the past")
    problem = markdown_problem(data.description, "What happened")
    if problem:
        raise ActivityError("description", problem)
    for field, value in (("participants", data.participants), ("volunteer_hours", data.volunteer_minutes),
                         ("staff_hours", data.staff_minutes), ("spend", data.spend_pence)):
        if value < 0:
            raise ActivityError(field, "Enter a number that is 0 or more")
        if value > MAX_COUNT * 100:
            raise ActivityError(field, "Enter a smaller number")
    for community_id, count in data.reach.items():
        if count < 0:
            raise ActivityError("reach", "Counts of people reached must be 0 or more")
        if db.session.get(Community, community_id) is None:
            raise ActivityError("reach", "Choose communities from the list")
    if data.planned_test_id is not None:
        test = db.session.get(PlannedTest, data.planned_test_id)
        if test is None or test.engagement_id != engagement.id:
            raise ActivityError("planned_test", "Choose one of this engagement's planned tests")
    if data.milestone_id is not None:
        milestone = db.session.get(Milestone, data.milestone_id)
        agreement = db.session.get(Agreement, milestone.agreement_id) if milestone else None
        if agreement is None or agreement.engagement_id != engagement.id:
            raise ActivityError("milestone", "Choose one of this engagement's milestones")


def _apply(activity: Activity, data: ActivityInput) -> None:
    activity.occurred_on = data.occurred_on
    activity.kind = data.kind
    activity.title = data.title.strip()
    activity.description = data.description.strip()
    activity.area = data.area
    activity.participants = data.participants
    activity.volunteer_minutes = data.volunteer_minutes
    activity.staff_minutes = data.staff_minutes
    activity.spend_pence = data.spend_pence
    activity.milestone_id = data.milestone_id
    activity.planned_test_id = data.planned_test_id
    existing = {r.community_id: r for r in activity.reach}
    for community_id, count in data.reach.items():
        if count == 0 and community_id in existing:
            activity.reach.remove(existing[community_id])
        elif count > 0 and community_id in existing:
            existing[community_id].count = count
        elif count > 0:
            activity.reach.append(Reach(community_id=community_id, count=count))


def log_activity(engagement: Engagement, *, actor: User, data: ActivityInput) -> Activity:
    if not can_log(actor, engagement):
        raise ActivityError("title", "Only members of the lead or a collaborating organisation can log activity")
    _validate(engagement, data)
    activity = Activity(engagement_id=engagement.id, organisation_id=actor.organisation_id, logged_by_id=actor.id)
    _apply(activity, data)
    db.session.add(activity)
    record("activity.logged", actor=actor, subject=activity, engagement_id=engagement.id)
    return activity


def update_activity(activity: Activity, engagement: Engagement, *, actor: User, data: ActivityInput) -> None:
    if not can_edit(actor, activity):
        record("activity.edit_refused", actor=actor, subject=activity, reason="locked")
        raise ActivityLocked()
    _validate(engagement, data)
    _apply(activity, data)
    record("activity.updated", actor=actor, subject=activity)


def unlock(activity: Activity, *, actor: User) -> None:
    if not can_unlock(actor):
        raise ActivityError("activity", "Only administrators can unlock an activity")
    activity.unlocked_until = unlocked_until()
    record("activity.unlocked", actor=actor, subject=activity, until=activity.unlocked_until.isoformat())


def add_insight(activity: Activity, *, actor: User, text: str, lens: Lens, themes: list[Theme],
                organisation: Organisation | None, system_blocker: bool) -> Insight:
    if not can_edit(actor, activity):
        record("activity.edit_refused", actor=actor, subject=activity, reason="locked")
        raise ActivityLocked()
    if not text.strip():
        raise ActivityError("text", "Write the insight")
    insight = Insight(engagement_id=activity.engagement_id, text=text.strip(), lens=lens, themes=list(themes),
                      organisation=organisation, system_blocker=system_blocker)
    activity.insights.append(insight)
    record("activity.insight_added", actor=actor, subject=activity, system_blocker=system_blocker)
    return insight


def remove_insight(activity: Activity, insight: Insight, *, actor: User) -> None:
    if not can_edit(actor, activity):
        record("activity.edit_refused", actor=actor, subject=activity, reason="locked")
        raise ActivityLocked()
    activity.insights.remove(insight)
    record("activity.insight_removed", actor=actor, subject=activity)


# Test results -----------------------------------------------------------------------------------------------

def record_test_result(test: PlannedTest, *, actor: User, what_happened: str, what_it_showed: str) -> None:
    if not what_happened.strip():
        raise ActivityError("what_happened", "Say what happened")
    if not what_it_showed.strip():
        raise ActivityError("what_it_showed", "Say what it showed")
    test.result_what_happened = what_happened.strip()
    test.result_what_it_showed = what_it_showed.strip()
    test.dropped, test.dropped_reason = False, ""
    test.resolved_at, test.resolved_by_id = utcnow(), actor.id
    record("test.result_recorded", actor=actor, subject=test)


def drop_test(test: PlannedTest, *, actor: User, reason: str) -> None:
    if not reason.strip():
        raise ActivityError("reason", "Give the reason for dropping the test")
    test.dropped, test.dropped_reason = True, reason.strip()
    test.result_what_happened = test.result_what_it_showed = ""
    test.resolved_at, test.resolved_by_id = utcnow(), actor.id
    record("test.dropped", actor=actor, subject=test, reason=reason.strip())


# Figures --------------------------------------------------------------------------------------------------

class ReachCount(NamedTuple):
    group: str  # the group's label
    community: str
    count: int


@dataclass(frozen=True)
class Figures:
    activities: int
    participants: int
    volunteer_minutes: int
    staff_minutes: int
    spend_pence: int
    insights: int
    system_blockers: int
    reach: list[ReachCount]
    hourly_rate_pence: int

    @property
    def volunteer_hours(self) -> float:
        return self.volunteer_minutes / 60

    @property
    def staff_hours(self) -> float:
        return self.staff_minutes / 60

    @property
    def in_kind_pence(self) -> int:
        """Volunteer hours valued at the configured hourly rate."""
        return round(self.volunteer_minutes * self.hourly_rate_pence / 60)


def figures(engagement: Engagement) -> Figures:
    """The engagement's figures, from aggregate queries (never by loading every activity)."""
    return figures_of([engagement.id])[engagement.id]


def figures_of(engagement_ids: Collection[int | None]) -> dict[int | None, Figures]:
    """Each engagement's figures, from the same three aggregate queries however many engagements there are."""
    ids = [i for i in engagement_ids if i is not None]
    totals = {row[0]: row[1:] for row in db.session.execute(
        select(Activity.engagement_id, func.count(Activity.id), func.coalesce(func.sum(Activity.participants), 0),
               func.coalesce(func.sum(Activity.volunteer_minutes), 0),
               func.coalesce(func.sum(Activity.staff_minutes), 0), func.coalesce(func.sum(Activity.spend_pence), 0))
        .where(Activity.engagement_id.in_(ids)).group_by(Activity.engagement_id))}
    insight_totals = {row[0]: row[1:] for row in db.session.execute(
        select(Insight.engagement_id, func.count(Insight.id),
               func.coalesce(func.sum(func.cast(Insight.system_blocker, db.Integer)), 0))
        .where(Insight.engagement_id.in_(ids)).group_by(Insight.engagement_id))}
    reach: dict[int | None, list[ReachCount]] = {i: [] for i in engagement_ids}
    for engagement_id, group, name, count in db.session.execute(
        select(Activity.engagement_id, Community.group, Community.name, func.sum(Reach.count))
        .join(Reach, Reach.community_id == Community.id)
        .join(Activity, Activity.id == Reach.activity_id)
        .where(Activity.engagement_id.in_(ids))
        .group_by(Activity.engagement_id, Community.id, Community.group, Community.name, Community.position)
        .order_by(Activity.engagement_id, Community.position)
    ):
        reach[engagement_id].append(ReachCount(group.label, name, int(count)))
    rate = current_app.config["IN_KIND_HOURLY_RATE_PENCE"]
    result = {}
    for i in engagement_ids:
        activities, participants, volunteer, staff, spend = totals.get(i, (0, 0, 0, 0, 0))
        insights, blockers = insight_totals.get(i, (0, 0))
        result[i] = Figures(activities=activities, participants=int(participants), volunteer_minutes=int(volunteer),
                            staff_minutes=int(staff), spend_pence=int(spend), insights=insights,
                            system_blockers=int(blockers), reach=reach[i], hourly_rate_pence=rate)
    return result


def active_communities() -> list[Community]:
    return list(db.session.scalars(select(Community).where(Community.is_active).order_by(Community.position)))
