"""The weekly summary: one e-mail a week for each person who chose it, holding everything kept for it,
never a second one in the same week, and nothing lost or sent twice when a run is cut short."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.accounts.models import User
from engage.engagements import services as engagements
from engage.extensions import db
from engage.mail.services import deliver_due_messages
from engage.notifications import digest
from engage.notifications.digest import send_weekly_digests
from engage.notifications.models import Frequency, Notification, NotificationPreference
from engage.notifications.services import notify
from tests.factories import Factories
from tests.notifications.conftest import Clock, messages_to, notification_count, run_together

pytestmark = pytest.mark.date_sensitive


def _weekly(user: User, *kinds: str) -> None:
    for kind in kinds or ("broken_link", "quiet_engagement", "milestone_overdue", "milestone_due_soon"):
        db.session.add(NotificationPreference(user_id=user.id, kind=kind, frequency=Frequency.WEEKLY))
    db.session.commit()


def _tell(user: User, key: str, subject: str, engagement=None, kind: str = "broken_link") -> None:
    notify(user, kind=kind, key=key, subject=subject, body=f"About {subject}.\n\nSecond paragraph.",
           engagement=engagement)
    db.session.commit()


@pytest.fixture
def lead(make: Factories) -> User:
    lead = make.lead(name="Priya Shah")
    _weekly(lead)
    return lead


def test_one_summary_holds_everything_grouped_by_engagement_newest_first(lead: User, clock: Clock,
                                                                         smtp_server) -> None:
    older = engagements.open_engagement(title="Library opening hours", actor=lead)
    newer = engagements.open_engagement(title="Urgent care redesign", actor=lead)
    db.session.commit()
    _tell(lead, "1", "First about the library", older)
    clock.forward(hours=1)
    _tell(lead, "2", "About urgent care", newer)
    clock.forward(hours=1)
    _tell(lead, "3", "Second about the library", older)
    clock.forward(hours=1)
    _tell(lead, "4", "About nothing in particular")
    assert messages_to(lead.email) == []  # kept for the summary

    clock.forward(days=6)
    assert send_weekly_digests() == "1 weekly summaries sent"
    assert send_weekly_digests() == "0 weekly summaries sent"
    assert deliver_due_messages() == {"sent": 1, "retrying": 0, "failed": 0}

    [email] = smtp_server.messages
    assert email["To"] == lead.email
    assert email["Subject"] == "Your weekly summary from Co-operative Engagement"
    text = email.get_content()
    assert "Here are the 4 things you asked to hear about in a weekly summary" in text
    order = [text.index(part) for part in (
        "About nothing in particular", "Library opening hours", "Second about the library",
        "First about the library", "Urgent care redesign", "About urgent care")]
    assert order == sorted(order)
    assert f"http://localhost/workspace/{older.slug}/" in text
    assert "1 March 2027: First about the library" in text
    assert "    Second paragraph." in text
    assert text.rstrip().endswith("Choose which e-mails you get: http://localhost/account/notifications")
    db.session.expire_all()
    kept = db.session.scalars(select(Notification)).all()
    assert {n.outbox_message_id for n in kept} == {messages_to(lead.email)[0].id}
    assert all(n.digested_at is not None for n in kept)


def test_people_who_chose_straight_away_or_never_get_no_summary(make: Factories, clock: Clock) -> None:
    straight_away, never = make.lead(), make.lead()
    db.session.add(NotificationPreference(user_id=never.id, kind="broken_link", frequency=Frequency.OFF))
    db.session.commit()
    _tell(straight_away, "1", "A broken link")
    _tell(never, "2", "A broken link")
    assert send_weekly_digests() == "0 weekly summaries sent"
    assert [m.subject for m in messages_to(straight_away.email)] == ["A broken link"]
    assert messages_to(never.email) == []
    assert notification_count() == 2


def test_one_summary_for_each_person(make: Factories, lead: User, clock: Clock) -> None:
    other = make.partner()
    _weekly(other)
    _tell(lead, "1", "For the lead")
    _tell(other, "2", "For the partner")
    assert send_weekly_digests() == "2 weekly summaries sent"
    assert [m.subject for m in messages_to(lead.email)] == ["Your weekly summary from Co-operative Engagement"]
    assert "For the partner" not in messages_to(lead.email)[0].body_text
    assert "For the lead" in messages_to(lead.email)[0].body_text
    assert "For the partner" in messages_to(other.email)[0].body_text


def test_what_arrives_after_this_weeks_summary_waits_for_next_weeks(lead: User, clock: Clock) -> None:
    _tell(lead, "1", "Before the summary")
    assert send_weekly_digests() == "1 weekly summaries sent"
    clock.forward(days=2)  # Wednesday: the same week
    _tell(lead, "2", "After the summary")
    assert send_weekly_digests() == "0 weekly summaries sent, 1 already had this week's"
    assert len(messages_to(lead.email)) == 1
    clock.forward(days=5)  # the Monday after
    assert send_weekly_digests() == "1 weekly summaries sent"
    first, second = messages_to(lead.email)
    assert "After the summary" not in first.body_text
    assert "After the summary" in second.body_text and "Before the summary" not in second.body_text
    assert "Here is the 1 thing" in second.body_text


def test_a_run_killed_between_queueing_and_marking_leaves_no_trace_and_the_next_run_sends_once(
        lead: User, clock: Clock, monkeypatch) -> None:
    _tell(lead, "1", "Something to summarise")
    real_queue = digest.queue_message

    def queue_then_die(*args, **kwargs):
        real_queue(*args, **kwargs)
        db.session.flush()
        raise RuntimeError("the process was killed")

    monkeypatch.setattr(digest, "queue_message", queue_then_die)
    with pytest.raises(RuntimeError):
        send_weekly_digests()
    db.session.rollback()
    assert messages_to(lead.email) == []
    assert db.session.scalar(select(Notification.digested_at)) is None

    monkeypatch.setattr(digest, "queue_message", real_queue)
    assert send_weekly_digests() == "1 weekly summaries sent"
    assert send_weekly_digests() == "0 weekly summaries sent"
    assert len(messages_to(lead.email)) == 1


def test_a_run_killed_after_one_person_keeps_their_summary_and_sends_the_rest(
        make: Factories, lead: User, clock: Clock, monkeypatch) -> None:
    other = make.partner()
    _weekly(other)
    _tell(lead, "1", "For the lead")
    _tell(other, "2", "For the partner")
    real_send = digest._send_one
    calls: list[int] = []

    def dies_on_the_second(user_id: int) -> bool:
        calls.append(user_id)
        if len(calls) == 2:
            raise RuntimeError("the process was killed")
        return real_send(user_id)

    monkeypatch.setattr(digest, "_send_one", dies_on_the_second)
    with pytest.raises(RuntimeError):
        send_weekly_digests()
    db.session.rollback()
    monkeypatch.setattr(digest, "_send_one", real_send)
    assert send_weekly_digests() == "1 weekly summaries sent"
    assert len(messages_to(lead.email)) == 1
    assert len(messages_to(other.email)) == 1


def test_two_runs_at_once_send_one_summary(app, lead: User, clock: Clock) -> None:
    _tell(lead, "1", "Something to summarise")
    run_together(app, send_weekly_digests, send_weekly_digests)
    assert len(messages_to(lead.email)) == 1
    assert db.session.scalar(select(Notification.digested_at)) is not None


def test_an_inactive_person_gets_no_summary(lead: User, clock: Clock) -> None:
    _tell(lead, "1", "Something to summarise")
    lead.is_active = False
    db.session.commit()
    assert send_weekly_digests() == "0 weekly summaries sent"
    assert messages_to(lead.email) == []
