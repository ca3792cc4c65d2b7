"""The quiet-engagement nudge: the lead hears once per quiet spell, counted from the last sign of life
(an activity logged, a progress update, a change of step, or the engagement being opened)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, update

from engage.engagements import services as engagements
from engage.engagements.models import Engagement, Step
from engage.extensions import db
from engage.notifications.reminders import nudge_quiet_engagements
from tests.engagements.conftest import describe_challenge
from tests.factories import Factories, log_activity
from tests.notifications.conftest import Clock, Parties, messages_to, notification_count

pytestmark = pytest.mark.date_sensitive


def _nudges(address: str) -> int:
    return len([m for m in messages_to(address) if m.subject.startswith("No activity for")])


def test_an_engagement_quiet_for_thirty_days_is_nudged_once(parties: Parties, clock: Clock) -> None:
    clock.forward(days=29, hours=23)
    assert nudge_quiet_engagements() == "0 quiet engagement nudges sent (0 engagements quiet)"
    clock.forward(hours=2)
    assert nudge_quiet_engagements() == "1 quiet engagement nudges sent (1 engagements quiet)"
    clock.forward(days=10)
    assert nudge_quiet_engagements() == "0 quiet engagement nudges sent (1 engagements quiet)"
    assert _nudges(parties.lead.email) == 1
    assert messages_to(parties.partner.email) == []  # the partner is not the lead
    message = messages_to(parties.lead.email)[0]
    assert message.subject == "No activity for 30 days: Urgent care redesign"
    assert "since 1 March 2027" in message.body_text
    assert f"http://localhost/workspace/{parties.engagement.slug}/" in message.body_text
    assert "Choose which e-mails you get: http://localhost/account/notifications" in message.body_text


def test_new_activity_ends_the_spell_and_a_new_spell_is_nudged_again(parties: Parties, clock: Clock) -> None:
    clock.forward(days=31)
    nudge_quiet_engagements()
    clock.on(date(2027, 4, 15))
    log_activity(parties.engagement, partner=parties.partner)
    clock.forward(days=20)
    assert nudge_quiet_engagements() == "0 quiet engagement nudges sent (0 engagements quiet)"
    clock.forward(days=11)
    assert nudge_quiet_engagements() == "1 quiet engagement nudges sent (1 engagements quiet)"
    nudge_quiet_engagements()
    assert _nudges(parties.lead.email) == 2
    assert "since 15 April 2027" in messages_to(parties.lead.email)[-1].body_text


def test_a_progress_update_or_a_change_of_step_is_a_sign_of_life(parties: Parties, clock: Clock) -> None:
    clock.forward(days=20)
    engagements.post_update(parties.engagement, actor=parties.lead, body="Waiting for the board to meet.")
    db.session.commit()
    clock.forward(days=20)
    assert nudge_quiet_engagements() == "0 quiet engagement nudges sent (0 engagements quiet)"
    describe_challenge(parties.engagement, parties.lead)
    engagements.move_on(parties.engagement, actor=parties.lead)
    db.session.commit()
    clock.forward(days=25)
    assert nudge_quiet_engagements() == "0 quiet engagement nudges sent (0 engagements quiet)"
    clock.forward(days=6)
    assert nudge_quiet_engagements() == "1 quiet engagement nudges sent (1 engagements quiet)"
    assert "since 10 April 2027" in messages_to(parties.lead.email)[-1].body_text


def test_completed_engagements_are_never_nudged(parties: Parties, clock: Clock) -> None:
    # Completing needs the whole journey and a publication; the step alone is what the job looks at.
    db.session.execute(update(Engagement).where(Engagement.id == parties.engagement.id)
                       .values(current_step=Step.COMPLETED))
    db.session.commit()
    clock.forward(days=90)
    assert nudge_quiet_engagements() == "0 quiet engagement nudges sent (0 engagements quiet)"


def test_an_inactive_lead_is_not_nudged(parties: Parties, clock: Clock) -> None:
    parties.lead.is_active = False
    db.session.commit()
    clock.forward(days=31)
    assert nudge_quiet_engagements() == "0 quiet engagement nudges sent (1 engagements quiet)"
    assert notification_count() == 0


def test_one_query_finds_every_quiet_engagement(make: Factories, clock: Clock) -> None:
    for n in range(5):
        lead = make.lead()
        engagement = engagements.open_engagement(title=f"Engagement {n}", actor=lead)
        engagements.post_update(engagement, actor=lead, body="Started.")
        db.session.commit()
        log_activity(engagement, partner=lead)
    clock.forward(days=31)
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert nudge_quiet_engagements() == "5 quiet engagement nudges sent (5 engagements quiet)"
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if "progress_updates" in s or "activities" in s]) == 1
