"""The commitment pages in the workspace: who may use each (roles by routes), CSRF, the error summary, a form that
keeps what was typed when the rules, the publication check or a stale save refuse it, and the task list link."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from engage.audit.models import AuditEvent
from engage.commitments.models import Commitment, CommitmentStatus, CommitmentUpdate
from engage.engagements.models import Step
from engage.engagements.services import move_on
from engage.extensions import db
from engage.publication.models import PublishedVersion
from engage.publication.services import versions_of
from tests.commitments.conftest import ACTION, Completed, a_day
from tests.engagements.conftest import tell_story
from tests.factories import Factories, csrf_token, sign_in
from tests.public.test_pages_record import text_of

pytestmark = pytest.mark.date_sensitive


def post(client, path: str, data: dict, *, token_from: str | None = None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from or path)})


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count(model.id)))
                 for model in (Commitment, CommitmentUpdate, PublishedVersion))


def refusals() -> list[tuple[int, str]]:
    """The refused requests the audit log holds."""
    db.session.expire_all()
    return [(e.actor_id, e.data["reason"]) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access.refused").order_by(AuditEvent.id))]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    partner_may: bool = False

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = [
    Route("GET", "/workspace/{slug}/commitments", partner_may=True),
    Route("GET", "/workspace/{slug}/commitments/new"),
    Route("POST", "/workspace/{slug}/commitments/new"),
    Route("GET", "/workspace/{slug}/commitments/{id}/edit"),
    Route("POST", "/workspace/{slug}/commitments/{id}/edit"),
    Route("GET", "/workspace/{slug}/commitments/{id}/update"),
    Route("POST", "/workspace/{slug}/commitments/{id}/update"),
]


@pytest.fixture
def one(completed: Completed) -> Commitment:
    return completed.add()


def well_formed(route: Route, completed: Completed, commitment: Commitment) -> dict:
    """A valid form for the route, so that only who is asking decides the answer."""
    day, due = a_day(), a_day(30)
    if route.path.endswith("/update"):
        return {"version": str(commitment.version), "occurred_on": [str(day.day), str(day.month), str(day.year)],
                "body": "A note.", "status": "keep"}
    return {"action": "Another action", "version": str(commitment.version),
            "responsible_organisation": str(completed.engagement.lead_organisation_id),
            "due_date": [str(due.day), str(due.month), str(due.year)]}


def visit(client, route: Route, completed: Completed, commitment: Commitment, *, signed_in: bool = True):
    path = route.path.format(slug=completed.engagement.slug, id=commitment.id)
    if route.method == "GET":
        return client.get(path), path
    token = csrf_token(client, "/account/" if signed_in else "/sign-in")
    return client.post(path, data={**well_formed(route, completed, commitment), "csrf_token": token}), path


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(client, completed, one, route):
    before = counts()
    response, path = visit(client, route, completed, one, signed_in=False)
    assert response.status_code == 302 and response.headers["Location"] == f"/sign-in?next={path}"
    assert counts() == before


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_people_outside_the_engagement_are_told_it_does_not_exist(client, make: Factories, completed, one, route):
    outsider = make.lead()
    sign_in(client, outsider)
    before = counts()
    response, _ = visit(client, route, completed, one)
    assert response.status_code == 404 and counts() == before
    assert refusals() == [(outsider.id, "not a partner")]


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_collaborating_partners_read_the_list_and_are_refused_the_rest(client, make, completed, one, route):
    partner = make.partner(organisation=completed.partner_organisation)
    sign_in(client, partner)
    before = counts()
    response, _ = visit(client, route, completed, one)
    assert response.status_code == (200 if route.partner_may else 403) and counts() == before
    assert refusals() == ([] if route.partner_may else [(partner.id, "not allowed")])


@pytest.mark.parametrize("who", ["lead", "admin"])
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_the_lead_organisation_and_administrators_use_every_page(client, make, completed, one, route, who):
    sign_in(client, completed.lead if who == "lead" else make.admin())
    versions = counts()[2]
    response, _ = visit(client, route, completed, one)
    if route.method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and counts()[2] == versions + 1


def test_the_pages_are_only_for_a_completed_engagement(client, engagement_at):
    engagement = engagement_at(Step.STORY)
    sign_in(client, engagement.lead_user)
    assert client.get(f"/workspace/{engagement.slug}/commitments").status_code == 404
    assert client.get(f"/workspace/{engagement.slug}/commitments/new").status_code == 404


def test_a_commitment_of_another_engagement_is_not_found(client, completed, engagement_at, make):
    sign_in(client, completed.lead)
    other = engagement_at(Step.STORY, lead=completed.lead, title="Second")
    tell_story(other, completed.lead)
    move_on(other, actor=completed.lead)
    db.session.commit()
    commitment = completed.add()
    assert client.get(f"/workspace/{other.slug}/commitments/{commitment.id}/edit").status_code == 404


def test_a_post_without_the_csrf_token_is_refused(client, completed):
    sign_in(client, completed.lead)
    response = client.post(f"/workspace/{completed.engagement.slug}/commitments/new",
                           data={"action": ACTION, "responsible_organisation": str(completed.engagement.
                                                                                   lead_organisation_id),
                                 "due_date": ["1", "1", str(a_day(400).year)]})
    assert response.status_code == 400 and counts()[0] == 0


def test_the_task_list_of_a_completed_engagement_links_to_the_commitments(client, completed):
    sign_in(client, completed.lead)
    page = client.get(f"/workspace/{completed.engagement.slug}/").get_data(as_text=True)
    assert f'href="/workspace/{completed.engagement.slug}/commitments"' in page
    assert "What happens next: commitments" in page


# Adding, changing and updating through the pages --------------------------------------------------------------

def test_a_lead_adds_a_commitment_and_a_new_version_is_published(client, completed):
    sign_in(client, completed.lead)
    due = a_day(90)
    path = f"/workspace/{completed.engagement.slug}/commitments/new"
    response = post(client, path, {
        "action": ACTION, "responsible_organisation": str(completed.partner_organisation.id),
        "due_date": [str(due.day), str(due.month), str(due.year)], "insights": [str(completed.insight.id)],
        "ideas": [str(completed.idea.id)], "progress_percent": "10%"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/workspace/{completed.engagement.slug}/commitments"
    page = text_of(client.get(response.headers["Location"]))
    assert f"\u2018{ACTION}\u2019 is added, and a new version of the public record is published." in page
    assert completed.partner_organisation.name in page and completed.insight.text in page

    commitment = db.session.scalars(select(Commitment)).one()
    assert (commitment.due_date, commitment.progress_percent, commitment.status) == (
        due, 10, CommitmentStatus.IN_PROGRESS)
    assert [v.change_note for v in versions_of(completed.engagement.id)][-1] == f"Commitment '{ACTION}' added"


def test_bad_input_gets_the_error_summary_and_the_form_keeps_what_was_typed(client, completed):
    sign_in(client, completed.lead)
    path = f"/workspace/{completed.engagement.slug}/commitments/new"
    response = post(client, path, {"action": "Open on Saturdays", "responsible_organisation": "",
                                   "due_date": ["31", "2", "2030"], "progress_percent": "lots"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and "Error: Add a commitment" in html
    words = text_of(response)
    for message in ("Choose the organisation responsible", "Due date must be a real date",
                    "Progress must be a whole number from 0 to 100"):
        assert message in words
    assert 'value="Open on Saturdays"' in html and 'value="lots"' in html
    assert counts()[0] == 0


def test_a_due_date_in_the_past_is_refused_by_the_service_against_its_field(client, completed):
    sign_in(client, completed.lead)
    past = a_day(-3)
    response = post(client, f"/workspace/{completed.engagement.slug}/commitments/new", {
        "action": ACTION, "responsible_organisation": str(completed.engagement.lead_organisation_id),
        "due_date": [str(past.day), str(past.month), str(past.year)]})
    assert response.status_code == 200
    assert 'href="#due_date-day"' in response.get_data(as_text=True)
    assert "The due date must be today or in the future" in text_of(response)
    assert counts()[0] == 0


def test_an_update_with_a_phone_number_is_refused_nothing_is_saved_and_the_text_is_kept(client, completed, one):
    sign_in(client, completed.lead)
    path = f"/workspace/{completed.engagement.slug}/commitments/{one.id}/update"
    before = counts()
    today = a_day()
    response = post(client, path, {"version": str(one.version), "occurred_on": [str(today.day), str(today.month),
                                                                                  str(today.year)],
                                   "body": "Book on 07700 900123 for a place.", "status": "in_progress",
                                   "progress_percent": "30"})
    assert response.status_code == 200
    words = text_of(response)
    assert "Remove a UK phone number (\u201c07700 900123\u201d)" in words
    assert "Book on 07700 900123 for a place." in response.get_data(as_text=True)
    assert counts() == before
    assert db.session.get(Commitment, one.id).status is CommitmentStatus.PLANNED


def test_a_lead_marks_a_commitment_done_through_the_page(client, completed, one):
    sign_in(client, completed.lead)
    path = f"/workspace/{completed.engagement.slug}/commitments/{one.id}/update"
    page = client.get(path).get_data(as_text=True)
    assert "Keep it as planned" in page
    day = a_day(-1)
    response = post(client, path, {"version": str(one.version), "occurred_on": [str(day.day), str(day.month),
                                                                                 str(day.year)],
                                   "body": "The clinic now opens until 8pm on weekdays.", "status": "done"})
    assert response.status_code == 302
    db.session.expire_all()
    commitment = db.session.get(Commitment, one.id)
    assert commitment.status is CommitmentStatus.DONE and commitment.done_on == day
    assert versions_of(completed.engagement.id)[-1].change_note == f"Commitment '{ACTION}' marked done"
    # A closed commitment's form only offers to reopen it.
    reopen = client.get(path).get_data(as_text=True)
    assert "Reopen it as in progress" in reopen and "Keep it as" not in reopen


def test_a_stale_update_is_refused_showing_both_versions(client, completed, one):
    sign_in(client, completed.lead)
    path = f"/workspace/{completed.engagement.slug}/commitments/{one.id}/update"
    opened_at = one.version
    day = a_day()
    fields = {"occurred_on": [str(day.day), str(day.month), str(day.year)], "status": "keep"}
    assert post(client, path, {**fields, "version": str(opened_at), "body": "First.",
                               "progress_percent": "40"}).status_code == 302
    before = counts()

    response = post(client, path, {**fields, "version": str(opened_at), "body": "My stale note."})
    assert response.status_code == 409
    words = text_of(response)
    assert "Someone else changed this commitment while you were working on it." in words
    assert "The version someone else saved" in words and "40%" in words
    assert "My stale note." in response.get_data(as_text=True)
    assert counts() == before


def test_a_stale_edit_is_refused_showing_both_versions(client, completed, one):
    sign_in(client, completed.lead)
    path = f"/workspace/{completed.engagement.slug}/commitments/{one.id}/edit"
    due = one.due_date
    fields = {"responsible_organisation": str(completed.engagement.lead_organisation_id),
              "due_date": [str(due.day), str(due.month), str(due.year)], "version": str(one.version)}
    assert post(client, path, {**fields, "action": "Open on three evenings"}).status_code == 302
    response = post(client, path, {**fields, "action": "Open on four evenings"})
    assert response.status_code == 409
    assert "Open on three evenings" in text_of(response)
    assert 'value="Open on four evenings"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Commitment, one.id).action == "Open on three evenings"


def test_a_save_that_changes_nothing_publishes_nothing(client, completed, one):
    sign_in(client, completed.lead)
    path = f"/workspace/{completed.engagement.slug}/commitments/{one.id}/edit"
    due = one.due_date
    before = counts()
    response = post(client, path, {"action": one.action, "version": str(one.version),
                                   "responsible_organisation": str(one.responsible_organisation_id),
                                   "due_date": [str(due.day), str(due.month), str(due.year)]})
    assert response.status_code == 302
    assert "Nothing had changed, so nothing was published." in text_of(client.get(response.headers["Location"]))
    assert counts() == before


def test_an_organisation_that_stopped_collaborating_is_shown_and_must_be_replaced(client, completed):
    from engage.engagements import services as engagements

    commitment = completed.add(responsible_organisation_id=completed.partner_organisation.id)
    engagements.remove_collaborator(completed.engagement, completed.engagement.collaborators[0], actor=completed.lead)
    db.session.commit()
    sign_in(client, completed.lead)
    path = f"/workspace/{completed.engagement.slug}/commitments/{commitment.id}/edit"
    assert completed.partner_organisation.name in client.get(path).get_data(as_text=True)
    due = commitment.due_date
    response = post(client, path, {"action": "Moved on", "version": str(commitment.version),
                                   "responsible_organisation": str(completed.partner_organisation.id),
                                   "due_date": [str(due.day), str(due.month), str(due.year)]})
    assert response.status_code == 200
    assert "Choose the lead organisation or one of the collaborating organisations" in text_of(response)
