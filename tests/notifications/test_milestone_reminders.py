"""Milestone reminders: both signatories of a signed agreement hear once when a milestone is due soon and
once when it is overdue, however often the job runs, and again only if a variation moves the date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from engage.agreements import services as agreements
from engage.agreements.models import MilestoneStatus
from engage.engagements import services as engagements
from engage.engagements.models import CollaboratorRole
from engage.extensions import db
from engage.notifications import reminders
from engage.notifications.reminders import send_milestone_reminders
from tests.notifications.conftest import Clock, Parties, agreement, messages_to, notification_count

pytestmark = pytest.mark.date_sensitive

MARCH_10 = date(2027, 3, 10)  # nine days after the clock starts


def _reminders(parties: Parties, kind: str) -> dict[str, int]:
    return {person.email: len([m for m in messages_to(person.email) if m.subject.startswith(kind)])
            for person in (parties.lead, parties.partner)}


def test_due_soon_reminds_both_signatories_once(parties: Parties, clock: Clock) -> None:
    agreement(parties, [("First conversation", MARCH_10), ("Final report", date(2027, 6, 1))])
    assert send_milestone_reminders() == "0 due-soon and 0 overdue milestone reminders sent"  # nine days off
    clock.on(MARCH_10 - timedelta(days=7))
    assert send_milestone_reminders() == "2 due-soon and 0 overdue milestone reminders sent"
    assert send_milestone_reminders() == "0 due-soon and 0 overdue milestone reminders sent"
    clock.on(MARCH_10)
    send_milestone_reminders()
    assert _reminders(parties, "Milestone due soon") == {parties.lead.email: 1, parties.partner.email: 1}
    message = messages_to(parties.partner.email)[0]
    assert message.subject == "Milestone due soon: First conversation"
    assert "is due on 10 March 2027 (in 7 days)" in message.body_text
    assert "between Rochdale Borough Council and Common Ground" in message.body_text
    assert f"/workspace/{parties.engagement.slug}/agreements/" in message.body_text
    assert "Choose which e-mails you get: http://localhost/account/notifications" in message.body_text
    assert "Final report" not in message.body_text


def test_overdue_reminds_both_signatories_once_after_the_due_soon_reminder(parties: Parties, clock: Clock) -> None:
    agreement(parties, [("First conversation", MARCH_10)])
    clock.on(MARCH_10)
    assert send_milestone_reminders() == "2 due-soon and 0 overdue milestone reminders sent"
    clock.on(MARCH_10 + timedelta(days=1), hour=0)  # just after midnight in the borough
    assert send_milestone_reminders() == "0 due-soon and 2 overdue milestone reminders sent"
    clock.forward(days=20)
    assert send_milestone_reminders() == "0 due-soon and 0 overdue milestone reminders sent"
    assert _reminders(parties, "Milestone overdue") == {parties.lead.email: 1, parties.partner.email: 1}
    assert _reminders(parties, "Milestone due soon") == {parties.lead.email: 1, parties.partner.email: 1}
    assert "was due on 10 March 2027, 1 day ago" in messages_to(parties.lead.email)[-1].body_text


def test_the_borough_date_decides_overdue_not_utc(parties: Parties, clock: Clock) -> None:
    """In British Summer Time, half past midnight on 11 June is still 10 June in UTC."""
    agreement(parties, [("Summer fair", date(2027, 6, 10))])
    clock.on(date(2027, 6, 11), hour=0)
    clock.forward(minutes=30)
    assert send_milestone_reminders() == "0 due-soon and 2 overdue milestone reminders sent"


def test_a_run_stopped_half_way_then_run_again_tells_each_person_once(parties: Parties, clock: Clock,
                                                                      monkeypatch) -> None:
    agreement(parties, [("First conversation", MARCH_10), ("Second conversation", MARCH_10)])
    clock.on(MARCH_10 + timedelta(days=1))
    real_notify = reminders.notify
    calls = []

    def dies_after_the_first(*args, **kwargs):
        calls.append(kwargs["key"])
        if len(calls) > 1:
            raise RuntimeError("the process was killed")
        return real_notify(*args, **kwargs)

    monkeypatch.setattr(reminders, "notify", dies_after_the_first)
    with pytest.raises(RuntimeError):
        send_milestone_reminders()
    db.session.rollback()
    assert notification_count() == 1
    monkeypatch.setattr(reminders, "notify", real_notify)
    assert send_milestone_reminders() == "0 due-soon and 3 overdue milestone reminders sent"
    assert send_milestone_reminders() == "0 due-soon and 0 overdue milestone reminders sent"
    assert _reminders(parties, "Milestone overdue") == {parties.lead.email: 2, parties.partner.email: 2}
    assert notification_count() == 4


@pytest.mark.parametrize("stage", ["draft", "proposed", "closed"])
def test_agreements_not_in_force_are_not_reminded(parties: Parties, clock: Clock, stage: str) -> None:
    made = agreement(parties, [("First conversation", MARCH_10)], propose=stage != "draft", sign=stage == "closed")
    if stage == "closed":
        agreements.close(made, actor=parties.lead, reason="The partner has withdrawn.")
        db.session.commit()
    clock.on(MARCH_10 + timedelta(days=1))
    assert send_milestone_reminders() == "0 due-soon and 0 overdue milestone reminders sent"
    assert notification_count() == 0


@pytest.mark.parametrize("status", [MilestoneStatus.DONE, MilestoneStatus.MISSED])
def test_done_and_missed_milestones_are_not_reminded(parties: Parties, clock: Clock,
                                                     status: MilestoneStatus) -> None:
    made = agreement(parties, [("First conversation", MARCH_10), ("Second conversation", MARCH_10)])
    agreements.set_milestone_status(made.milestones[0], actor=parties.partner, status=status)
    db.session.commit()
    clock.on(MARCH_10 + timedelta(days=1))
    assert send_milestone_reminders() == "0 due-soon and 2 overdue milestone reminders sent"
    assert all("Second conversation" in m.subject for m in messages_to(parties.partner.email))


def test_an_inactive_signatory_is_not_reminded(parties: Parties, clock: Clock) -> None:
    agreement(parties, [("First conversation", MARCH_10)])
    parties.partner.is_active = False
    db.session.commit()
    clock.on(MARCH_10 + timedelta(days=1))
    assert send_milestone_reminders() == "0 due-soon and 1 overdue milestone reminders sent"
    assert messages_to(parties.partner.email) == []


def test_a_varied_agreement_no_longer_counts_and_a_moved_date_is_reminded_again(parties: Parties,
                                                                                clock: Clock) -> None:
    original = agreement(parties, [("First conversation", MARCH_10)])
    clock.on(MARCH_10 + timedelta(days=1))
    assert send_milestone_reminders() == "0 due-soon and 2 overdue milestone reminders sent"

    # The date moves to April in a variation: the original (now varied) is overdue no longer.
    agreement(parties, [("First conversation", date(2027, 4, 20))], varies=original)
    assert send_milestone_reminders() == "0 due-soon and 0 overdue milestone reminders sent"
    clock.on(date(2027, 4, 21))
    assert send_milestone_reminders() == "0 due-soon and 2 overdue milestone reminders sent"
    assert _reminders(parties, "Milestone overdue") == {parties.lead.email: 2, parties.partner.email: 2}
    assert "was due on 20 April 2027" in messages_to(parties.partner.email)[-1].body_text


def test_a_variation_that_keeps_the_date_does_not_remind_again(parties: Parties, clock: Clock) -> None:
    original = agreement(parties, [("First conversation", MARCH_10)])
    clock.on(MARCH_10 + timedelta(days=1))
    send_milestone_reminders()
    agreement(parties, [("First conversation", MARCH_10)], varies=original)
    assert send_milestone_reminders() == "0 due-soon and 0 overdue milestone reminders sent"
    assert notification_count() == 2


def test_the_query_count_does_not_grow_with_the_milestones(parties: Parties, clock: Clock) -> None:
    # Three agreements, on three engagements, so that anything loaded per agreement would show.
    for n in range(3):
        engagement = parties.engagement if n == 0 else engagements.open_engagement(
            title=f"Engagement {n}", actor=parties.lead)
        if n:
            engagements.add_collaborator(engagement, actor=parties.lead, organisation=parties.charity,
                                         role=CollaboratorRole.VCFSE_PARTNER)
            db.session.commit()
        agreement(replace(parties, engagement=engagement), [(f"Conversation {n}.{m}", MARCH_10) for m in range(2)])
    clock.on(MARCH_10 + timedelta(days=1))
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    def run() -> str:
        statements.clear()
        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            return send_milestone_reminders()
        finally:
            event.remove(db.engine, "before_cursor_execute", count)

    assert run() == "0 due-soon and 12 overdue milestone reminders sent"
    # One query finds the milestones with their agreements, engagements, organisations and signatories;
    # notify() then reads, for each person, their preference.
    assert len([s for s in statements if "agreement" in s]) == 1
    assert not [s for s in statements if " FROM organisations" in s]
    assert notification_count() == 12
    # Once everyone has been told, a run is two queries however many milestones there are.
    assert run() == "0 due-soon and 0 overdue milestone reminders sent"
    assert len(statements) == 2
