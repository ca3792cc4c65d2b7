"""No lost work: a save made on a form opened before someone else's save is refused, and nothing is lost.

Each request runs in its own application context and database session, as two people's requests do in
production; so the tests set up and read the database in contexts of their own.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from engage.engagements.models import Engagement, Step
from engage.extensions import db
from tests.conftest import empty_all_tables
from tests.engagements.conftest import version_in
from tests.factories import csrf_token, sign_in

pytestmark = [pytest.mark.no_app_context, pytest.mark.usefixtures("cheap_password_hashing")]

STALE_MESSAGE = ("Someone else saved changes to this engagement while you were editing. Your changes have not been "
                 "saved: compare them with the saved version, then save again.")


@pytest.fixture(autouse=True)
def _emptied_afterwards(app):
    yield
    empty_all_tables(app)


def _signed_in(app, user):
    """A browser of its own, signed in through the pages in a context of its own."""
    client = app.test_client()
    with app.app_context():
        sign_in(client, user)
    return client


def _open_form(client, path: str) -> tuple[str, int]:
    page = client.get(path).get_data(as_text=True)
    return csrf_token(client, path), version_in(page)


def _save(client, path: str, token: str, version: int, fields: dict):
    return client.post(path, data={**fields, "version": str(version), "csrf_token": token})


def _challenge(statement: str, summary: str, title: str = "Urgent care redesign") -> dict:
    return {"title": title, "challenge_statement": statement, "why_now": "The programme starts in spring.",
            "summary": summary, "area": "", "budget": "",
            # A browser sends the day, month and year boxes of each date, empty or not.
            "start_date": ["", "", ""], "end_date": ["", "", ""]}


def _saved(app, engagement_id: int, *fields: str) -> dict:
    with app.app_context():
        engagement = db.session.get(Engagement, engagement_id)
        return {field: getattr(engagement, field) for field in (*fields, "version")}


def _assert_refused_with_both_versions(response, *, typed: dict[str, str], saved: list[str], version: int) -> None:
    assert response.status_code == 409
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    summary = page.select_one(".govuk-error-summary")
    assert summary is not None, "no error summary"
    link = summary.find("a", string=lambda s: s and STALE_MESSAGE in " ".join(s.split()))
    assert link is not None and link["href"] == "#saved-version"
    assert page.title.get_text().startswith("Error:")

    form = page.select_one("form[method=post]:has(input[name=version])")
    for name, value in typed.items():
        field = form.select_one(f"[name={name}]")
        shown = field.get_text() if field.name == "textarea" else field["value"]
        assert shown.strip() == value, f"{name} lost what was typed"
    assert int(form.select_one("input[name=version]")["value"]) == version, "the form must carry the saved version"

    saved_version = page.select_one("#saved-version")
    assert saved_version is not None, "the saved version is not shown"
    for text in saved:
        assert text in saved_version.get_text()


@pytest.mark.parametrize("second_person", ["another lead", "admin"])
def test_a_stale_save_of_the_challenge_is_refused_and_keeps_both_versions(engagement_at, app, make, second_person):
    with app.app_context():
        engagement = engagement_at()
        other = make.lead(organisation=engagement.lead_organisation) if second_person == "another lead" \
            else make.admin()
        engagement_id, path = engagement.id, f"/workspace/{engagement.slug}/challenge"
        first, second = _signed_in(app, engagement.lead_user), _signed_in(app, other)
    first_token, first_version = _open_form(first, path)
    second_token, second_version = _open_form(second, path)
    assert first_version == second_version

    saved = _challenge("How can urgent care work in the evenings?", "Evening urgent care, shaped by residents.")
    assert _save(first, path, first_token, first_version, saved).status_code == 302
    new_version = _saved(app, engagement_id)["version"]
    assert new_version > first_version

    typed = _challenge("Where should people go when their GP is closed?", "Out-of-hours care, shaped with carers.",
                       title="Out-of-hours care")
    refused = _save(second, path, second_token, second_version, typed)

    _assert_refused_with_both_versions(
        refused, typed={k: typed[k] for k in ("title", "challenge_statement", "summary")},
        saved=[saved["challenge_statement"], saved["summary"]], version=new_version)
    assert _saved(app, engagement_id, "title", "challenge_statement", "summary") == {
        "title": "Urgent care redesign", "challenge_statement": saved["challenge_statement"],
        "summary": saved["summary"], "version": new_version}

    again = _save(second, path, second_token, version_in(refused.get_data(as_text=True)), typed)
    assert again.status_code == 302
    assert _saved(app, engagement_id, "title", "challenge_statement", "summary") == {
        "title": "Out-of-hours care", "challenge_statement": typed["challenge_statement"],
        "summary": typed["summary"], "version": new_version + 1}


def _story(prefix: str) -> dict[str, str]:
    return {"story_we_asked": f"{prefix}: we asked about evenings", "story_you_said": f"{prefix}: waits are long",
            "story_we_did": f"{prefix}: opened two evenings", "story_so_what": f"{prefix}: fewer A&E visits",
            "story_what_now": f"{prefix}: a year's pilot"}


def test_a_stale_save_of_the_story_is_refused_and_keeps_both_versions(engagement_at, app, make):
    with app.app_context():
        engagement = engagement_at(Step.STORY)
        partner = make.partner(organisation=engagement.collaborators[0].organisation)
        engagement_id, path = engagement.id, f"/workspace/{engagement.slug}/story"
        collaborator, lead = _signed_in(app, partner), _signed_in(app, engagement.lead_user)
    partner_token, partner_version = _open_form(collaborator, path)
    lead_token, lead_version = _open_form(lead, path)

    by_partner = _story("Partner")
    assert _save(collaborator, path, partner_token, partner_version, by_partner).status_code == 302
    new_version = _saved(app, engagement_id)["version"]

    by_lead = _story("Lead")
    refused = _save(lead, path, lead_token, lead_version, by_lead)

    _assert_refused_with_both_versions(refused, typed=by_lead, saved=list(by_partner.values()), version=new_version)
    assert _saved(app, engagement_id, *by_partner) == {**by_partner, "version": new_version}

    again = _save(lead, path, lead_token, version_in(refused.get_data(as_text=True)), by_lead)
    assert again.status_code == 302
    assert _saved(app, engagement_id, *by_lead) == {**by_lead, "version": new_version + 1}


def test_saving_twice_in_turn_is_not_refused(engagement_at, app):
    with app.app_context():
        engagement = engagement_at()
        engagement_id, path = engagement.id, f"/workspace/{engagement.slug}/challenge"
        client = _signed_in(app, engagement.lead_user)

    token, version = _open_form(client, path)
    first = _save(client, path, token, version, _challenge("First wording", "First summary"))
    token, version = _open_form(client, path)
    second = _save(client, path, token, version, _challenge("Second wording", "Second summary"))

    assert (first.status_code, second.status_code) == (302, 302)
    assert _saved(app, engagement_id, "challenge_statement")["challenge_statement"] == "Second wording"

