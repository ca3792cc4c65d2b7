"""Loading an engagement's commitments with everything the record and the pages show of them, in a fixed
number of queries however many commitments and updates there are."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engage.activity.models import Insight
from engage.commitments.models import Commitment
from engage.engagements.models import Idea
from engage.extensions import db


def load_commitments(engagement_id: int) -> list[Commitment]:
    """Soonest due first. The organisations are joined; insights, ideas and updates come in one query each."""
    return load_commitments_of([engagement_id])[engagement_id]


def load_commitments_of(engagement_ids: Collection[int | None]) -> dict[int | None, list[Commitment]]:
    """Each engagement's commitments, as `load_commitments`, in the same queries however many engagements."""
    loaded: dict[int | None, list[Commitment]] = {i: [] for i in engagement_ids}
    for commitment in db.session.scalars(
        select(Commitment).where(Commitment.engagement_id.in_([i for i in engagement_ids if i is not None]))
        .options(selectinload(Commitment.insights).joinedload(Insight.organisation),
                 selectinload(Commitment.ideas).joinedload(Idea.organisation),
                 selectinload(Commitment.updates))
        .order_by(Commitment.due_date, Commitment.id)).unique():
        loaded[commitment.engagement_id].append(commitment)
    return loaded
