"""Scheduled reminders: agreement milestones due soon or overdue, and engagements that have gone quiet.

Each job commits after each notification, and each notification's key names its occasion, so a job
that runs twice, or is stopped half way and run again, tells nobody twice and forgets nobody.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from engage.accounts.models import User
from engage.activity.models import Activity
from engage.agreements.models import Agreement, AgreementStatus, Milestone, MilestoneStatus
from engage.clock import LONDON, today
from engage.database import utcnow
from engage.engagements.models import Engagement, ProgressUpdate, Step, StepChange
from engage.extensions import db
from engage.mail.footers import external_url
from engage.notifications.kinds import DUE_SOON, OVERDUE, QUIET, day_count
from engage.notifications.models import Notification
from engage.notifications.services import notify
from engage.templating import format_date

OPEN_MILESTONE = (MilestoneStatus.NOT_STARTED, MilestoneStatus.IN_PROGRESS)


# Milestones ---------------------------------------------------------------------------------------------

def send_milestone_reminders() -> str:
    """Remind both signatories of each open milestone of a signed agreement that is due soon or overdue."""
    on = today()
    soon = on + timedelta(days=current_app.config["MILESTONE_DUE_SOON_DAYS"])
    # Only agreements in force: a varied agreement's milestones live on in its variation, and a closed one's
    # are no longer owed. The agreement's signatories and engagement come in the same query.
    milestones = db.session.scalars(
        select(Milestone)
        .join(Milestone.agreement)
        .options(contains_eager(Milestone.agreement))
        .where(Agreement.status == AgreementStatus.SIGNED, Milestone.status.in_(OPEN_MILESTONE),
               Milestone.due_date <= soon)
        .order_by(Milestone.due_date, Milestone.id)
    ).all()
    reminders = [_reminder(user, milestone, on) for milestone in milestones
                 for user in _signatories(milestone.agreement)]
    sent = send_reminders(reminders)
    return f"{sent[DUE_SOON]} due-soon and {sent[OVERDUE]} overdue milestone reminders sent"


@dataclass(frozen=True)
class Reminder:
    """One notification to make, written out in full before any is made."""

    user_id: int
    engagement_id: int
    kind: str
    key: str
    subject: str
    body: str


def send_reminders(messages: list[Reminder]) -> Counter[str]:
    """Notify each, committing after each. Everything was read before the first commit, which expires what
    the session holds: reading it afterwards would fetch each milestone and engagement again, one by one."""
    # Most runs find most people already told (an overdue milestone stays overdue from one hour to the next):
    # one query sets those aside, rather than reloading the person and the engagement to ask notify() each time.
    told = set(db.session.scalars(
        select(Notification.idempotency_key).where(Notification.idempotency_key.in_([m.key for m in messages]))))
    sent: Counter[str] = Counter()
    for message in messages:
        if message.key in told:
            continue
        user = db.session.get(User, message.user_id)
        engagement = db.session.get(Engagement, message.engagement_id)
        if notify(user, kind=message.kind, key=message.key, subject=message.subject, body=message.body,
                  engagement=engagement) is not None:
            sent[message.kind] += 1
        db.session.commit()
    return sent


def _signatories(agreement: Agreement) -> list[User]:
    people = [agreement.public_signatory, agreement.vcfse_signatory]
    return [person for person in people if person is not None]


def _milestone_key(kind: str, milestone: Milestone, user: User) -> str:
    """Names one reminder of one milestone, for one person, at one due date.

    A variation copies the milestones into new rows, so the row's id alone would remind everyone again
    of every milestone whenever any part of the agreement is varied. The milestone is named instead by its
    agreement's line (the engagement and the VCFSE organisation: each variation continues it) and its title;
    the due date is part of the key, so a variation that moves the date reminds people of the new one.
    """
    agreement = milestone.agreement
    title = hashlib.sha256(" ".join(milestone.title.split()).casefold().encode()).hexdigest()[:16]
    return (f"{kind}:engagement-{agreement.engagement_id}:vcfse-{agreement.vcfse_organisation_id}:"
            f"milestone-{title}:{milestone.due_date.isoformat()}:user-{user.id}")


def _reminder(user: User, milestone: Milestone, on: date) -> Reminder:
    kind = OVERDUE if milestone.due_date < on else DUE_SOON
    agreement = milestone.agreement
    engagement = agreement.engagement
    due = format_date(milestone.due_date)
    if kind == OVERDUE:
        subject = f"Milestone overdue: {milestone.title}"
        when = f"was due on {due}, {day_count((on - milestone.due_date).days)} ago, and is not marked as done"
        ask = "If it has been done, mark it as done on the agreement. If it will not be done, mark it as missed."
    else:
        subject = f"Milestone due soon: {milestone.title}"
        days = (milestone.due_date - on).days
        when = f"is due on {due}" + (" (today)" if days == 0 else f" (in {day_count(days)})")
        ask = "When it is done, mark it as done on the agreement."
    body = (
        f"The milestone \"{milestone.title}\" {when}.\n\n"
        f"It is in the agreement between {agreement.public_organisation.name} and "
        f"{agreement.vcfse_organisation.name} for the engagement \"{engagement.title}\", which you signed.\n\n"
        f"{ask}\n\n"
        f"See the agreement: "
        f"{external_url('agreements.show', slug=engagement.slug, agreement_id=agreement.id)}\n"
    )
    return Reminder(user.id, engagement.id, kind, _milestone_key(kind, milestone, user), subject, body)


# Quiet engagements --------------------------------------------------------------------------------------

def _latest(column, key) -> object:
    """Per engagement, when this kind of sign of life last happened."""
    return select(key.label("engagement_id"), func.max(column).label("at")).group_by(key).subquery()


def nudge_quiet_engagements() -> str:
    """Nudge the lead of each engagement with no sign of life for QUIET_ENGAGEMENT_DAYS days.

    A sign of life is an activity logged, a progress update, a move between steps, or the engagement being
    opened. Completed engagements are finished and are never nudged. Engagements still at the first step
    (the challenge) are nudged: one left there for a month was most likely forgotten, and the nudge asks the
    lead to carry on with it or let colleagues know it is not going ahead.
    """
    days = current_app.config["QUIET_ENGAGEMENT_DAYS"]
    cutoff = utcnow() - timedelta(days=days)
    # Activity counts from when it was logged: logging last month's workshop today is work on the engagement.
    activity = _latest(Activity.created_at, Activity.engagement_id)
    update = _latest(ProgressUpdate.created_at, ProgressUpdate.engagement_id)
    step = _latest(StepChange.occurred_at, StepChange.engagement_id)
    rows = db.session.execute(
        select(Engagement, activity.c.at, update.c.at, step.c.at)
        .outerjoin(activity, activity.c.engagement_id == Engagement.id)
        .outerjoin(update, update.c.engagement_id == Engagement.id)
        .outerjoin(step, step.c.engagement_id == Engagement.id)
        .where(Engagement.current_step != Step.COMPLETED, Engagement.created_at < cutoff,
               or_(activity.c.at.is_(None), activity.c.at < cutoff),
               or_(update.c.at.is_(None), update.c.at < cutoff),
               or_(step.c.at.is_(None), step.c.at < cutoff))
        .order_by(Engagement.id)
    ).all()
    nudges = [_nudge(engagement, max([engagement.created_at] + [sign for sign in signs if sign is not None]), days)
              for engagement, *signs in rows]
    sent = send_reminders(nudges)
    return f"{sent[QUIET]} quiet engagement nudges sent ({len(rows)} engagements quiet)"


def _nudge(engagement: Engagement, last: datetime, days: int) -> Reminder:
    lead = engagement.lead_user
    since = last.astimezone(LONDON).date()
    key = f"{QUIET}:engagement-{engagement.id}:since-{since.isoformat()}:user-{lead.id}"
    body = (
        f"Nothing has happened on the engagement \"{engagement.title}\" since {format_date(since)}: no activity "
        f"logged, no progress update and no move to another step for at least {day_count(days)}.\n\n"
        "If the work is going on, post a short progress update so your partners and colleagues can see where it "
        "has got to. If it has paused or stopped, say so in an update.\n\n"
        f"Open the engagement: {external_url('workspace.task_list', slug=engagement.slug)}\n"
    )
    return Reminder(lead.id, engagement.id, QUIET, key, f"No activity for {day_count(days)}: {engagement.title}", body)
