"""The keys the public lists filter and sort on are stored on each engagement (`publication.listing`): after
any mix of changes, made through the services, they are exactly what the rules work out from the rows."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import case, select

from engage.database import utcnow
from engage.engagements import services as engagements
from engage.engagements.models import Engagement, Step
from engage.extensions import db
from engage.publication import listing
from engage.publication import services as publishing
from engage.publication.visibility import public_condition
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.public.page_records import build_world

pytestmark = pytest.mark.date_sensitive


def stored_and_worked_out() -> list[tuple]:
    """For each engagement: its stored keys, and the keys as the rules work them out."""
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(
        select(Engagement.id, Engagement.listed, case((public_condition(), True), else_=False),
               Engagement.last_public_change_at, listing.last_public_change(),
               Engagement.first_published_at, listing.first_published()).order_by(Engagement.id))]


def assert_keys_right() -> None:
    for id_, listed, rule_listed, last, rule_last, first, rule_first in stored_and_worked_out():
        assert bool(listed) == bool(rule_listed), f"engagement {id_}: listed"
        assert last == rule_last, f"engagement {id_}: last public change"
        assert first == rule_first, f"engagement {id_}: first published"


@pytest.fixture
def world(engagement_at, make):  # noqa: F811 - the fixture imported above
    return build_world(engagement_at, make)


def _hold_back(engagement: Engagement) -> None:
    engagements.set_held_back(engagement, actor=engagement.lead_user, held_back=not engagement.held_back,
                              reason="A safeguarding review is under way.")


def _step_back(engagement: Engagement) -> None:
    if engagement.current_step not in (Step.CHALLENGE, Step.COMPLETED):
        engagements.step_back(engagement, actor=engagement.lead_user, reason="Another round of conversations.")


def _move_on(engagement: Engagement) -> None:
    with contextlib.suppress(engagements.GateClosed):  # not ready to move on: nothing changes
        engagements.move_on(engagement, actor=engagement.lead_user)


def _update(engagement: Engagement) -> None:
    if engagement.current_step is not Step.COMPLETED:
        engagements.post_update(engagement, actor=engagement.lead_user, body="Another drop-in this week.")


def _correct(engagement: Engagement) -> None:
    if engagement.current_step is Step.COMPLETED:
        publishing.publish(engagement, actor=engagement.lead_user, change_note="A date corrected.")


ACTIONS = {"hold back or release": _hold_back, "step back": _step_back, "move on": _move_on,
           "post an update": _update, "publish a correction": _correct}


@settings(max_examples=25, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(sorted(ACTIONS)), st.integers(0, 3)), min_size=1, max_size=6))
def test_the_stored_keys_are_what_the_rules_work_out_after_any_changes(world, time_machine, steps):
    engagements_in_world = [world.completed, world.in_progress, world.held_back, world.at_challenge]
    for action, which in steps:
        time_machine.move_to(utcnow() + timedelta(minutes=5), tick=False)  # each change a time of its own
        ACTIONS[action](engagements_in_world[which])
        db.session.commit()
        assert_keys_right()


def test_the_keys_are_right_within_the_transaction_that_changes_them(world):
    engagements.set_held_back(world.in_progress, actor=world.in_progress.lead_user, held_back=True,
                              reason="A safeguarding review is under way.")
    db.session.flush()

    assert world.in_progress.listed is False
    assert db.session.scalar(select(Engagement.listed).where(Engagement.id == world.in_progress.id)) is False
    db.session.rollback()


def test_refresh_all_puts_right_keys_written_without_the_session(world):
    db.session.execute(Engagement.__table__.update().values(listed=False, last_public_change_at=None),
                       execution_options={"changes_nothing": True})  # as a bulk loader would leave them
    db.session.commit()
    listing.refresh_all(db.session.connection())
    db.session.commit()

    assert_keys_right()
    assert db.session.scalar(select(Engagement.listed).where(Engagement.id == world.completed.id)) is True
