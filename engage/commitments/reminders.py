"""The `commitment-reminders` job: the lead of an engagement is reminded once when one of its commitments is due
soon, and once when it is overdue.

A commitment is open while it is planned or in progress; done and not going ahead are closed and never reminded.
It is overdue from the day after its due date, by the date in the borough (UK time), as the public record shows.

Held-back engagements are reminded too: holding a record back hides it from residents, but the promise is still
owed, and the lead is the one person who can keep it or say why not.

Each reminder's key names the commitment, the occasion, the due date and the lead: run twice, or stopped half
way and run again, the job tells nobody twice; a due date moved later is a new occasion, reminded again; and a
new lead of the engagement is told about it too.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from engage.clock import today
from engage.commitments.models import Commitment, CommitmentStatus
from engage.extensions import db
from engage.mail.footers import external_url
from engage.notifications.kinds import COMMITMENT_DUE_SOON, COMMITMENT_OVERDUE, day_count

# The milestone reminders' way of sending: everything read first, then one notification committed at a time.
from engage.notifications.reminders import Reminder, send_reminders
from engage.templating import format_date
from engage.text.lengths import shortened

OPEN = (CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS)
# An action may be 300 characters, as long as a whole subject line may be: the subject shortens it.
SUBJECT_ACTION_LENGTH = 120


def send_commitment_reminders() -> str:
    """Remind the lead of each engagement with an open commitment due within COMMITMENT_DUE_SOON_DAYS, or overdue."""
    on = today()
    soon = on + timedelta(days=current_app.config["COMMITMENT_DUE_SOON_DAYS"])
    # The engagement (and its lead, joined with it) and the responsible organisation come in the same query.
    commitments = db.session.scalars(
        select(Commitment)
        .join(Commitment.engagement)
        .options(contains_eager(Commitment.engagement))
        .where(Commitment.status.in_(OPEN), Commitment.due_date <= soon)
        .order_by(Commitment.due_date, Commitment.id)
    ).all()
    sent = send_reminders([_reminder(commitment, on) for commitment in commitments])
    return f"{sent[COMMITMENT_DUE_SOON]} due-soon and {sent[COMMITMENT_OVERDUE]} overdue commitment reminders sent"


def _reminder(commitment: Commitment, on: date) -> Reminder:
    engagement = commitment.engagement
    kind = COMMITMENT_OVERDUE if commitment.due_date < on else COMMITMENT_DUE_SOON
    due = format_date(commitment.due_date)
    if kind == COMMITMENT_OVERDUE:
        subject = f"Commitment overdue: {shortened(commitment.action, SUBJECT_ACTION_LENGTH)}"
        when = f"was due on {due}, {day_count((on - commitment.due_date).days)} ago, and is not marked as done"
        ask = ("The public record shows it as overdue. If it has been done, mark it as done. If it will take "
               "longer, post an update and move the due date. If it will not happen, mark it as not going ahead "
               "and say why.")
    else:
        subject = f"Commitment due soon: {shortened(commitment.action, SUBJECT_ACTION_LENGTH)}"
        days = (commitment.due_date - on).days
        when = f"is due on {due}" + (" (today)" if days == 0 else f" (in {day_count(days)})")
        ask = "When it is done, mark it as done. If it will take longer, post an update and move the due date."
    body = (
        f"The commitment \"{commitment.action}\" {when}.\n\n"
        f"It is a commitment of the engagement \"{engagement.title}\", which you lead; "
        f"{commitment.responsible_organisation.name} is responsible for it.\n\n"
        f"{ask}\n\n"
        f"See the commitments: {external_url('commitments.index', slug=engagement.slug)}\n"
    )
    key = (f"{kind}:commitment-{commitment.id}:due-{commitment.due_date.isoformat()}:"
           f"user-{engagement.lead_user_id}")
    return Reminder(engagement.lead_user_id, engagement.id, kind, key, subject, body)
