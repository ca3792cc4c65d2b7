"""The lead's publishing pages in the workspace: the publication check's findings, each accepted with a
reason, and corrections published as new versions while the old ones stay readable."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.engagements import services as engagements
from engage.engagements.models import Engagement, Step
from engage.extensions import db
from engage.publication import services as publishing
from engage.publication.models import AcceptedFinding
from engage.publication.record import latest_version
from tests.engagements.conftest import STORY, engagement_at, tell_story  # noqa: F401 - the fixture
from tests.factories import csrf_token, sign_in
from tests.public.page_records import build_world
from tests.public.test_pages_record import text_of


def post(client, path: str, data: dict, *, token_from: str | None = None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from or path)})


def fresh(engagement: Engagement) -> Engagement:
    db.session.expire_all()
    return db.session.get(Engagement, engagement.id)


@pytest.fixture
def completed(engagement_at, make):  # noqa: F811 - the fixture imported above
    return build_world(engagement_at, make).completed


def test_the_task_list_of_a_completed_engagement_offers_a_correction_and_the_public_record(client, completed):
    sign_in(client, completed.lead_user)
    page = client.get(f"/workspace/{completed.slug}/").get_data(as_text=True)
    assert f'href="/workspace/{completed.slug}/correction"' in page
    assert f'href="/engagements/{completed.slug}"' in page and "See the public record" in page
    assert "Version 1 published" in text_of(client.get(f"/workspace/{completed.slug}/"))


def test_a_correction_through_the_pages_publishes_version_2_and_version_1_stays_readable(client, completed):
    lead = completed.lead_user
    sign_in(client, lead)
    story = {key: value for key, value in STORY.items()}
    story["story_we_did"] = "Opened the clinic on three evenings a week."
    assert post(client, f"/workspace/{completed.slug}/story",
                {**story, "version": fresh(completed).version}).status_code == 302

    response = post(client, f"/workspace/{completed.slug}/correction",
                    {"change_note": "Corrected the number of evenings.", "based_on": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/workspace/{completed.slug}/")
    assert "Version 2 of the public record is published." in text_of(client.get(response.headers["Location"]))

    assert [v.number for v in publishing.versions_of(completed.id)] == [1, 2]
    resident = client.application.test_client()
    latest = text_of(resident.get(f"/engagements/{completed.slug}"))
    assert "Version 2, published" in latest and "three evenings" in latest
    assert "Corrected the number of evenings." in latest
    earlier = text_of(resident.get(f"/engagements/{completed.slug}/versions/1"))
    assert "This is version 1" in earlier and STORY["story_we_did"] in earlier and "three evenings" not in earlier


@pytest.mark.parametrize(("note", "message"), [
    ("", "Say what changed in this version"),
    ("Nothing really.", "Nothing in the record has changed since version 1"),
])
def test_a_correction_needs_a_change_note_and_a_change(client, completed, note, message):
    sign_in(client, completed.lead_user)
    response = post(client, f"/workspace/{completed.slug}/correction", {"change_note": note, "based_on": "1"})
    assert response.status_code == 200
    assert message in text_of(response) and "govuk-error-summary" in response.get_data(as_text=True)
    assert [v.number for v in publishing.versions_of(completed.id)] == [1]


@pytest.mark.parametrize("based_on", [None, "", "one", "-1"])
def test_a_correction_that_does_not_say_which_version_it_was_shown_is_shown_again(client, completed, based_on):
    lead = completed.lead_user
    sign_in(client, lead)
    engagements.update_engagement(fresh(completed), actor=lead, expected_version=None,
                                  story_we_did="Opened the clinic on three evenings a week.")
    db.session.commit()
    data = {"change_note": "Corrected the number of evenings."}
    if based_on is not None:
        data["based_on"] = based_on

    response = post(client, f"/workspace/{completed.slug}/correction", data)

    assert response.status_code == 200
    assert "Check the version published now, then publish your correction again" in text_of(response)
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert 'name="based_on" type="hidden" value="1"' in response.get_data(as_text=True)
    assert "Corrected the number of evenings." in response.get_data(as_text=True)
    assert [v.number for v in publishing.versions_of(completed.id)] == [1]


def test_a_correction_based_on_a_version_since_replaced_is_refused_with_a_plain_page(client, completed):
    lead = completed.lead_user
    sign_in(client, lead)
    engagements.update_engagement(fresh(completed), actor=lead, expected_version=None,
                                  story_we_did="Opened the clinic on three evenings a week.")
    db.session.commit()
    shown = client.get(f"/workspace/{completed.slug}/correction").get_data(as_text=True)
    assert 'name="based_on" type="hidden" value="1"' in shown
    publishing.publish(fresh(completed), actor=lead, change_note="Corrected the evenings.", based_on=1)
    db.session.commit()

    response = post(client, f"/workspace/{completed.slug}/correction",
                    {"change_note": "Corrected the number of evenings.", "based_on": "1"})

    assert response.status_code == 409
    assert "Someone else published a correction a moment ago: version 2 is now the latest" in text_of(response)
    assert 'name="based_on" type="hidden" value="2"' in response.get_data(as_text=True)
    assert [v.number for v in publishing.versions_of(completed.id)] == [1, 2]


def test_a_correction_with_personal_data_waits_until_it_is_accepted(client, completed):
    lead = completed.lead_user
    sign_in(client, lead)
    engagements.update_engagement(fresh(completed), actor=lead, expected_version=None,
                                  story_what_now="Book on 01706 123456 to join the next session.")
    db.session.commit()

    page = text_of(client.get(f"/workspace/{completed.slug}/correction"))
    assert "The publication check found 1 possible piece of personal data." in page
    refused = post(client, f"/workspace/{completed.slug}/correction",
                   {"change_note": "Added the booking line.", "based_on": "1"})
    assert "Remove or accept 1 possible piece of personal data first" in text_of(refused)
    assert len(publishing.versions_of(completed.id)) == 1

    [finding] = publishing.unresolved_findings(fresh(completed))
    accept = post(client, f"/workspace/{completed.slug}/publication-check/{finding.fingerprint}",
                  {"reason": "The community centre's public booking line."})
    assert accept.status_code == 302
    published = post(client, f"/workspace/{completed.slug}/correction",
                     {"change_note": "Added the booking line.", "based_on": "1"})
    assert published.status_code == 302
    assert latest_version(completed.id).record["story"]["what_now"].startswith("Book on 01706 123456")


def test_the_publication_check_lists_findings_and_each_can_be_accepted_with_a_reason(client, engagement_at):  # noqa: F811
    engagement = engagement_at(Step.STORY)
    lead = engagement.lead_user
    tell_story(engagement, lead)
    engagements.update_engagement(engagement, actor=lead, expected_version=None,
                                  story_we_did="Write to hello@hub.example.org or call 01706 123456.")
    db.session.commit()
    sign_in(client, lead)
    base = f"/workspace/{engagement.slug}"

    task_list = text_of(client.get(base + "/"))
    assert "Publication check" in task_list and "2 to check" in task_list
    check = client.get(base + "/publication-check")
    page = text_of(check)
    # Each finding is named by its place as people know it, never by the record's key.
    assert "An e-mail address In the \u2018We did\u2019 part of the story" in page
    assert "A UK phone number In the \u2018We did\u2019 part of the story" in page
    assert "\u201cWrite to hello@hub.example.org or call 01706 123456.\u201d" in page
    assert "story.we_did" not in page
    assert page.count("Accept with a reason") == 2

    [email, phone] = sorted(publishing.unresolved_findings(fresh(engagement)), key=lambda f: f.kind)
    form_path = f"{base}/publication-check/{phone.fingerprint}"
    form_page = client.get(form_path)
    assert "Accept a UK phone number" in text_of(form_page)
    assert f'href="{base}/publication-check">Back to the publication check</a>' in form_page.get_data(as_text=True)
    empty = post(client, form_path, {"reason": "  "})
    assert empty.status_code == 200 and "Give the reason it is right to publish this" in text_of(empty)
    assert db.session.scalar(select(AcceptedFinding)) is None

    accepted = post(client, form_path, {"reason": "The hub's public booking line."})
    assert accepted.status_code == 302
    page = text_of(client.get(base + "/publication-check"))
    assert "Reason: The hub's public booking line." in page
    assert page.count("Accept with a reason") == 1
    # Accepting it again (say from another tab) finds nothing left to accept.
    again = post(client, form_path, {"reason": "Again."}, token_from=base + "/")
    assert again.status_code == 302
    assert db.session.scalar(select(AcceptedFinding.reason)) == "The hub's public booking line."

    moved = post(client, base + "/move-on", {})
    assert moved.status_code == 302 and fresh(engagement).current_step is Step.STORY
    post(client, f"{base}/publication-check/{email.fingerprint}", {"reason": "The hub's shared public inbox."})
    post(client, base + "/move-on", {})
    assert fresh(engagement).current_step is Step.COMPLETED
    assert latest_version(engagement.id).number == 1


def test_only_the_lead_organisation_publishes_corrections_or_accepts_findings(client, make, completed):
    partner = make.partner(organisation=completed.collaborators[0].organisation)
    sign_in(client, partner)
    assert client.get(f"/workspace/{completed.slug}/correction").status_code == 403
    assert client.get(f"/workspace/{completed.slug}/publication-check").status_code == 403

    outsider = make.lead()
    other = client.application.test_client()
    sign_in(other, outsider)
    assert other.get(f"/workspace/{completed.slug}/correction").status_code == 404

    anonymous = client.application.test_client()
    assert anonymous.get(f"/workspace/{completed.slug}/correction").status_code == 302


def test_a_correction_is_only_for_a_completed_engagement(client, engagement_at):  # noqa: F811
    engagement = engagement_at(Step.FRAME)
    sign_in(client, engagement.lead_user)
    assert client.get(f"/workspace/{engagement.slug}/correction").status_code == 404
    assert client.get(f"/workspace/{engagement.slug}/publication-check").status_code == 404
