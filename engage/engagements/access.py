"""Loading an engagement for a workspace page, with the permission check every such page needs.

Someone outside the engagement is told it does not exist (404); someone inside it without the right to
do what they asked is refused (403). Both refusals are audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, g
from sqlalchemy import select

from engage.accounts.models import User
from engage.audit.refusals import refuse
from engage.engagements import permissions
from engage.engagements.models import Engagement
from engage.extensions import db

T = TypeVar("T")


def part_of(engagement: Engagement, item: T | None, *, owner: Any, via: str = "engagement_id") -> T:
    """The item an address names inside this engagement (an agreement, activity, test, output, milestone,
    insight…), checked against what it must belong to: `owner` (the engagement, or the agreement or activity
    the address names) through the item's `via` column. One that does not exist is simply not found. One
    that exists but belongs elsewhere (another engagement's agreement reached through this engagement's
    address) is refused as if it did not exist, and audited like every other refusal."""
    if item is None:
        abort(404)
    if getattr(item, via) != owner.id:
        refuse(engagement, "not part of this engagement", kind=type(item).__name__, id=getattr(item, "id", None))
        abort(404)
    return item


def load_engagement(slug: str,
                    allowed: Callable[[User, Engagement], bool] = permissions.can_view_workspace) -> Engagement:
    engagement = db.session.scalar(select(Engagement).where(Engagement.slug == slug))
    if engagement is None:
        abort(404)
    if not permissions.can_view_workspace(g.user, engagement):
        refuse(engagement, "not a partner")
        abort(404)  # the workspace of someone else's engagement does not exist, as far as they can tell
    if not allowed(g.user, engagement):
        refuse(engagement, "not allowed")
        abort(403)
    return engagement
