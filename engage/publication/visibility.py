"""What residents can see (BRIEF §6.1), defined once: in Python for one engagement, in SQL for queries.

An engagement is public from the moment it leaves the first step, unless it is held back (with a recorded
reason). Under way, residents see its in-progress record, built live; once completed, they see its latest
published version, so a completed engagement without one (its first version is published as it is completed)
has nothing to show and is left out of every list.

Whether residents can see it is stored on the engagement (`listed`, kept by `publication.listing` as each
change is flushed), so that every list filters on an index; `public_condition` is the rule it is worked out by.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select, true
from sqlalchemy.orm import aliased

from engage.engagements.models import Engagement, Step
from engage.extensions import db
from engage.publication.models import PublishedVersion


def is_public(engagement: Engagement) -> bool:
    """Past the first step and not held back: its record, whichever it is, is for residents to see, and what
    happens to it (a step change, a signed agreement, a new version) may be announced outside the service."""
    return engagement.current_step is not Step.CHALLENGE and not engagement.held_back


def is_public_clause() -> ColumnElement[bool]:
    """The SQL form of `is_public`, and a completed engagement only once it has a version to show: as stored,
    up to date with everything flushed in this transaction."""
    return Engagement.listed == true()


def public_condition() -> ColumnElement[bool]:
    """What `is_public_clause` stores, worked out from the engagement's own columns and its versions."""
    # An alias, so that the clause still correlates to the engagement in a query that selects versions.
    version = aliased(PublishedVersion)
    has_version = exists().where(version.engagement_id == Engagement.id)
    return and_(Engagement.current_step != Step.CHALLENGE, Engagement.held_back.is_(False),
                or_(Engagement.current_step != Step.COMPLETED, has_version))


def residents_can_open(engagement: Engagement) -> bool:
    """Whether the engagement's public page exists now: `is_public_clause`, asked of this one engagement."""
    return bool(db.session.scalar(select(exists().where(Engagement.id == engagement.id, is_public_clause()))))
