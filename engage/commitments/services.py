"""Every change to a commitment: its rules, its audit entry, and the new version of the public record it
publishes.

The rules:
- Commitments belong to a completed engagement: they say what happens after the record is published.
- Only the lead organisation's members and administrators add, change or update them
  (`engagements.permissions.can_edit`).
- The organisation responsible is the lead organisation or a collaborator; the insights and ideas a
  commitment answers are the engagement's own.
- A new commitment is due today or later (UK time). It starts as planned, or in progress if it is added with
  some progress already made.
- An update is dated today or earlier, and says what happened in a short Markdown text (up to
  2,000 characters). It may move the status and the progress on:
  - done: dated by the update (`done_on`), and 100% complete;
  - not going ahead: needs the reason, which is published;
  - progress on a planned commitment moves it to in progress.
- A closed commitment (done, or not going ahead) takes one kind of update only: one that reopens it, as
  planned or in progress, and whose text says why. It takes no notes or progress while closed, and does not
  move straight from one closed status to the other: the record then shows why the promise came back.
- A save made from a form opened before someone else's save is refused (`StaleCommitment`), with what was
  saved meanwhile.
- Texts are checked for personal data before anything is published, field by field; then every change
  publishes a new numbered version of the record with a generated change note. A refusal anywhere (this
  check, the whole record's publication check) raises, and the caller rolls the whole change back.

None of these functions commits: the caller does, so the change, its audit entry and its version land together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from engage import events
from engage.accounts.models import User
from engage.accounts.services import registered_names
from engage.activity.models import Insight
from engage.audit.services import record as audit
from engage.clock import today
from engage.commitments.models import Commitment, CommitmentStatus, CommitmentUpdate
from engage.commitments.queries import load_commitments
from engage.database import utcnow
from engage.engagements import permissions
from engage.engagements.models import Engagement, Idea, Step
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.templating import format_date
from engage.text.lengths import shortened
from engage.text.markdown import markdown_problem
from engage.text.personal_data import Text, scan

ACTION_MAX = 300
BODY_MAX = 2000
REASON_MAX = 2000
# How much of an action a change note quotes: the note is a line in the version history.
NOTE_ACTION_MAX = 80


class CommitmentError(ValueError):
    """Bad input: `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class RecordRefused(CommitmentError):
    """The public record refused the new version the change needs (the publication check found something
    elsewhere in the record): nothing of the change may be kept."""

    def __init__(self, message: str):
        super().__init__("record", message)


@dataclass
class StaleCommitment(Exception):
    """Someone saved the commitment after this form was opened. What they saved is kept for the page."""

    saved: dict[str, Any]
    current_version: int


# Checks -------------------------------------------------------------------------------------------------

def _check_may_change(engagement: Engagement, actor: User) -> None:
    if engagement.current_step is not Step.COMPLETED:
        raise CommitmentError("action", "Commitments are added once the engagement is completed and published")
    if not permissions.can_edit(actor, engagement):
        raise CommitmentError("action", "Only the lead organisation or an administrator can change commitments")


def _text(value: str | None, *, field: str, required: str, limit: int, name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CommitmentError(field, required)
    if len(value) > limit:
        raise CommitmentError(field, f"{name} must be {limit:,} characters or fewer")
    return value


def _progress(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 100:
        raise CommitmentError("progress_percent", "Progress must be a whole number from 0 to 100")
    return value


def _responsible(engagement: Engagement, organisation_id: int | None) -> int:
    allowed = engagement.collaborating_organisation_ids() | {engagement.lead_organisation_id}
    if organisation_id is None or organisation_id not in allowed:
        raise CommitmentError("responsible_organisation",
                              "Choose the lead organisation or one of the collaborating organisations")
    return organisation_id


def _sources(engagement: Engagement, insight_ids: Iterable[int], idea_ids: Iterable[int]
             ) -> tuple[list[Insight], list[Idea]]:
    insight_ids, idea_ids = set(insight_ids), set(idea_ids)
    insights = list(db.session.scalars(select(Insight).where(Insight.id.in_(insight_ids),
                                                             Insight.engagement_id == engagement.id)
                                       .order_by(Insight.id))) if insight_ids else []
    if len(insights) != len(insight_ids):
        raise CommitmentError("insights", "Choose insights from this engagement")
    ideas = list(db.session.scalars(select(Idea).where(Idea.id.in_(idea_ids), Idea.engagement_id == engagement.id)
                                    .order_by(Idea.id))) if idea_ids else []
    if len(ideas) != len(idea_ids):
        raise CommitmentError("ideas", "Choose ideas from this engagement")
    return insights, ideas


def _no_personal_data(texts: dict[str, str]) -> None:
    """Refuse, against the field it is in, a text the publication check would stop: a commitment's texts are
    published the moment they are saved, so there is no draft in which to remove or accept a finding."""
    names = registered_names()
    for field, value in texts.items():
        found = scan([Text(field, value)], names)
        if found:
            first = found[0]
            raise CommitmentError(field, f"Remove {first.label} (\u201c{first.value}\u201d): everything here is "
                                         "published at once, and the public record never holds personal data")


def _check_version(commitment: Commitment, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != commitment.version:
        raise StaleCommitment(saved=saved_state(commitment), current_version=commitment.version)


def saved_state(commitment: Commitment) -> dict[str, Any]:
    """The commitment as saved, in words: what a person whose save was refused compares theirs with."""
    return {
        "Action": commitment.action,
        "Organisation responsible": commitment.responsible_organisation.name,
        "Due date": format_date(commitment.due_date),
        "Status": commitment.status.label,
        "Progress": f"{commitment.progress_percent}%" if commitment.progress_percent is not None else "Not given",
        "Answers": [item.text for item in [*commitment.insights, *commitment.ideas]],
    }


# Change notes -------------------------------------------------------------------------------------------

def _quoted(action: str) -> str:
    return f"Commitment '{shortened(action, NOTE_ACTION_MAX)}'"


def _update_note(commitment: Commitment, update: CommitmentUpdate) -> str:
    subject = _quoted(commitment.action)
    moved, progress = update.status_to, update.progress_percent
    if moved is not None and update.status_from is not None and update.status_from.is_closed:
        return f"{subject} reopened as {moved.label.lower()}"
    if moved is CommitmentStatus.DONE:
        return f"{subject} marked done"
    if moved is not None:
        note = f"{subject} marked {moved.label.lower()}"
        return f"{note} at {progress}%" if progress is not None else note
    if progress is not None:
        return f"{subject} progress {progress}%"
    return f"{subject} update posted"


def _publish(commitment: Commitment, actor: User, note: str) -> None:
    db.session.flush()  # the new version is built from the database: it must hold this change
    events.commitment_changed.send(commitment.engagement, actor=actor, change_note=note)


# Adding and changing ------------------------------------------------------------------------------------

def add_commitment(engagement: Engagement, *, actor: User, action: str, responsible_organisation_id: int | None,
                   due_date: date | None, insight_ids: Iterable[int] = (), idea_ids: Iterable[int] = (),
                   progress_percent: int | None = None) -> Commitment:
    """Add a commitment to a completed engagement and publish the record again."""
    _check_may_change(engagement, actor)
    action = _text(action, field="action", required="Say what will happen", limit=ACTION_MAX, name="The action")
    organisation_id = _responsible(engagement, responsible_organisation_id)
    if due_date is None:
        raise CommitmentError("due_date", "Enter the date it is due")
    if due_date < today():
        raise CommitmentError("due_date", "The due date must be today or in the future")
    progress = _progress(progress_percent)
    if progress == 100:
        raise CommitmentError("progress_percent", "Add it with less than 100%, then post an update marking it done")
    insights, ideas = _sources(engagement, insight_ids, idea_ids)
    _no_personal_data({"action": action})
    commitment = Commitment(
        engagement=engagement, action=action, responsible_organisation_id=organisation_id, due_date=due_date,
        status=CommitmentStatus.IN_PROGRESS if progress else CommitmentStatus.PLANNED, progress_percent=progress,
        created_by_id=actor.id, insights=insights, ideas=ideas)
    db.session.add(commitment)
    db.session.flush()
    audit("commitment.added", actor=actor, subject=engagement, commitment_id=commitment.id, what=action,
          due_date=due_date.isoformat(), responsible_organisation_id=organisation_id)
    _publish(commitment, actor, f"{_quoted(action)} added")
    return commitment


FIELD_WORDS = {"action": "action", "responsible_organisation_id": "organisation responsible",
               "due_date": "due date", "insights": "what it answers", "ideas": "what it answers"}


def edit_commitment(commitment: Commitment, *, actor: User, action: str, responsible_organisation_id: int | None,
                    due_date: date | None, insight_ids: Iterable[int] = (), idea_ids: Iterable[int] = (),
                    expected_version: int | None = None) -> list[str]:
    """Change what a commitment says: its action, organisation, due date and what it answers. Status and
    progress move only with an update, so the public timeline says why. Refuses a stale save. Returns the
    changed fields (nothing is published when nothing changed)."""
    engagement = commitment.engagement
    _check_may_change(engagement, actor)
    _check_version(commitment, expected_version)
    action = _text(action, field="action", required="Say what will happen", limit=ACTION_MAX, name="The action")
    organisation_id = _responsible(engagement, responsible_organisation_id)
    if due_date is None:
        raise CommitmentError("due_date", "Enter the date it is due")
    insights, ideas = _sources(engagement, insight_ids, idea_ids)
    _no_personal_data({"action": action})
    changed = [name for name, old, new in (
        ("action", commitment.action, action),
        ("responsible_organisation_id", commitment.responsible_organisation_id, organisation_id),
        ("due_date", commitment.due_date, due_date),
        ("insights", [i.id for i in commitment.insights], [i.id for i in insights]),
        ("ideas", [i.id for i in commitment.ideas], [i.id for i in ideas]),
    ) if old != new]
    if not changed:
        return []
    commitment.action, commitment.due_date = action, due_date
    commitment.responsible_organisation_id = organisation_id
    commitment.insights, commitment.ideas = insights, ideas
    # The relationship is loaded already: point it at the new organisation too, or the record built next
    # would still name the old one.
    commitment.responsible_organisation = db.session.get(Organisation, organisation_id)
    audit("commitment.changed", actor=actor, subject=engagement, commitment_id=commitment.id, fields=changed)
    words = list(dict.fromkeys(FIELD_WORDS[name] for name in changed))
    _publish(commitment, actor, f"{_quoted(action)} changed: {', '.join(words)}")
    return changed


def _next_status(commitment: Commitment, status: CommitmentStatus | None, progress: int | None
                 ) -> CommitmentStatus | None:
    """The status this update moves the commitment to, or None if it stays as it is."""
    current = commitment.status
    if status is current:
        status = None
    if current.is_closed:
        if status is None:
            raise CommitmentError("status", f"This commitment is {current.label.lower()}. To post an update, "
                                            "reopen it as planned or in progress and say why")
        if status.is_closed:
            raise CommitmentError("status", f"This commitment is {current.label.lower()}: reopen it first, "
                                            "saying why")
        return status
    if status is None and current is CommitmentStatus.PLANNED and progress and progress != commitment.progress_percent:
        return CommitmentStatus.IN_PROGRESS  # work has started
    return status


def record_update(commitment: Commitment, *, actor: User, occurred_on: date | None, body: str,
                  status: CommitmentStatus | None = None, reason: str = "", progress_percent: int | None = None,
                  expected_version: int | None = None) -> CommitmentUpdate:
    """Post a dated progress update, which may move the status and progress on, and publish the record again."""
    engagement = commitment.engagement
    _check_may_change(engagement, actor)
    _check_version(commitment, expected_version)
    if occurred_on is None:
        raise CommitmentError("occurred_on", "Enter the date it happened")
    if occurred_on > today():
        raise CommitmentError("occurred_on", "The date it happened must be today or in the past")
    body = _text(body, field="body", required="Say what has happened", limit=BODY_MAX, name="The update")
    problem = markdown_problem(body, "The update")
    if problem:
        raise CommitmentError("body", problem)
    progress = _progress(progress_percent)
    moved_to = _next_status(commitment, status, progress)
    texts = {"body": body}
    if moved_to is CommitmentStatus.DONE:
        if progress is not None and progress != 100:
            raise CommitmentError("progress_percent", "A commitment that is done is 100% complete")
        progress = 100
    if moved_to is CommitmentStatus.NOT_GOING_AHEAD:
        texts["reason"] = reason = _text(reason, field="reason", required="Say why it is not going ahead",
                                         limit=REASON_MAX, name="The reason")
    _no_personal_data(texts)

    update = CommitmentUpdate(occurred_on=occurred_on, body=body, author_id=actor.id,
                              status_from=commitment.status if moved_to else None, status_to=moved_to,
                              progress_percent=progress if progress != commitment.progress_percent else None)
    commitment.updates.append(update)
    if moved_to is not None:
        commitment.status = moved_to
        commitment.done_on = occurred_on if moved_to is CommitmentStatus.DONE else None
        if moved_to is CommitmentStatus.NOT_GOING_AHEAD:
            commitment.reason = reason
    if progress is not None:
        commitment.progress_percent = progress
    # Bump the version even for a note alone, so a form opened before this update is seen to be stale.
    commitment.updated_at = utcnow()
    audit("commitment.updated", actor=actor, subject=engagement, commitment_id=commitment.id,
          status_from=update.status_from.value if update.status_from else None,
          status_to=moved_to.value if moved_to else None, progress_percent=update.progress_percent,
          occurred_on=occurred_on.isoformat())
    _publish(commitment, actor, _update_note(commitment, update))
    return update


def commitments_of(engagement: Engagement) -> list[Commitment]:
    """The engagement's commitments, soonest due first, with what each answers and its updates."""
    return load_commitments(engagement.id)
