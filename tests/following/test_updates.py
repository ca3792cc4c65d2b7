"""The follower-updates job, with e-mail delivered through a real local SMTP server and time moved: one e-mail
for one new version, one listing several in a UK day and at most one a day, area and theme follows, only
versions published after confirming, nothing to unconfirmed or unsubscribed addresses or about held-back
engagements, nothing of other followers in an e-mail, and nothing sent twice however often it runs or wherever
it stopped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from engage.engagements import services as engagements
from engage.engagements.models import Step
from engage.extensions import db
from engage.following import updates
from engage.following.models import Follow
from engage.following.updates import send_follower_updates
from engage.mail.services import deliver_due_messages
from engage.vocabularies.models import Area, Theme
from tests.engagements.conftest import tell_story
from tests.following.conftest import (
    NEIGHBOUR,
    RESIDENT,
    follow_and_confirm,
    follow_path,
    messages_to,
    publish_change,
    sign_up,
    unsubscribe_link_in,
)
from tests.public.page_records import PublicWorld, build_world

pytestmark = pytest.mark.date_sensitive

# A weekday morning in the borough (GMT), well clear of midnight.
MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
NOTE = "Commitment 'Extend evening opening' marked done"


@pytest.fixture
def world(engagement_at, make) -> PublicWorld:
    """The public world as it stood the day before MORNING, whatever today's date: its first versions are
    older than anything the tests publish, as they would be."""
    with time_machine.travel(MORNING - timedelta(days=1)):
        return build_world(engagement_at, make)


def received(smtp_server, email: str) -> list:
    return [message for message in smtp_server.messages if message["To"] == email]


def run_and_deliver() -> str:
    summary = send_follower_updates()
    deliver_due_messages()
    return summary


def confirmed_in_the_morning(app, smtp_server, *follows: tuple[str, str]) -> list[Follow]:
    """Each (path, address) follows and confirms in the morning; the confirmations are delivered and set aside."""
    with time_machine.travel(MORNING):
        made = [follow_and_confirm(app, path, email) for path, email in follows]
        deliver_due_messages()
        smtp_server.messages.clear()
    return made


def a_change_then_the_job(world) -> str:
    """Half an hour later a new version of the completed record is published, and the job runs."""
    with time_machine.travel(MORNING + timedelta(minutes=30)):
        publish_change(world.completed, NOTE)
        return run_and_deliver()


def test_one_new_version_is_one_email_with_its_change_note_and_link(app, world, smtp_server):
    with time_machine.travel(MORNING):
        follow_and_confirm(app, follow_path("engagement", world.completed.slug))
        deliver_due_messages()  # the confirmation
        smtp_server.messages.clear()
        publish_change(world.completed, NOTE)
        assert run_and_deliver().startswith("E-mailed 1 followers about 1 new versions.")
    [message] = received(smtp_server, RESIDENT)
    assert message["Subject"] == f"Record updated: {world.completed.title}"
    body = message.get_content()
    assert world.completed.title in body and "Version 2, published 24 November 2026." in body
    assert f"What changed: {NOTE}" in body
    assert f"http://localhost/engagements/{world.completed.slug}/versions/2" in body
    assert "/follow/unsubscribe/" in body and message["List-Unsubscribe"]

    with time_machine.travel(MORNING + timedelta(hours=1)):
        assert run_and_deliver().startswith("E-mailed 0 followers")
    assert len(received(smtp_server, RESIDENT)) == 1


def test_versions_published_before_confirming_are_not_sent(app, world, smtp_server):
    with time_machine.travel(MORNING):
        publish_change(world.completed, "A correction made before anyone followed.")
    with time_machine.travel(MORNING + timedelta(minutes=5)):
        follow_and_confirm(app, follow_path("engagement", world.completed.slug))
        run_and_deliver()
    assert [m["Subject"] for m in received(smtp_server, RESIDENT)] == [
        f"Confirm you want e-mails about '{world.completed.title}'"]


def test_several_versions_in_a_day_are_one_digest_and_later_ones_wait_for_the_next_day(app, world, smtp_server):
    with time_machine.travel(MORNING, tick=False) as traveller:
        follow_and_confirm(app, follow_path("engagement", world.completed.slug))
        deliver_due_messages()
        smtp_server.messages.clear()
        for note in ("Corrected the opening hours.", NOTE, "Commitment 'Weekend clinic' started"):
            traveller.shift(timedelta(minutes=10))
            publish_change(world.completed, note)
        traveller.shift(timedelta(minutes=10))
        run_and_deliver()
        [digest] = received(smtp_server, RESIDENT)
        assert digest["Subject"] == "3 updates to records you follow"
        body = digest.get_content()
        notes = [(2, "Corrected the opening hours."), (3, NOTE), (4, "Commitment 'Weekend clinic' started")]
        for number, note in notes:
            assert f"Version {number}, published 24 November 2026." in body
            assert f"What changed: {note}" in body
            assert f"/engagements/{world.completed.slug}/versions/{number}" in body
        assert body.index("Version 2,") < body.index("Version 3,") < body.index("Version 4,")

        # Another change the same day waits: one e-mail a day at most.
        traveller.shift(timedelta(hours=3))
        publish_change(world.completed, "Commitment 'Weekend clinic' marked done")
        traveller.shift(timedelta(hours=1))
        assert "1 already had today's e-mail and wait for tomorrow" in run_and_deliver()
        assert len(received(smtp_server, RESIDENT)) == 1

        # Midnight in the borough is a new day: the waiting change comes on its own.
        traveller.move_to(datetime(2026, 11, 25, 0, 30, tzinfo=UTC))
        run_and_deliver()
    assert len(received(smtp_server, RESIDENT)) == 2
    latest = received(smtp_server, RESIDENT)[-1]
    assert latest["Subject"] == f"Record updated: {world.completed.title}"
    assert "What changed: Commitment 'Weekend clinic' marked done" in latest.get_content()


def test_the_uk_day_is_the_borough_s_in_summer_time(app, world, smtp_server):
    """23:30 UTC on a summer day is already the next day in London: a change then is a new day's e-mail."""
    with time_machine.travel(datetime(2027, 6, 10, 20, 0, tzinfo=UTC), tick=False) as traveller:
        follow_and_confirm(app, follow_path("engagement", world.completed.slug))
        traveller.shift(timedelta(minutes=5))
        publish_change(world.completed, "First change of the evening.")
        run_and_deliver()
        traveller.move_to(datetime(2027, 6, 10, 23, 30, tzinfo=UTC))
        publish_change(world.completed, "Just after midnight in London.")
        run_and_deliver()
    updates_received = [m for m in received(smtp_server, RESIDENT) if m["Subject"].startswith("Record updated")]
    assert len(updates_received) == 2


def test_area_and_theme_follows_match_and_an_area_takes_in_its_neighbourhoods(app, world, smtp_server):
    township = db.session.get(Area, world.area.parent_id)
    other_theme = db.session.scalar(select(Theme).where(Theme.id != world.theme.id, Theme.is_active.is_(True)))
    other_area = db.session.scalar(select(Area).where(Area.id.not_in([world.area.id, township.id]),
                                                      Area.parent_id.is_(None)))
    confirmed_in_the_morning(
        app, smtp_server, (follow_path("area", world.area.slug), "neighbourhood@example.org"),
        (follow_path("area", township.slug), "township@example.org"),
        (follow_path("theme", world.theme.slug), "theme@example.org"),
        (follow_path("theme", other_theme.slug), "other.theme@example.org"),
        (follow_path("area", other_area.slug), "other.area@example.org"))
    a_change_then_the_job(world)
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "neighbourhood@example.org", "theme@example.org", "township@example.org"]
    bodies = {m["To"]: m.get_content() for m in smtp_server.messages}
    assert f"e-mails about engagements in {township.name}" in bodies["township@example.org"]
    assert f"e-mails about engagements about {world.theme.name}" in bodies["theme@example.org"]


def test_a_first_publication_reaches_those_who_followed_the_engagement_in_progress(app, engagement_at, world,
                                                                                    smtp_server):
    with time_machine.travel(MORNING - timedelta(days=1)):
        engagement = engagement_at(Step.STORY, title="Community transport review")
    with time_machine.travel(MORNING):
        follow_and_confirm(app, follow_path("engagement", engagement.slug))
        tell_story(engagement, engagement.lead_user)
        engagements.move_on(engagement, actor=engagement.lead_user)
        db.session.commit()
    with time_machine.travel(MORNING + timedelta(minutes=5)):
        run_and_deliver()
    [update] = [m for m in received(smtp_server, RESIDENT) if not m["Subject"].startswith("Confirm")]
    assert update["Subject"] == "Record published: Community transport review"
    assert "First publication of the record, published 24 November 2026." in update.get_content()


def test_unconfirmed_and_unsubscribed_addresses_get_nothing(app, client, world, smtp_server):
    with time_machine.travel(MORNING):
        sign_up(client, follow_path("engagement", world.completed.slug), NEIGHBOUR)  # never confirmed
        follow_and_confirm(app, follow_path("engagement", world.completed.slug))
        follow_and_confirm(app, follow_path("engagement", world.completed.slug), "gone@example.org")
        app.test_client().post(unsubscribe_link_in(messages_to("gone@example.org")[0]))
        deliver_due_messages()
        smtp_server.messages.clear()
    a_change_then_the_job(world)
    assert [m["To"] for m in smtp_server.messages] == [RESIDENT]


def test_held_back_engagements_never_produce_emails(app, world, smtp_server):
    confirmed_in_the_morning(app, smtp_server, (follow_path("engagement", world.completed.slug), RESIDENT),
                             (follow_path("theme", world.theme.slug), NEIGHBOUR))
    engagements.set_held_back(world.completed, actor=world.completed.lead_user, held_back=True,
                              reason="A complaint is being looked into.")
    db.session.commit()
    assert a_change_then_the_job(world).startswith("E-mailed 0 followers")
    assert smtp_server.messages == []


def test_an_email_holds_nothing_of_other_followers(app, world, smtp_server):
    path = follow_path("engagement", world.completed.slug)
    confirmed_in_the_morning(app, smtp_server, (path, RESIDENT), (path, NEIGHBOUR))
    a_change_then_the_job(world)
    assert len(smtp_server.messages) == 2
    links = {email: unsubscribe_link_in(messages_to(email)[-1]) for email in (RESIDENT, NEIGHBOUR)}
    assert links[RESIDENT] != links[NEIGHBOUR]
    for message in smtp_server.messages:
        other = NEIGHBOUR if message["To"] == RESIDENT else RESIDENT
        whole = message.as_string()
        assert other not in whole and links[other] not in whole
        assert message["To"] == message["To"].strip() and "," not in message["To"]
        assert message["Cc"] is None and message["Bcc"] is None


def test_a_run_stopped_half_way_then_run_again_sends_nothing_twice_and_loses_nothing(app, world, smtp_server):
    path = follow_path("engagement", world.completed.slug)
    first, _ = confirmed_in_the_morning(app, smtp_server, (path, RESIDENT), (path, NEIGHBOUR))
    with time_machine.travel(MORNING + timedelta(minutes=30)):
        publish_change(world.completed, NOTE)
        # What a run killed after its first follower had done: that follower's e-mail queued and committed.
        waiting = updates.waiting_versions()
        assert updates._send_one(first.id, waiting[first.id])
        db.session.commit()
        # The next run finishes the job, and a third finds nothing to do.
        assert run_and_deliver().startswith("E-mailed 1 followers about 1 new versions.")
        assert run_and_deliver().startswith("E-mailed 0 followers")
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([RESIDENT, NEIGHBOUR])


def test_the_job_runs_from_the_scheduler_command(app, world, smtp_server):
    with time_machine.travel(MORNING):
        follow_and_confirm(app, follow_path("engagement", world.completed.slug))
    with time_machine.travel(MORNING + timedelta(minutes=30)):
        publish_change(world.completed, NOTE)
        result = app.test_cli_runner().invoke(args=["scheduler", "run-job", "follower-updates"])
    assert result.exit_code == 0, result.output
    assert "E-mailed 1 followers about 1 new versions." in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Follow.id).where(Follow.email == RESIDENT)) is not None
