"""Who may see and do what with activity, insights and test results: the whole matrix, through the pages.

Someone outside the engagement is told none of it exists, and every refusal is audited."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from engage.accounts.models import User
from engage.activity import services
from engage.activity.models import Activity
from engage.audit.models import AuditEvent
from engage.engagements.models import Lens
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from tests.activity.conftest import Scene, form_data, log, post
from tests.factories import csrf_token, sign_in

pytestmark = pytest.mark.date_sensitive

IN, OK, NO, GONE = "in", "ok", "403", "404"
# Anonymous; the engagement's lead; an administrator; the partner (of the collaborating VCFSE) who logged the
# activity; another member of that organisation; a member of a VCFSE that does not collaborate; a lead of
# another public-sector organisation.
PEOPLE = ["anonymous", "lead", "admin", "logger", "colleague", "unrelated", "other-lead"]


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str
    expected: str

    @property
    def outcomes(self) -> list[str]:
        return self.expected.split()


R = Route
ROUTES = [
    #                                                                                   ano led adm log col unr oth
    R("activity log",       "GET",  "/activity",                                       "in  ok  ok  ok  ok  404 404"),
    R("log an activity",    "GET",  "/activity/new",                                   "in  ok  403 ok  ok  404 404"),
    R("log: save",          "POST", "/activity/new",                                   "in  ok  403 ok  ok  404 404"),
    R("an activity",        "GET",  "/activity/{activity}",                            "in  ok  ok  ok  ok  404 404"),
    R("change",             "GET",  "/activity/{activity}/change",                     "in  403 403 ok  403 404 404"),
    R("change: save",       "POST", "/activity/{activity}/change",                     "in  403 403 ok  403 404 404"),
    R("add an insight",     "GET",  "/activity/{activity}/insights",                   "in  403 403 ok  403 404 404"),
    R("insight: save",      "POST", "/activity/{activity}/insights",                   "in  403 403 ok  403 404 404"),
    R("unlock",             "POST", "/activity/{activity}/unlock",                     "in  403 ok  403 403 404 404"),
    R("test result",        "GET",  "/tests/{test}/result",                            "in  ok  ok  ok  ok  404 404"),
    R("test result: save",  "POST", "/tests/{test}/result",                            "in  ok  ok  ok  ok  404 404"),
    # Last, as an allowed removal takes the insight away.
    R("remove an insight",  "POST", "/activity/{activity}/insights/{insight}/remove",  "in  403 403 ok  403 404 404"),
]


class World:
    def __init__(self, scene: Scene):
        self.scene = scene
        make = scene.make
        activity = log(scene.engagement, scene.partner, title="Coffee morning")
        insight = services.add_insight(activity, actor=scene.partner, text="Evenings suit carers.",
                                       lens=Lens.CARERS, themes=[], organisation=None, system_blocker=False)
        db.session.commit()
        self.ids = {"activity": activity.id, "insight": insight.id, "test": scene.engagement.planned_tests[0].id}
        self._people: dict[str, User | None] = {"anonymous": None, "lead": scene.lead, "logger": scene.partner}
        self._makers = {
            "admin": make.admin,
            "colleague": lambda: make.partner(organisation=scene.charity),
            "unrelated": lambda: make.partner(organisation=make.organisation(kind=OrganisationKind.VCFSE)),
            "other-lead": lambda: make.lead(organisation=make.organisation(kind=OrganisationKind.PUBLIC_SECTOR)),
        }

    def person(self, kind: str) -> User | None:
        if kind not in self._people:
            self._people[kind] = self._makers[kind]()
        return self._people[kind]


@pytest.fixture
def world(scene: Scene) -> World:
    return World(scene)


def _outcome(response) -> str:
    if response.status_code == 302 and urlparse(response.headers["Location"]).path == "/sign-in":
        return IN
    if response.status_code in (200, 302):
        return OK
    return str(response.status_code)


def _refusals(user: User) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "access.refused", AuditEvent.actor_id == user.id)))


@pytest.mark.parametrize("person", PEOPLE)
def test_the_permission_matrix(world: World, client, person):
    user = world.person(person)
    if user is None:
        token = csrf_token(client, "/sign-in")
    else:
        sign_in(client, user)
        token = csrf_token(client, "/dashboard")
    base = world.scene.base
    column = PEOPLE.index(person)
    paths = {route.name: base + route.path.format(**world.ids) for route in ROUTES}

    seen = {}
    for route in ROUTES:
        if route.method == "GET":
            seen[route.name] = _outcome(client.get(paths[route.name]))
        else:
            seen[route.name] = _outcome(client.post(paths[route.name], data=MultiDict([("csrf_token", token)])))

    assert seen == {route.name: route.outcomes[column] for route in ROUTES}
    if user is not None:
        refused = {paths[name] for name, outcome in seen.items() if outcome in (NO, GONE)}
        assert {event.data["path"] for event in _refusals(user)} == refused


@pytest.mark.parametrize("person", ["unrelated", "other-lead"])
def test_someone_outside_the_engagement_can_neither_see_nor_log_activity(app, world: World, person):
    user = world.person(person)
    scene = world.scene
    client = scene.client_for(app, user)
    before = db.session.scalar(select(func.count(Activity.id)))

    page = client.get(f"{scene.base}/activity")
    one = client.get(f"{scene.base}/activity/{world.ids['activity']}")
    logged = client.post(f"{scene.base}/activity/new", data={**form_data(),
                                                              "csrf_token": csrf_token(client, "/dashboard")})

    assert (page.status_code, one.status_code, logged.status_code) == (404, 404, 404)
    for response in (page, one, logged):
        assert "Coffee morning" not in response.get_data(as_text=True)
        assert scene.engagement.title not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Activity.id))) == before
    events = _refusals(user)
    assert [(e.subject_type, e.subject_id, e.data["reason"]) for e in events] == [
        ("Engagement", scene.engagement.id, "not a partner")] * 3
    # The service refuses them too, whatever the pages do.
    with pytest.raises(services.ActivityError):
        log(scene.engagement, user)


def test_the_lead_organisation_may_log_activity_too(app, world: World):
    scene = world.scene
    client = scene.client_for(app, scene.lead)

    assert post(client, f"{scene.base}/activity/new", form_data(title="Board listening session")).status_code == 302

    db.session.expire_all()
    activity = db.session.scalar(select(Activity).where(Activity.title == "Board listening session"))
    assert activity.organisation_id == scene.lead.organisation_id


def test_someone_whose_organisation_stops_collaborating_loses_access(app, world: World):
    from engage.engagements import services as engagements

    scene = world.scene
    client = scene.client_for(app, scene.partner)
    assert client.get(f"{scene.base}/activity").status_code == 200

    engagements.remove_collaborator(scene.engagement, scene.engagement.collaborators[0], actor=scene.lead)
    db.session.commit()

    assert client.get(f"{scene.base}/activity").status_code == 404
    assert client.get(f"{scene.base}/activity/{world.ids['activity']}/change").status_code == 404


def test_an_activity_or_test_of_another_engagement_is_not_found(app, world: World, make):
    scene = world.scene
    other = make.lead(organisation=scene.lead.organisation)
    from engage.engagements import services as engagements

    second = engagements.open_engagement(title="Another engagement", actor=other)
    db.session.commit()
    client = scene.client_for(app, scene.lead)

    assert client.get(f"/workspace/{second.slug}/activity/{world.ids['activity']}").status_code == 404
    assert client.get(f"/workspace/{second.slug}/tests/{world.ids['test']}/result").status_code == 404
    assert client.get(f"{scene.base}/activity/999999").status_code == 404
