"""Every text of the public record has a place people know it by, and a link to the workspace page and field it is
changed in: no record path ("story.you_said", "outputs[2].description") reaches a page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engage import clock
from engage.activity import services as activity
from engage.commitments import services as commitments
from engage.commitments.models import CommitmentStatus
from engage.engagements import services as engagements
from engage.extensions import db
from engage.publication import check, places
from engage.publication.record import build_record
from engage.text.lengths import shortened
from engage.text.personal_data import Finding
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.public.page_records import _theme_and_area, complete

# What a record path looks like, wherever it might leak into words.
PATH = re.compile(r"\w\[\d+\]|\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z]")


@pytest.fixture
def full_record(app, engagement_at, make):  # noqa: F811
    """A completed engagement with everything its record can hold: agreement, activity, insights, outputs, a
    dropped test, and commitments with updates, one not going ahead (a step back's reason: see below)."""
    theme, area = _theme_and_area()
    engagement = complete(engagement_at, make, theme=theme, area=area)
    lead = engagement.lead_user
    engagements.add_hook(engagement, actor=lead, title="Local plan", url="https://example.org/plan")
    organisation = engagement.collaborators[0].organisation
    engagements.add_perspective(engagement, actor=lead, text="Carers need evenings.", organisation=organisation,
                                lens=None)
    engagements.add_idea(engagement, actor=lead, text="A carers' evening", proposed_by="The forum",
                         organisation=organisation, imagined_impact="Fewer missed appointments")
    test = engagements.add_planned_test(engagement, actor=lead, idea=None, what="Weekend opening",
                                        how="One month", success_measure="More carers come")
    activity.drop_test(test, actor=lead, reason="No staff at weekends.")
    db.session.commit()
    # A commitment is due today or later, and an update dated today or earlier: both from the clock, any day.
    due = clock.today() + timedelta(days=365)
    first = commitments.add_commitment(engagement, actor=lead, action="Keep the evening clinic open",
                                       responsible_organisation_id=organisation.id, due_date=due)
    commitments.record_update(first, actor=lead, occurred_on=clock.today(), body="Funded for a year.")
    second = commitments.add_commitment(engagement, actor=lead, action="Open on Sundays",
                                        responsible_organisation_id=engagement.lead_organisation_id,
                                        due_date=due)
    commitments.record_update(second, actor=lead, occurred_on=clock.today(), body="No staff.",
                              status=CommitmentStatus.NOT_GOING_AHEAD, reason="No staff on Sundays.")
    db.session.commit()
    record = build_record(engagement, version=None, published_at=None)
    return engagement, record


def test_every_text_of_a_full_record_has_a_place_in_words_and_a_link(app, full_record):
    engagement, record = full_record
    paths = [where for where, _ in check.texts_of(record)]
    # The record really is full: each kind of text it can hold is there to be named.
    for expected in ("story.you_said", "outputs[1].description", "updates[1].text", "steps[1].to",
                     "agreement.commitments.purpose", "agreement.parties[1].name", "insights[1].text",
                     "tests[2].dropped_reason", "commitments[1].updates[1].text", "commitments[2].reason",
                     "commitments[1].responsible_organisation.name", "activity_summary.reach[1].community",
                     "perspectives[2].attributed_to", "ideas[2].organisation", "hooks[2].url", "themes[1]", "area"):
        assert expected in paths, f"{expected} is not in the record: {paths}"
    with app.test_request_context():
        for where in paths:
            assert places.known(where), f"No place is named for {where}"
            place = places.place_of(where, record)
            assert place.words and not PATH.search(place.words), f"{where} is named {place.words!r}"
            href = place.href(engagement.slug, Finding("phone", "01706 123456", where))
            assert href.startswith("/workspace/"), href
            assert re.search(r"\?finding=[0-9a-f]{64}#[a-z_-]+$", href), href


def test_places_are_named_as_people_know_them(app, full_record):
    engagement, record = full_record
    with app.test_request_context():
        story = places.place_of("story.you_said", record)
        assert story.words == "the \u2018You said\u2019 part of the story"
        assert story.href(engagement.slug) == f"/workspace/{engagement.slug}/story#story_you_said"
        output = places.place_of("outputs[1].description", record)
        assert output.words == "the description of the output \u2018Evaluation report\u2019"
        assert output.href(engagement.slug) == f"/workspace/{engagement.slug}/outputs#publication-finding"
        update = engagement.updates[0]
        assert places.place_of("updates[1].text", record).words == (
            f"the progress update of {update.created_at.astimezone(places.LONDON).day} "
            f"{update.created_at.astimezone(places.LONDON):%B %Y}")
        assert places.place_of("steps[2].to", record).words.startswith(
            "the step history entry for moving on to \u2018Gather collaborators and build relationships\u2019 on ")
        assert places.place_of("commitments[2].reason", record).words == (
            "the reason the commitment \u2018Open on Sundays\u2019 is not going ahead")
        assert places.place_of("agreement.commitments.purpose", record).words == (
            "\u2018Purpose: the real change sought in the arena chosen\u2019 in the expectation agreement")


def test_a_step_back_reason_is_named_by_the_step_and_day(app):
    record = {"steps": [{"from": "test", "to": "frame", "at": "2027-03-03T10:00:00+00:00",
                         "reason": "We need another idea."}]}
    with app.test_request_context():
        place = places.place_of("steps[1].reason", record)
    assert place.words == "the step history reason for stepping back to \u2018Time together\u2019 on 3 March 2027"
    assert place.endpoint == "workspace.history"


def test_a_path_no_rule_knows_is_still_not_shown(app):
    with app.test_request_context():
        assert places.place_of("something_new[3].text", {}).words == "another part of the engagement\u2019s record"


def test_the_fingerprint_is_still_of_the_record_path():
    """Acceptances already stored hold: the fingerprint is of the kind, the path and the value, as before."""
    import hashlib

    finding = Finding("phone", "01706 123456", "story.you_said")
    assert finding.fingerprint == hashlib.sha256(b"phone\x00story.you_said\x0001706 123456").hexdigest()


def test_the_excerpt_marks_the_finding_between_whole_words():
    text = ("We heard from carers across the borough about evening care, and one asked us to call "
            "Priya on 07700 900123 about the forum she runs every other Tuesday at the library in town.")
    shown = places.excerpt(text, "07700 900123")
    assert shown.found == "07700 900123"
    assert shown.before.startswith("\u2026") and shown.before.endswith("Priya on ")
    assert shown.after.endswith("\u2026") and not shown.after.rstrip("\u2026").endswith(("th", "ev"))
    assert str(shown.marked()).count("<mark") == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("Open on two evenings", "Open on two evenings"),
    ("Run a drop-in session at the Heywood community centre on three Tuesday evenings",
     "Run a drop-in session at the Heywood community centre on\u2026"),
    ("x" * 70, "x" * 59 + "\u2026"),  # one word longer than the limit is cut where it must be
])
def test_a_title_is_cut_between_words_with_an_ellipsis(text, expected):
    assert shortened(text, 60, at_word=True) == expected
