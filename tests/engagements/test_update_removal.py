"""Taking back a progress update: the person who posted it, or the lead organisation (and administrators, as for
every lead-only change), may remove it while the engagement runs, after an "Are you sure?" page. The removal is
audited, and the update is gone from the workspace, the public record and the API. Anyone else in the engagement
is refused (403), anyone outside it is told it does not exist (404), and both refusals are audited."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from engage.accounts.models import User
from engage.audit.models import AuditEvent
from engage.engagements import services
from engage.engagements.models import Engagement, ProgressUpdate, Step
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from tests.engagements.conftest import post, tell_story
from tests.factories import csrf_token, sign_in

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

POSTED = "We met twelve carers at the Heywood library coffee morning."


class Scene:
    """An engagement at 'Frame' (public since the second step) with one update posted by a partner of the VCFSE
    collaborator; the people are made when asked for."""

    def __init__(self, engagement_at, make):
        self.make = make
        self.engagement: Engagement = engagement_at(Step.FRAME)
        self.charity = self.engagement.collaborators[0].organisation
        self.poster = make.partner(organisation=self.charity)
        self.update = services.post_update(self.engagement, actor=self.poster, body=POSTED)
        db.session.commit()
        self.update_id = self.update.id
        self.path = f"/workspace/{self.engagement.slug}/updates/{self.update_id}/remove"

    def person(self, kind: str) -> User | None:
        make, lead = self.make, self.engagement.lead_user
        return {
            "anonymous": lambda: None,
            "poster": lambda: self.poster,
            "other partner": lambda: make.partner(organisation=self.charity),
            "lead": lambda: lead,
            "co-lead": lambda: make.lead(organisation=lead.organisation),
            "admin": make.admin,
            "outsider": lambda: make.partner(organisation=make.organisation(kind=OrganisationKind.VCFSE)),
            "other lead": lambda: make.lead(organisation=make.organisation(kind=OrganisationKind.PUBLIC_SECTOR)),
        }[kind]()


@pytest.fixture
def scene(engagement_at, make) -> Scene:
    return Scene(engagement_at, make)


def _still_there(update_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(ProgressUpdate, update_id) is not None


def _events(action: str, user: User | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    if user is not None:
        query = query.where(AuditEvent.actor_id == user.id)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def _outcome(response) -> str:
    if response.status_code == 302:
        return "sign in" if urlparse(response.headers["Location"]).path == "/sign-in" else "removed"
    return str(response.status_code)


# Who may -------------------------------------------------------------------------------------------------

MATRIX = {
    #  person            the "Are you sure?" page, the removal
    "anonymous":     ("sign in", "sign in"),
    "poster":        ("200", "removed"),
    "other partner": ("403", "403"),
    "lead":          ("200", "removed"),
    "co-lead":       ("200", "removed"),
    "admin":         ("200", "removed"),
    "outsider":      ("404", "404"),
    "other lead":    ("404", "404"),
}


@pytest.mark.parametrize("person", list(MATRIX))
def test_who_may_remove_an_update(scene, client, person):
    user = scene.person(person)
    if user is not None:
        sign_in(client, user)
    token = csrf_token(client, "/dashboard" if user else "/sign-in")

    seen = (_outcome(client.get(scene.path)),
            _outcome(client.post(scene.path, data={"csrf_token": token})))

    assert seen == MATRIX[person]
    assert _still_there(scene.update_id) is (seen[1] != "removed")
    if user is not None and seen[1] in ("403", "404"):
        refusals = _events("access.refused", user)
        assert [event.data["path"] for event in refusals] == [scene.path, scene.path]
        assert {event.data["reason"] for event in refusals} == (
            {"not the author"} if seen[1] == "403" else {"not a partner"})


def test_the_workspace_offers_removal_only_to_those_who_may(scene, app):
    def links_seen_by(user: User) -> list[str]:
        client = app.test_client()
        sign_in(client, user)
        page = BeautifulSoup(client.get(f"/workspace/{scene.engagement.slug}/updates").get_data(as_text=True),
                             "html.parser")
        return [a["href"] for a in page.select(".engage-item a") if a["href"].endswith("/remove")]

    assert links_seen_by(scene.poster) == [scene.path]
    assert links_seen_by(scene.engagement.lead_user) == [scene.path]
    assert links_seen_by(scene.person("other partner")) == []


# The removal ------------------------------------------------------------------------------------------------

def test_the_poster_is_asked_to_confirm_then_the_update_is_gone_everywhere_and_audited(scene, client):
    slug = scene.engagement.slug
    assert POSTED in client.get(f"/engagements/{slug}").get_data(as_text=True)
    assert POSTED in client.get(f"/api/v1/engagements/{slug}").get_data(as_text=True)
    sign_in(client, scene.poster)

    confirm = BeautifulSoup(client.get(scene.path).get_data(as_text=True), "html.parser")
    assert confirm.h1.get_text(strip=True) == "Are you sure you want to remove this progress update?"
    assert POSTED in confirm.select_one(".govuk-inset-text").get_text()
    form = confirm.select_one("main form")
    assert (form["method"], form.get("action", "")) == ("post", "")
    assert form.select_one("input[name=csrf_token]") is not None
    assert "govuk-button--warning" in form.button["class"]
    assert _still_there(scene.update_id)  # asking changes nothing

    response = post(client, scene.path, token_from=scene.path)

    assert response.status_code == 302
    assert urlparse(response.headers["Location"]).path == f"/workspace/{slug}/updates"
    assert "It is no longer on the public record" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not _still_there(scene.update_id)
    (event,) = _events("engagement.update_removed")
    assert (event.actor_id, event.subject_type, event.subject_id) == (scene.poster.id, "Engagement",
                                                                      scene.engagement.id)
    assert event.data["update_id"] == scene.update_id
    assert event.data["posted_by"] == scene.poster.id
    assert event.data["organisation_id"] == scene.charity.id
    assert POSTED not in str(event.data)  # what it said is not kept: it may be why it was taken back
    for page in (f"/workspace/{slug}/updates", f"/engagements/{slug}", f"/api/v1/engagements/{slug}"):
        assert POSTED not in client.get(page).get_data(as_text=True), page
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/dashboard")})
    assert POSTED not in client.get(f"/engagements/{slug}").get_data(as_text=True)


def test_the_lead_removes_a_partners_update(scene, client):
    lead = scene.engagement.lead_user
    sign_in(client, lead)

    assert post(client, scene.path, token_from=scene.path).status_code == 302

    assert not _still_there(scene.update_id)
    (event,) = _events("engagement.update_removed")
    assert (event.actor_id, event.data["posted_by"]) == (lead.id, scene.poster.id)


def test_a_removal_without_the_csrf_token_is_refused(scene, client):
    sign_in(client, scene.poster)

    assert client.post(scene.path).status_code == 400

    assert _still_there(scene.update_id)
    assert _events("engagement.update_removed") == []


def test_an_update_of_another_engagement_is_not_found_through_this_ones_address(scene, client, engagement_at):
    other = engagement_at(Step.FRAME, title="Library opening hours")
    theirs = services.post_update(other, actor=other.lead_user, body="Their update.")
    db.session.commit()
    sign_in(client, scene.engagement.lead_user)
    path = f"/workspace/{scene.engagement.slug}/updates/{theirs.id}/remove"

    assert client.get(path).status_code == 404
    assert post(client, path, token_from=f"/workspace/{scene.engagement.slug}/updates").status_code == 404

    assert _still_there(theirs.id)
    assert [e.data["reason"] for e in _events("access.refused", scene.engagement.lead_user)] == [
        "not part of this engagement"] * 2
    assert client.get(f"/workspace/{scene.engagement.slug}/updates/999999/remove").status_code == 404


# Not once completed ---------------------------------------------------------------------------------------------

def test_once_completed_updates_stay_with_the_published_record(client, engagement_at):
    engagement = engagement_at(Step.STORY)
    update = services.post_update(engagement, actor=engagement.lead_user, body=POSTED)
    tell_story(engagement, engagement.lead_user)
    services.move_on(engagement, actor=engagement.lead_user)  # completed, and published
    db.session.commit()
    sign_in(client, engagement.lead_user)
    updates = f"/workspace/{engagement.slug}/updates"
    path = f"{updates}/{update.id}/remove"

    assert "/remove" not in client.get(updates).get_data(as_text=True)
    for response in (client.get(path), post(client, path, token_from=updates)):
        assert response.status_code == 302
        assert urlparse(response.headers["Location"]).path == updates
    assert services.UPDATES_FROZEN in client.get(updates).get_data(as_text=True)

    assert _still_there(update.id)
    assert _events("engagement.update_removed") == []
    with pytest.raises(services.EngagementError, match="can no longer be removed"):
        services.remove_update(engagement, db.session.get(ProgressUpdate, update.id), actor=engagement.lead_user)
