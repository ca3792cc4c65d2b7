"""Publishing the public record: on completion, with the check, and corrections as new versions."""

import pytest
from sqlalchemy import select

from engage.engagements import services as engagements
from engage.engagements.models import Step
from engage.extensions import db
from engage.publication import services
from engage.publication.models import PublishedVersion, PublishedVersionIsImmutable
from engage.publication.record import latest_version
from tests.engagements.conftest import tell_story


def _complete(engagement_at):
    engagement = engagement_at(Step.STORY)
    tell_story(engagement, engagement.lead_user)
    engagements.move_on(engagement, actor=engagement.lead_user)
    db.session.commit()
    return engagement


def test_completing_an_engagement_publishes_its_first_version(engagement_at):
    engagement = _complete(engagement_at)

    [version] = services.versions_of(engagement.id)
    assert version.number == 1 and version.change_note == "First publication."
    record = version.record
    assert record["status"] == "completed" and record["version"] == 1
    assert record["story"]["we_asked"] and record["agreement"]["content_sha256"]
    assert record["versions"] == [{"version": 1, "published_at": record["published_at"],
                                   "change_note": "First publication."}]


def test_the_record_names_organisations_never_people(engagement_at):
    engagement = _complete(engagement_at)
    record = latest_version(engagement.id).record
    text = str(record)

    assert engagement.lead_user.name not in text
    assert engagement.lead_user.email not in text
    assert record["lead_organisation"]["name"] == engagement.lead_organisation.name


def test_personal_data_blocks_completion_until_removed_or_accepted(engagement_at):
    engagement = engagement_at(Step.STORY)
    lead = engagement.lead_user
    tell_story(engagement, lead)
    engagements.update_engagement(engagement, actor=lead, expected_version=None,
                                  story_we_did="We opened the hub: call 01706 123456 to book.")
    db.session.commit()

    with pytest.raises(engagements.GateClosed) as closed:
        engagements.move_on(engagement, actor=lead)
    assert closed.value.missing == [
        "Remove or accept a UK phone number in the \u2018We did\u2019 part of the story: \u201c01706 123456\u201d"]
    db.session.rollback()

    [finding] = services.unresolved_findings(engagement)
    services.accept_finding(engagement, finding, actor=lead, reason="The hub's public booking line.")
    engagements.move_on(engagement, actor=lead)
    db.session.commit()
    assert latest_version(engagement.id).number == 1


def test_a_correction_publishes_a_new_version_and_keeps_the_old_one(engagement_at):
    engagement = _complete(engagement_at)
    lead = engagement.lead_user
    first = latest_version(engagement.id).record

    engagements.update_engagement(engagement, actor=lead, expected_version=None, story_we_did="Corrected text.")
    services.publish(engagement, actor=lead, change_note="Corrected what we did.")
    db.session.commit()

    versions = services.versions_of(engagement.id)
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].record == first
    assert versions[1].record["story"]["we_did"] == "Corrected text."
    assert [v["change_note"] for v in versions[1].record["versions"]] == ["First publication.",
                                                                          "Corrected what we did."]


def test_a_correction_needs_a_change_note_and_a_clean_check(engagement_at):
    engagement = _complete(engagement_at)
    lead = engagement.lead_user
    with pytest.raises(services.PublicationError):
        services.publish(engagement, actor=lead, change_note=" ")
    engagements.update_engagement(engagement, actor=lead, expected_version=None,
                                  story_so_what=f"Thanks to {lead.name} for running it.")
    with pytest.raises(services.PublicationError):
        services.publish(engagement, actor=lead, change_note="Thanks added.")


def test_a_published_version_cannot_be_changed_or_deleted(engagement_at):
    _complete(engagement_at)
    version = db.session.scalar(select(PublishedVersion))

    version.change_note = "Rewritten history"
    with pytest.raises(PublishedVersionIsImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(PublishedVersion)))
    with pytest.raises(PublishedVersionIsImmutable):
        db.session.flush()
    db.session.rollback()


def test_fingerprints_dates_and_identifiers_are_not_scanned_as_personal_data():
    from engage.publication.check import texts_of

    record = {"agreement": {"content_sha256": "0789103723" * 6 + "abcd", "signed_at": "2026-01-07T09:30:00",
                            "commitments": {"purpose": "Fund the hub"}},
              "slug": "a-01706-123456", "story": {"we_did": "Opened the hub"}}

    assert texts_of(record) == [("agreement.commitments.purpose", "Fund the hub"), ("story.we_did", "Opened the hub")]
