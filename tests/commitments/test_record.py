"""Commitments in the public record: the record page's "What happens next" section, the JSON (checked against
the OpenAPI document), what the publication check scans, the version history and the Atom feed, and "overdue"
worked out when the latest record is served, with validators that move when it does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from werkzeug.http import http_date

from engage.commitments import public as served
from engage.commitments import services
from engage.commitments.models import CommitmentStatus
from engage.extensions import db
from engage.publication.check import texts_of
from engage.publication.services import versions_of
from tests.commitments.conftest import ACTION, INSIGHT, Completed, a_day
from tests.factories import csrf_token, sign_in
from tests.public.api_schema import assert_valid
from tests.public.test_open_data import ATOM, parse_xml
from tests.public.test_pages_record import text_of

pytestmark = pytest.mark.date_sensitive


def three_commitments(completed: Completed) -> None:
    """One done, one in progress citing an insight and an idea, one not going ahead."""
    lead = completed.lead
    done = completed.add("Keep the Tuesday session open all year", due_in_days=10)
    services.record_update(done, actor=lead, occurred_on=a_day(-1), body="Booked for **all of 2027**.",
                           status=CommitmentStatus.DONE)
    going = completed.add(ACTION, due_in_days=40, insight_ids=[completed.insight.id], idea_ids=[completed.idea.id],
                          responsible_organisation_id=completed.partner_organisation.id)
    services.record_update(going, actor=lead, occurred_on=a_day(), body="Staff recruited.", progress_percent=60)
    stopped = completed.add("Open a second clinic in Heywood", due_in_days=80)
    services.record_update(stopped, actor=lead, occurred_on=a_day(), body="The board decided against it.",
                           status=CommitmentStatus.NOT_GOING_AHEAD, reason="No building is free until 2028.")
    db.session.commit()


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def test_the_json_record_has_the_commitments_as_the_openapi_document_describes(client, completed, document):
    three_commitments(completed)
    body = client.get(f"/api/v1/engagements/{completed.engagement.slug}").get_json()
    assert_valid(document, "Record", body)

    done, going, stopped = body["commitments"]  # soonest due first
    assert (done["status"], done["done_on"], done["progress_percent"], done["reason"]) == (
        "done", a_day(-1).isoformat(), 100, None)
    assert going["responsible_organisation"] == {"name": completed.partner_organisation.name,
                                                 "slug": completed.partner_organisation.slug, "kind": "vcfse"}
    assert going["answers"] == [
        {"kind": "insight", "text": INSIGHT, "attributed_to": completed.partner_organisation.name,
         "proposed_by": None},
        {"kind": "idea", "text": completed.idea.text, "attributed_to": None, "proposed_by": "Residents in Kirkholt"}]
    assert going["updates"] == [{"on": a_day().isoformat(), "text": "Staff recruited.", "status_from": "planned",
                                 "status_to": "in_progress", "progress_percent": 60}]
    assert (stopped["status"], stopped["reason"]) == ("not_going_ahead", "No building is free until 2028.")
    assert [c["overdue"] for c in body["commitments"]] == [False, False, False]


def test_a_numbered_version_is_served_as_it_was_published_without_overdue(client, completed, document):
    three_commitments(completed)
    latest = versions_of(completed.engagement.id)[-1]
    body = client.get(f"/api/v1/engagements/{completed.engagement.slug}/versions/{latest.number}").get_json()
    assert_valid(document, "Record", body)
    assert body == latest.record and all("overdue" not in c for c in body["commitments"])


def test_a_version_published_before_there_were_commitments_is_still_a_valid_record(completed, document):
    first = versions_of(completed.engagement.id)[0].record
    older = {key: value for key, value in first.items() if key != "commitments"}
    assert_valid(document, "Record", older)


def test_the_openapi_document_and_the_data_card_describe_commitments(client, document):
    schemas = document["components"]["schemas"]
    commitment = schemas["Commitment"]
    assert set(commitment["properties"]) == {"action", "responsible_organisation", "due_date", "status", "reason",
                                             "progress_percent", "done_on", "answers", "updates", "overdue"}
    assert "overdue" not in commitment["required"]
    assert commitment["properties"]["status"]["enum"] == ["planned", "in_progress", "done", "not_going_ahead"]
    assert schemas["Record"]["properties"]["commitments"]["items"] == {"$ref": "#/components/schemas/Commitment"}
    assert "What happens next" in text_of(client.get("/open-data"))


def test_the_publication_check_scans_what_people_wrote_and_not_the_machine_values(completed):
    three_commitments(completed)
    record = versions_of(completed.engagement.id)[-1].record
    scanned = {where for where, _ in texts_of(record) if where.startswith("commitments")}
    assert {"commitments[1].action", "commitments[1].updates[1].text", "commitments[3].reason",
            "commitments[2].responsible_organisation.name"} <= scanned
    assert not any(part in where for where in scanned
                   for part in (".status", ".due_date", ".done_on", ".on", ".answers", ".slug", ".kind"))


def test_the_record_page_shows_what_happens_next(client, completed):
    three_commitments(completed)
    page = text_of(client.get(f"/engagements/{completed.engagement.slug}"))
    section = page[page.index("What happens next What the partners"):
                   page.index("About this engagement Level of engagement")]

    assert "Keep the Tuesday session open all year Status Done on " + a_day(-1).strftime("%-d %B %Y") in section
    assert "marked done Booked for all of 2027" in section
    assert f"{ACTION} Status In progress Organisation responsible {completed.partner_organisation.name}" in section
    assert "Progress 60%" in section and f"{INSIGHT} An insight from {completed.partner_organisation.name}" in section
    assert "An idea from Residents in Kirkholt" in section
    assert "marked in progress at 60% Staff recruited." in section
    assert "Not going ahead Why it is not going ahead No building is free until 2028." in section
    assert "Overdue" not in section
    assert completed.lead.name not in page  # people are never credited


def test_every_change_is_in_the_version_history_and_the_feed(client, completed, app):
    three_commitments(completed)
    notes = [v.change_note for v in versions_of(completed.engagement.id)]
    assert notes[1:] == [
        "Commitment 'Keep the Tuesday session open all year' added",
        "Commitment 'Keep the Tuesday session open all year' marked done",
        f"Commitment '{ACTION}' added", f"Commitment '{ACTION}' marked in progress at 60%",
        "Commitment 'Open a second clinic in Heywood' added",
        "Commitment 'Open a second clinic in Heywood' marked not going ahead"]
    page = text_of(client.get(f"/engagements/{completed.engagement.slug}"))
    history = page[page.index("Versions of this record A published record"):]
    assert all(note in history for note in notes)

    feed = parse_xml(client.get("/feed.atom"))
    summaries = [entry.findtext(f"{ATOM}summary") for entry in feed.findall(f"{ATOM}entry")]
    assert summaries[0].startswith("Commitment 'Open a second clinic in Heywood' marked not going ahead")
    assert len(summaries) == len(notes)


def test_an_overdue_commitment_is_shown_as_overdue_when_the_record_is_served(client, completed, document):
    commitment = completed.add(due_in_days=3)
    due = commitment.due_date
    slug = completed.engagement.slug
    assert "Overdue" not in text_of(client.get(f"/engagements/{slug}"))

    the_day_after = datetime(due.year, due.month, due.day, 12, tzinfo=UTC) + timedelta(days=1)
    with time_machine.travel(the_day_after, tick=False):
        page = client.get(f"/engagements/{slug}")
        assert "Planned Overdue" in text_of(page)
        response = client.get(f"/api/v1/engagements/{slug}")
        body = response.get_json()
        assert_valid(document, "Record", body)
        assert body["commitments"][0]["overdue"] is True
        # The body changed at midnight in the UK with no new version: Last-Modified says so.
        midnight = served.became_overdue_at(versions_of(completed.engagement.id)[-1].record, the_day_after.date())
        assert response.headers["Last-Modified"] == http_date(midnight)
        assert midnight.astimezone(served.LONDON).time().hour == 0
        asked_before = client.get(f"/api/v1/engagements/{slug}",
                                  headers={"If-Modified-Since": http_date(midnight - timedelta(hours=1))})
        assert asked_before.status_code == 200
        # A numbered version is never recomputed.
        latest = versions_of(completed.engagement.id)[-1].number
        assert "Overdue" not in text_of(client.get(f"/engagements/{slug}/versions/{latest}"))


def test_a_done_commitment_past_its_due_date_is_not_overdue(completed):
    commitment = completed.add(due_in_days=0)
    services.record_update(commitment, actor=completed.lead, occurred_on=a_day(), body="Done.",
                           status=CommitmentStatus.DONE)
    db.session.commit()
    record = versions_of(completed.engagement.id)[-1].record
    shown = served.with_overdue(record, a_day(10))
    assert shown["commitments"][0]["overdue"] is False and served.became_overdue_at(record, a_day(10)) is None
    assert "overdue" not in record["commitments"][0]  # the stored version is untouched


def test_a_refusal_by_the_whole_records_check_is_shown_and_nothing_is_saved(client, completed, make):
    from engage.engagements import services as engagements

    engagements.update_engagement(completed.engagement, actor=completed.lead, expected_version=None,
                                  story_we_did="Opened the clinic with Robin Example.")
    db.session.commit()
    make.lead(name="Robin Example", organisation=completed.engagement.lead_organisation)
    sign_in(client, completed.lead)
    path = f"/workspace/{completed.engagement.slug}/commitments/new"
    due = a_day(30)
    response = client.post(path, data={"action": ACTION, "csrf_token": csrf_token(client, path),
                                       "responsible_organisation": str(completed.engagement.lead_organisation_id),
                                       "due_date": [str(due.day), str(due.month), str(due.year)]})
    assert response.status_code == 200
    words = text_of(response)
    assert "The public record could not be published again: Remove or accept 1 possible piece of personal data " \
           "first. Nothing has been saved." in words
    assert f'href="/workspace/{completed.engagement.slug}/publication-check"' in response.get_data(as_text=True)
    assert f'value="{ACTION}"' in response.get_data(as_text=True)
    assert len(versions_of(completed.engagement.id)) == 1
