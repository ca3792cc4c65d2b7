"""The commitment rules, through the services: who may change commitments and when, what each status needs,
reopening a closed one, the automatic new version with its change note, a stale save refused, and personal data
refused with nothing saved or published."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engage.audit.models import AuditEvent
from engage.commitments import services
from engage.commitments.models import Commitment, CommitmentStatus, CommitmentUpdate
from engage.engagements import services as engagements
from engage.engagements.models import Step
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from engage.publication.models import PublishedVersion
from engage.publication.services import versions_of
from tests.commitments.conftest import ACTION, Completed, a_day
from tests.factories import Factories

pytestmark = pytest.mark.date_sensitive


def notes(completed: Completed) -> list[str]:
    return [v.change_note for v in versions_of(completed.engagement.id)]


def update(completed: Completed, commitment: Commitment, **kwargs) -> CommitmentUpdate:
    kwargs.setdefault("occurred_on", a_day())
    kwargs.setdefault("body", "The first evening session was held.")
    made = services.record_update(commitment, actor=completed.lead, **kwargs)
    db.session.commit()
    return made


def refused(field: str, call, *args, **kwargs) -> str:
    with pytest.raises(services.CommitmentError) as raised:
        call(*args, **kwargs)
    db.session.rollback()
    assert raised.value.field == field, raised.value.message
    return raised.value.message


# Adding --------------------------------------------------------------------------------------------------

def test_adding_a_commitment_publishes_a_new_version_with_a_generated_change_note(completed):
    commitment = completed.add(insight_ids=[completed.insight.id], idea_ids=[completed.idea.id],
                               responsible_organisation_id=completed.partner_organisation.id)

    assert commitment.status is CommitmentStatus.PLANNED and commitment.progress_percent is None
    assert notes(completed) == ["First publication.", f"Commitment '{ACTION}' added"]
    latest = versions_of(completed.engagement.id)[-1]
    assert latest.published_by_id == completed.lead.id
    [published] = latest.record["commitments"]
    assert published["action"] == ACTION and published["status"] == "planned"
    assert published["responsible_organisation"]["name"] == completed.partner_organisation.name
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "commitment.added")).one()
    assert event.actor_id == completed.lead.id and event.data["commitment_id"] == commitment.id


def test_a_commitment_added_with_progress_is_in_progress(completed):
    assert completed.add(progress_percent=20).status is CommitmentStatus.IN_PROGRESS


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"action": "  "}, "action", "Say what will happen"),
    ({"action": "x" * 301}, "action", "The action must be 300 characters or fewer"),
    ({"due_in_days": -1}, "due_date", "The due date must be today or in the future"),
    ({"progress_percent": 101}, "progress_percent", "Progress must be a whole number from 0 to 100"),
    ({"progress_percent": -1}, "progress_percent", "Progress must be a whole number from 0 to 100"),
    ({"progress_percent": 100}, "progress_percent",
     "Add it with less than 100%, then post an update marking it done"),
])
def test_bad_input_is_refused_against_its_field(completed, changes, field, message):
    assert refused(field, completed.add, **changes) == message
    assert db.session.scalar(select(func.count(Commitment.id))) == 0
    assert notes(completed) == ["First publication."]


def test_the_responsible_organisation_is_the_lead_or_a_collaborator(completed, make: Factories):
    outsider = make.organisation(kind=OrganisationKind.VCFSE)
    message = refused("responsible_organisation", completed.add, responsible_organisation_id=outsider.id)
    assert message == "Choose the lead organisation or one of the collaborating organisations"


def test_cited_insights_and_ideas_must_be_the_engagements_own(completed, engagement_at):
    other = engagement_at(Step.TEST, title="Another engagement")
    foreign_idea = other.ideas[0]
    assert refused("ideas", completed.add, idea_ids=[foreign_idea.id]) == "Choose ideas from this engagement"
    assert refused("insights", completed.add, insight_ids=[999_999]) == "Choose insights from this engagement"


def test_only_a_completed_engagement_takes_commitments(engagement_at):
    engagement = engagement_at(Step.STORY)
    message = refused("action", services.add_commitment, engagement, actor=engagement.lead_user, action=ACTION,
                      responsible_organisation_id=engagement.lead_organisation_id, due_date=a_day(30))
    assert message == "Commitments are added once the engagement is completed and published"


def test_only_the_lead_organisation_and_administrators_change_commitments(completed, make: Factories):
    partner = make.partner(organisation=completed.partner_organisation)
    with pytest.raises(services.CommitmentError, match="Only the lead organisation or an administrator"):
        services.add_commitment(completed.engagement, actor=partner, action=ACTION,
                                responsible_organisation_id=completed.engagement.lead_organisation_id,
                                due_date=a_day(30))
    db.session.rollback()
    admin = make.admin()
    added = services.add_commitment(completed.engagement, actor=admin, action=ACTION,
                                    responsible_organisation_id=completed.engagement.lead_organisation_id,
                                    due_date=a_day(30))
    assert added.id is not None


# Updates and statuses --------------------------------------------------------------------------------------

def test_progress_on_a_planned_commitment_moves_it_to_in_progress_and_says_so(completed):
    commitment = completed.add()
    made = update(completed, commitment, progress_percent=60)

    assert commitment.status is CommitmentStatus.IN_PROGRESS and commitment.progress_percent == 60
    assert (made.status_from, made.status_to, made.progress_percent) == (
        CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS, 60)
    assert notes(completed)[-1] == f"Commitment '{ACTION}' marked in progress at 60%"
    update(completed, commitment, progress_percent=80)
    assert notes(completed)[-1] == f"Commitment '{ACTION}' progress 80%"
    update(completed, commitment, body="Venues booked for the spring.")
    assert notes(completed)[-1] == f"Commitment '{ACTION}' update posted"


def test_done_is_dated_by_the_update_and_is_100_percent(completed):
    commitment = completed.add(progress_percent=40)
    update(completed, commitment, status=CommitmentStatus.DONE, occurred_on=a_day(-2), body="Open until 8pm.")

    assert commitment.status is CommitmentStatus.DONE
    assert commitment.done_on == a_day(-2) and commitment.progress_percent == 100
    assert notes(completed)[-1] == f"Commitment '{ACTION}' marked done"
    published = versions_of(completed.engagement.id)[-1].record["commitments"][0]
    assert published["done_on"] == a_day(-2).isoformat() and published["progress_percent"] == 100
    assert published["updates"] == [{"on": a_day(-2).isoformat(), "text": "Open until 8pm.", "status_from":
                                     "in_progress", "status_to": "done", "progress_percent": 100}]


def test_done_with_less_than_100_percent_is_refused(completed):
    commitment = completed.add()
    message = refused("progress_percent", services.record_update, commitment, actor=completed.lead,
                      occurred_on=a_day(), body="Done.", status=CommitmentStatus.DONE, progress_percent=90)
    assert message == "A commitment that is done is 100% complete"


def test_not_going_ahead_needs_a_reason_which_is_published(completed):
    commitment = completed.add()
    message = refused("reason", services.record_update, commitment, actor=completed.lead, occurred_on=a_day(),
                      body="The board decided against it.", status=CommitmentStatus.NOT_GOING_AHEAD, reason=" ")
    assert message == "Say why it is not going ahead"

    update(completed, commitment, status=CommitmentStatus.NOT_GOING_AHEAD, body="The board decided against it.",
           reason="The building is closing for repairs until 2028.")
    assert notes(completed)[-1] == f"Commitment '{ACTION}' marked not going ahead"
    published = versions_of(completed.engagement.id)[-1].record["commitments"][0]
    assert published["status"] == "not_going_ahead"
    assert published["reason"] == "The building is closing for repairs until 2028."


@pytest.mark.parametrize("closed", [CommitmentStatus.DONE, CommitmentStatus.NOT_GOING_AHEAD])
def test_a_closed_commitment_is_only_reopened_with_an_update_that_says_why(completed, closed):
    commitment = completed.add()
    update(completed, commitment, status=closed, reason="Funding was withdrawn.")
    label = closed.label.lower()

    assert refused("status", services.record_update, commitment, actor=completed.lead, occurred_on=a_day(),
                   body="A note.") == (f"This commitment is {label}. To post an update, reopen it as planned or in "
                                       "progress and say why")
    assert refused("status", services.record_update, commitment, actor=completed.lead, occurred_on=a_day(),
                   body="Progress.", progress_percent=50).startswith(f"This commitment is {label}.")
    other = CommitmentStatus.NOT_GOING_AHEAD if closed is CommitmentStatus.DONE else CommitmentStatus.DONE
    assert refused("status", services.record_update, commitment, actor=completed.lead, occurred_on=a_day(),
                   body="Changed our minds.", status=other, reason="No money.") == (
        f"This commitment is {label}: reopen it first, saying why")
    assert refused("body", services.record_update, commitment, actor=completed.lead, occurred_on=a_day(),
                   body="", status=CommitmentStatus.IN_PROGRESS) == "Say what has happened"

    update(completed, commitment, status=CommitmentStatus.IN_PROGRESS,
           body="Residents asked for it to continue over the winter.")
    assert commitment.status is CommitmentStatus.IN_PROGRESS and commitment.done_on is None
    assert notes(completed)[-1] == f"Commitment '{ACTION}' reopened as in progress"
    timeline = versions_of(completed.engagement.id)[-1].record["commitments"][0]["updates"]
    assert [(u["status_from"], u["status_to"]) for u in timeline] == [
        ("planned", closed.value), (closed.value, "in_progress")]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"occurred_on": None}, "occurred_on", "Enter the date it happened"),
    ({"occurred_on": "tomorrow"}, "occurred_on", "The date it happened must be today or in the past"),
    ({"body": "   "}, "body", "Say what has happened"),
    ({"body": "x" * 2001}, "body", "The update must be 2,000 characters or fewer"),
    ({"progress_percent": 150}, "progress_percent", "Progress must be a whole number from 0 to 100"),
])
def test_bad_updates_are_refused_and_nothing_is_published(completed, changes, field, message):
    commitment = completed.add()
    changes = dict(changes)  # the parameter is shared by every run of this test: "tomorrow" is worked out anew
    if changes.get("occurred_on") == "tomorrow":
        changes["occurred_on"] = a_day(1)
    kwargs = {"occurred_on": a_day(), "body": "Something happened.", **changes}
    assert refused(field, services.record_update, commitment, actor=completed.lead, **kwargs) == message
    assert db.session.scalar(select(func.count(CommitmentUpdate.id))) == 0
    assert len(notes(completed)) == 2


# Personal data, stale saves and editing --------------------------------------------------------------------

def test_an_update_with_a_phone_number_is_refused_and_nothing_is_saved_or_published(completed):
    commitment = completed.add()
    versions_before = db.session.scalar(select(func.count(PublishedVersion.id)))
    message = refused("body", services.record_update, commitment, actor=completed.lead, occurred_on=a_day(),
                      body="Ring the clinic on 01706 123456 to book.", progress_percent=30)
    assert message.startswith("Remove a UK phone number (\u201c01706 123456\u201d)")

    db.session.expire_all()
    assert db.session.scalar(select(func.count(CommitmentUpdate.id))) == 0
    assert db.session.scalar(select(func.count(PublishedVersion.id))) == versions_before
    assert db.session.get(Commitment, commitment.id).progress_percent is None


def test_a_registered_persons_name_in_an_action_is_refused(completed):
    message = refused("action", completed.add, action=f"{completed.lead.name} to open the clinic later")
    assert message.startswith("Remove the name of a registered person")


def test_the_whole_records_publication_check_still_blocks_and_the_caller_rolls_everything_back(completed, make):
    """A finding elsewhere in the record (here a person registered after the story named them) stops the new
    version; the commitment goes with it."""
    engagements.update_engagement(completed.engagement, actor=completed.lead, expected_version=None,
                                  story_we_did="Opened the clinic with Robin Example.")
    db.session.commit()
    make.lead(name="Robin Example", organisation=completed.engagement.lead_organisation)
    with pytest.raises(services.RecordRefused):
        services.add_commitment(completed.engagement, actor=completed.lead, action=ACTION,
                                responsible_organisation_id=completed.engagement.lead_organisation_id,
                                due_date=a_day(30))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Commitment.id))) == 0


def test_a_stale_update_is_refused_with_what_was_saved(completed):
    commitment = completed.add()
    opened_at = commitment.version
    update(completed, commitment, progress_percent=30, body="Someone else's update.")

    with pytest.raises(services.StaleCommitment) as raised:
        services.record_update(commitment, actor=completed.lead, occurred_on=a_day(), body="Mine.",
                               status=CommitmentStatus.DONE, expected_version=opened_at)
    db.session.rollback()
    assert raised.value.current_version == commitment.version > opened_at
    assert raised.value.saved["Status"] == "In progress" and raised.value.saved["Progress"] == "30%"
    assert commitment.status is CommitmentStatus.IN_PROGRESS


def test_editing_publishes_a_version_naming_what_changed_and_refuses_a_stale_save(completed):
    commitment = completed.add()
    opened_at = commitment.version
    changed = services.edit_commitment(
        commitment, actor=completed.lead, action="Extend evening opening to three evenings",
        responsible_organisation_id=completed.partner_organisation.id, due_date=commitment.due_date,
        insight_ids=[completed.insight.id], expected_version=opened_at)
    db.session.commit()

    assert changed == ["action", "responsible_organisation_id", "insights"]
    assert notes(completed)[-1] == ("Commitment 'Extend evening opening to three evenings' changed: action, "
                                    "organisation responsible, what it answers")
    published = versions_of(completed.engagement.id)[-1].record["commitments"][0]
    assert published["responsible_organisation"]["slug"] == completed.partner_organisation.slug
    assert [a["text"] for a in published["answers"]] == [completed.insight.text]

    with pytest.raises(services.StaleCommitment) as raised:
        services.edit_commitment(commitment, actor=completed.lead, action="Mine", due_date=a_day(90),
                                 responsible_organisation_id=completed.engagement.lead_organisation_id,
                                 expected_version=opened_at)
    db.session.rollback()
    assert raised.value.saved["Action"] == "Extend evening opening to three evenings"


def test_an_edit_that_changes_nothing_publishes_nothing(completed):
    commitment = completed.add()
    assert services.edit_commitment(commitment, actor=completed.lead, action=commitment.action,
                                    responsible_organisation_id=commitment.responsible_organisation_id,
                                    due_date=commitment.due_date, expected_version=commitment.version) == []
    assert len(notes(completed)) == 2


def test_a_long_action_is_shortened_in_the_change_note(completed):
    action = "Keep the evening clinic open " + "and well staffed " * 10
    completed.add(action=action.strip())
    note = notes(completed)[-1]
    assert note.startswith("Commitment 'Keep the evening clinic open") and note.endswith("\u2026' added")
    assert len(note) < 110


def test_overdue_is_not_closed_and_due_before_today(completed):
    commitment = completed.add(due_in_days=0)
    assert not commitment.is_overdue(a_day())
    assert commitment.is_overdue(a_day(1))
    update(completed, commitment, status=CommitmentStatus.DONE)
    assert not commitment.is_overdue(a_day(1) + timedelta(days=30))
