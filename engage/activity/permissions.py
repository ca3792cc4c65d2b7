"""Who may log activity in an engagement, who may change a logged activity and its insights and for how long,
and who may unlock it. The pages and the services both ask these, so what a page offers and what the service
allows cannot drift apart."""

from __future__ import annotations

from datetime import datetime, timedelta

from engage.accounts.models import Role, User
from engage.activity.models import Activity
from engage.database import utcnow
from engage.engagements.models import Engagement

EDIT_WINDOW = timedelta(days=14)


def can_log(user: User | None, engagement: Engagement) -> bool:
    """Members of the lead organisation and of collaborating organisations log activity."""
    if user is None or not user.is_active or user.organisation_id is None:
        return False
    return user.organisation_id in engagement.collaborating_organisation_ids() | {engagement.lead_organisation_id}


def is_logger(user: User | None, activity: Activity) -> bool:
    """Only the person who logged an activity changes it or its insights."""
    return user is not None and user.id == activity.logged_by_id


def edit_window_ends(activity: Activity) -> datetime:
    """EDIT_WINDOW after it was logged (measured in UTC, so clock changes do not shorten or lengthen it), or
    later if an administrator has unlocked it until then."""
    ends = activity.created_at + EDIT_WINDOW
    if activity.unlocked_until is not None and activity.unlocked_until > ends:
        return activity.unlocked_until
    return ends


def is_locked(activity: Activity) -> bool:
    return utcnow() >= edit_window_ends(activity)


def can_edit(user: User | None, activity: Activity) -> bool:
    """The person who logged it, while their account is active and the edit window is open."""
    return user is not None and user.is_active and is_logger(user, activity) and not is_locked(activity)


def can_unlock(user: User | None, _engagement: Engagement | None = None) -> bool:
    """Administrators unlock activities, in any engagement. The engagement is taken so that a workspace page
    can load it with this rule like with its others."""
    return user is not None and user.role is Role.ADMIN


def unlocked_until() -> datetime:
    """An activity unlocked now may be changed for another EDIT_WINDOW."""
    return utcnow() + EDIT_WINDOW
