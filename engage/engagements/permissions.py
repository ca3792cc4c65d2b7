"""Who may see and change an engagement. Views call these; nothing else decides."""

from __future__ import annotations

from engage.accounts.models import Role, User
from engage.engagements.models import Engagement, ProgressUpdate


def is_lead_member(user: User | None, engagement: Engagement) -> bool:
    return user is not None and user.is_active and user.organisation_id == engagement.lead_organisation_id


def is_collaborator_member(user: User | None, engagement: Engagement) -> bool:
    return (user is not None and user.is_active and user.organisation_id is not None
            and user.organisation_id in engagement.collaborating_organisation_ids())


def can_create_engagement(user: User | None) -> bool:
    return user is not None and user.is_active and user.role is Role.LEAD and user.organisation_id is not None


def can_edit(user: User | None, engagement: Engagement) -> bool:
    """Change the engagement itself: its challenge, level, collaborators, steps and visibility."""
    return user is not None and user.is_active and (user.role is Role.ADMIN or is_lead_member(user, engagement))


def can_contribute(user: User | None, engagement: Engagement) -> bool:
    """Add perspectives, ideas, tests, updates and story drafts."""
    return can_edit(user, engagement) or is_collaborator_member(user, engagement)


def can_view_workspace(user: User | None, engagement: Engagement) -> bool:
    return can_contribute(user, engagement)


def can_remove_update(user: User | None, engagement: Engagement, update: ProgressUpdate) -> bool:
    """Take back a progress update: the person who posted it, or whoever may change the engagement."""
    return can_edit(user, engagement) or (
        user is not None and update.author_id == user.id and can_contribute(user, engagement))
