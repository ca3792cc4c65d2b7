"""Commitment reminders: the engagement's lead hears once when an open commitment is due soon and once when it
is overdue (by the borough's date), however often the job runs; again only if the due date moves; never about a
commitment that is done or not going ahead. The e-mails go through a real SMTP server on loopback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from engage.accounts.models import User
from engage.commitments.models import Commitment, CommitmentStatus
from engage.commitments.reminders import send_commitment_reminders
from engage.engagements.models import Engagement, Level, Step
from engage.extensions import db
from engage.mail.services import deliver_due_messages_job
from engage.notifications.models import Frequency, NotificationPreference
from engage.organisations.models import Organisation, OrganisationKind
from tests.factories import Factories, sign_in
from tests.notifications import conftest as notifications
from tests.notifications.conftest import Clock, messages_to, notification_count

pytestmark = pytest.mark.date_sensitive

# The notifications tests' clock, from 9am on Monday 1 March 2027 in the borough; autouse, so it starts first.
clock = notifications.clock

DUE = date(2027, 4, 1)  # 31 days after the clock starts, on 1 March 2027
NONE_SENT = "0 due-soon and 0 overdue commitment reminders sent"


@dataclass
class Place:
    lead: User
    council: Organisation
    charity: Organisation
    engagement: Engagement


def _engagement(lead: User, council: Organisation, n: int, *, held_back: bool = False) -> Engagement:
    engagement = Engagement(slug=f"evening-opening-{n}", title=f"Evening opening {n}", lead_organisation_id=council.id,
                            lead_user_id=lead.id, summary="Opening the library later.", current_step=Step.COMPLETED,
                            level=Level.CO_DESIGN, held_back=held_back,
                            held_back_reason="Waiting for the board." if held_back else "")
    db.session.add(engagement)
    db.session.commit()
    return engagement


@pytest.fixture
def place(make: Factories) -> Place:
    council = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR, name="Northbrook Council")
    charity = make.organisation(name="Common Ground")
    lead = make.lead(organisation=council, name="Lena Lead", email="lena@example.org")
    return Place(lead, council, charity, _engagement(lead, council, 1))


def commit_to(place: Place, action: str, due: date, *, engagement: Engagement | None = None,
              status: CommitmentStatus = CommitmentStatus.PLANNED) -> Commitment:
    closed = {CommitmentStatus.DONE: {"done_on": due - timedelta(days=3)},
              CommitmentStatus.NOT_GOING_AHEAD: {"reason": "The budget was cut."}}
    commitment = Commitment(engagement_id=(engagement or place.engagement).id, action=action,
                            responsible_organisation_id=place.charity.id, due_date=due, status=status,
                            created_by_id=place.lead.id, **closed.get(status, {}))
    db.session.add(commitment)
    db.session.commit()
    return commitment


def subjects(place: Place) -> list[str]:
    return [m.subject for m in messages_to(place.lead.email)]


def test_due_soon_reminds_the_lead_once_by_e_mail(place: Place, clock: Clock, smtp_server) -> None:
    commit_to(place, "Open the library until 8pm on Thursdays", DUE)
    commit_to(place, "Report back to the residents' forum", date(2027, 9, 1))
    assert send_commitment_reminders() == NONE_SENT  # 31 days off
    clock.on(DUE - timedelta(days=14))
    assert send_commitment_reminders() == "1 due-soon and 0 overdue commitment reminders sent"
    assert send_commitment_reminders() == NONE_SENT
    clock.on(DUE)
    assert send_commitment_reminders() == NONE_SENT
    assert subjects(place) == ["Commitment due soon: Open the library until 8pm on Thursdays"]

    deliver_due_messages_job()
    [received] = smtp_server.messages
    assert received["To"] == "lena@example.org"
    assert received["Subject"] == "Commitment due soon: Open the library until 8pm on Thursdays"
    body = received.get_content().replace("\r\n", "\n")
    assert "is due on 1 April 2027 (in 14 days)" in body
    assert "the engagement \"Evening opening 1\", which you lead; Common Ground is responsible for it" in body
    assert f"See the commitments: http://localhost/workspace/{place.engagement.slug}/commitments\n" in body
    assert "We e-mail you when a commitment (what will happen next) on an engagement you lead is due within 14 days" \
        in body
    assert "Choose which e-mails you get: http://localhost/account/notifications" in body
    assert "Report back" not in body


def test_overdue_reminds_once_after_the_due_soon_reminder(place: Place, clock: Clock, smtp_server) -> None:
    commit_to(place, "Open the library until 8pm on Thursdays", DUE)
    clock.on(DUE)
    assert send_commitment_reminders() == "1 due-soon and 0 overdue commitment reminders sent"
    clock.on(DUE + timedelta(days=1), hour=0)  # just after midnight in the borough
    assert send_commitment_reminders() == "0 due-soon and 1 overdue commitment reminders sent"
    clock.forward(days=40)
    assert send_commitment_reminders() == NONE_SENT
    assert subjects(place) == ["Commitment due soon: Open the library until 8pm on Thursdays",
                               "Commitment overdue: Open the library until 8pm on Thursdays"]
    deliver_due_messages_job()
    assert [m["Subject"] for m in smtp_server.messages] == subjects(place)
    overdue = smtp_server.messages[1].get_content()
    assert "was due on 1 April 2027, 1 day ago, and is not marked as done" in overdue
    assert "The public record shows it as overdue." in overdue


def test_the_borough_date_decides_overdue_not_utc(place: Place, clock: Clock) -> None:
    """In British Summer Time, half past midnight on 2 June is still 1 June in UTC."""
    commit_to(place, "Summer reading scheme", date(2027, 6, 1))
    clock.on(date(2027, 6, 2), hour=0)
    clock.forward(minutes=30)
    assert send_commitment_reminders() == "0 due-soon and 1 overdue commitment reminders sent"


def test_a_run_stopped_half_way_then_run_again_tells_the_lead_of_each_once(place: Place, clock: Clock,
                                                                           smtp_server) -> None:
    for action in ("First promise", "Second promise", "Third promise"):
        commit_to(place, action, DUE)
    clock.on(DUE + timedelta(days=1))
    outbox_inserts = []

    def killed_at_the_second_e_mail(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX_MESSAGES"):
            outbox_inserts.append(statement)
            if len(outbox_inserts) == 2:
                raise RuntimeError("the process was killed")

    event.listen(db.engine, "before_cursor_execute", killed_at_the_second_e_mail)
    try:
        with pytest.raises(RuntimeError):
            send_commitment_reminders()
    finally:
        event.remove(db.engine, "before_cursor_execute", killed_at_the_second_e_mail)
    db.session.rollback()
    # The first reminder was committed with its e-mail; the second, half made, was not kept at all.
    assert notification_count() == 1 and len(messages_to(place.lead.email)) == 1
    assert send_commitment_reminders() == "0 due-soon and 2 overdue commitment reminders sent"
    assert send_commitment_reminders() == NONE_SENT
    deliver_due_messages_job()
    assert sorted(m["Subject"] for m in smtp_server.messages) == [
        "Commitment overdue: First promise", "Commitment overdue: Second promise", "Commitment overdue: Third promise"]


@pytest.mark.parametrize("status", [CommitmentStatus.DONE, CommitmentStatus.NOT_GOING_AHEAD])
def test_closed_commitments_are_never_reminded(place: Place, clock: Clock, status: CommitmentStatus) -> None:
    commit_to(place, "Closed promise", DUE, status=status)
    commit_to(place, "Open promise", DUE, status=CommitmentStatus.IN_PROGRESS)
    for day in (DUE - timedelta(days=14), DUE, DUE + timedelta(days=1), DUE + timedelta(days=60)):
        clock.on(day)
        send_commitment_reminders()
    assert subjects(place) == ["Commitment due soon: Open promise", "Commitment overdue: Open promise"]


def test_a_commitment_closed_after_its_due_soon_reminder_is_not_reminded_as_overdue(place: Place,
                                                                                    clock: Clock) -> None:
    commitment = commit_to(place, "Open the library until 8pm on Thursdays", DUE)
    clock.on(DUE - timedelta(days=2))
    send_commitment_reminders()
    commitment.status, commitment.done_on = CommitmentStatus.DONE, DUE - timedelta(days=1)
    db.session.commit()
    clock.on(DUE + timedelta(days=1))
    assert send_commitment_reminders() == NONE_SENT
    assert notification_count() == 1


def test_a_due_date_moved_later_is_reminded_again(place: Place, clock: Clock) -> None:
    commitment = commit_to(place, "Open the library until 8pm on Thursdays", DUE)
    clock.on(DUE + timedelta(days=1))
    assert send_commitment_reminders() == "0 due-soon and 1 overdue commitment reminders sent"
    # The lead moves the date to June: nothing to say until it is near again.
    commitment.due_date = date(2027, 6, 1)
    db.session.commit()
    assert send_commitment_reminders() == NONE_SENT
    clock.on(date(2027, 5, 25))
    assert send_commitment_reminders() == "1 due-soon and 0 overdue commitment reminders sent"
    clock.on(date(2027, 6, 2))
    assert send_commitment_reminders() == "0 due-soon and 1 overdue commitment reminders sent"
    assert send_commitment_reminders() == NONE_SENT
    overdue = messages_to(place.lead.email)[-1]
    assert "was due on 1 June 2027, 1 day ago" in overdue.body_text
    assert notification_count(kind="commitment_overdue") == 2


def test_a_held_back_engagement_is_still_reminded(place: Place, clock: Clock) -> None:
    # Held back from residents, the commitment is still owed; only its lead is told.
    held = _engagement(place.lead, place.council, 2, held_back=True)
    commit_to(place, "Promise on a held-back record", DUE, engagement=held)
    clock.on(DUE + timedelta(days=1))
    assert send_commitment_reminders() == "0 due-soon and 1 overdue commitment reminders sent"


def test_an_inactive_lead_is_not_reminded(place: Place, clock: Clock) -> None:
    commit_to(place, "Open the library until 8pm on Thursdays", DUE)
    place.lead.is_active = False
    db.session.commit()
    clock.on(DUE + timedelta(days=1))
    assert send_commitment_reminders() == NONE_SENT
    assert messages_to(place.lead.email) == []


def test_a_lead_who_chose_the_weekly_summary_gets_no_e_mail_now(place: Place, clock: Clock) -> None:
    db.session.add(NotificationPreference(user_id=place.lead.id, kind="commitment_overdue",
                                          frequency=Frequency.WEEKLY))
    db.session.commit()
    commit_to(place, "Open the library until 8pm on Thursdays", DUE)
    clock.on(DUE + timedelta(days=1))
    assert send_commitment_reminders() == "0 due-soon and 1 overdue commitment reminders sent"
    assert messages_to(place.lead.email) == []
    assert notification_count(kind="commitment_overdue", frequency=Frequency.WEEKLY) == 1


def test_a_long_action_is_shortened_in_the_subject_and_kept_whole_in_the_body(place: Place, clock: Clock) -> None:
    action = "Extend the evening opening " + "and more " * 30
    commit_to(place, action[:300], DUE)
    clock.on(DUE + timedelta(days=1))
    assert send_commitment_reminders() == "0 due-soon and 1 overdue commitment reminders sent"
    [message] = messages_to(place.lead.email)
    assert len(message.subject) <= 150 and message.subject.endswith("\u2026")
    assert action[:300] in message.body_text


def test_the_preferences_page_lists_the_new_kinds(app, place: Place) -> None:
    browser = app.test_client()
    sign_in(browser, place.lead)
    page = browser.get("/account/notifications").get_data(as_text=True)
    assert "Commitments due soon" in page and "Overdue commitments" in page
    assert "A commitment (what will happen next) on an engagement you lead is due within 14 days" in page


def test_the_query_count_does_not_grow_with_the_commitments(place: Place, clock: Clock) -> None:
    # Three engagements, each with two commitments, so that anything loaded per commitment or engagement would show.
    for n in range(3):
        engagement = place.engagement if n == 0 else _engagement(place.lead, place.council, n + 1)
        for m in range(2):
            commit_to(place, f"Promise {n}.{m}", DUE, engagement=engagement)
    clock.on(DUE + timedelta(days=1))

    summary, statements = _selects_of(send_commitment_reminders)
    assert summary == "0 due-soon and 6 overdue commitment reminders sent"
    # One query finds the commitments with their engagements and organisations.
    assert len([s for s in statements if "FROM commitments" in s]) == 1
    assert not [s for s in statements if "FROM organisations" in s]
    # Once the lead has been told, a run is two queries however many commitments there are.
    summary, statements = _selects_of(send_commitment_reminders)
    assert (summary, len(statements)) == (NONE_SENT, 2)


def _selects_of(job) -> tuple[str, list[str]]:
    """What the job says, and the SELECT statements it ran, starting from a session that has forgotten all."""
    seen: list[str] = []

    def note(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        return job(), seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
