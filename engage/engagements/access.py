"""Loading an engagement for a workspace page, with the permission check every such page needs.

Someone outside the engagement is told it does not exist (404); someone inside it without the right to
do what they asked is refused (403). Both refusals are audited.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, g, request
from sqlalchemy import select

from engage.accounts.models import User
from engage.audit.services import record
from engage.engagements import permissions
from engage.engagements.models import Engagement
from engage.extensions import db


def refuse(subject: object, reason: str) -> None:
    record("access.refused", actor=g.user, subject=subject, path=request.path[:200], reason=reason)
    db.session.commit()


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
