"""Who may see and change an engagement's workspace: the whole matrix of routes and people, through the pages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from engage.accounts.models import User
from engage.audit.models import AuditEvent
from engage.engagements import services
from engage.engagements.models import CollaboratorRole, Idea, Lens, Perspective, PlannedTest, Step
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from tests.engagements.conftest import post
from tests.factories import csrf_token, sign_in

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

IN, OK, NO, GONE = "in", "ok", "403", "404"  # sent to sign in; allowed (200, or a redirect elsewhere); refused

# The people, one column each: anonymous; the engagement's lead; another lead of the same organisation; an
# administrator; a member of a collaborating VCFSE organisation; a member of an unrelated VCFSE organisation;
# a lead of another public-sector organisation.
PEOPLE = ["anonymous", "lead", "co-lead", "admin", "collaborator", "unrelated", "other-lead"]


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str  # under /workspace/<slug>; {hook} and the like are filled in with the ids of real records
    expected: str  # one outcome per person, in the order of PEOPLE

    @property
    def outcomes(self) -> list[str]:
        return self.expected.split()


R = Route
WORKSPACE = [
    #                                                                                 ano led co  adm col unr oth
    R("task list",                   "GET",  "/",                                    "in  ok  ok  ok  ok  404 404"),
    R("challenge",                   "GET",  "/challenge",                           "in  ok  ok  ok  403 404 404"),
    R("challenge: save",             "POST", "/challenge",                           "in  ok  ok  ok  403 404 404"),
    R("hooks",                       "GET",  "/hooks",                               "in  ok  ok  ok  403 404 404"),
    R("hooks: add",                  "POST", "/hooks",                               "in  ok  ok  ok  403 404 404"),
    R("hooks: remove",               "POST", "/hooks/{hook}/remove",                 "in  ok  ok  ok  403 404 404"),
    R("level",                       "GET",  "/level",                               "in  ok  ok  ok  403 404 404"),
    R("level: save",                 "POST", "/level",                               "in  ok  ok  ok  403 404 404"),
    R("collaborators",               "GET",  "/collaborators",                       "in  ok  ok  ok  403 404 404"),
    R("collaborators: add",          "POST", "/collaborators",                       "in  ok  ok  ok  403 404 404"),
    R("collaborators: remove",       "POST", "/collaborators/{collaborator}/remove", "in  ok  ok  ok  403 404 404"),
    R("perspectives",                "GET",  "/perspectives",                        "in  ok  ok  ok  ok  404 404"),
    R("perspectives: add",           "POST", "/perspectives",                        "in  ok  ok  ok  ok  404 404"),
    R("perspectives: remove lead's", "POST", "/perspectives/{perspective}/remove",   "in  ok  ok  ok  403 404 404"),
    R("ideas",                       "GET",  "/ideas",                               "in  ok  ok  ok  ok  404 404"),
    R("ideas: add",                  "POST", "/ideas",                               "in  ok  ok  ok  ok  404 404"),
    R("ideas: remove lead's",        "POST", "/ideas/{idea}/remove",                 "in  ok  ok  ok  403 404 404"),
    R("tests",                       "GET",  "/tests",                               "in  ok  ok  ok  ok  404 404"),
    R("tests: add",                  "POST", "/tests",                               "in  ok  ok  ok  ok  404 404"),
    R("tests: remove lead's",        "POST", "/tests/{test}/remove",                 "in  ok  ok  ok  403 404 404"),
    R("story",                       "GET",  "/story",                               "in  ok  ok  ok  ok  404 404"),
    R("story: save",                 "POST", "/story",                               "in  ok  ok  ok  ok  404 404"),
    R("get involved",                "GET",  "/get-involved",                        "in  ok  ok  ok  403 404 404"),
    R("get involved: save",          "POST", "/get-involved",                        "in  ok  ok  ok  403 404 404"),
    R("updates",                     "GET",  "/updates",                             "in  ok  ok  ok  ok  404 404"),
    R("updates: post",               "POST", "/updates",                             "in  ok  ok  ok  ok  404 404"),
    R("history",                     "GET",  "/history",                             "in  ok  ok  ok  ok  404 404"),
    R("going public",                "GET",  "/going-public",                        "in  ok  ok  ok  403 404 404"),
    R("step back",                   "GET",  "/step-back",                           "in  ok  ok  ok  403 404 404"),
    R("step back: confirm",          "POST", "/step-back",                           "in  ok  ok  ok  403 404 404"),
    R("visibility",                  "GET",  "/visibility",                          "in  ok  ok  ok  403 404 404"),
    R("visibility: hold back",       "POST", "/visibility",                          "in  ok  ok  ok  403 404 404"),
    # Last, so that an allowed move does not change what the routes above are checked against.
    R("move on",                     "POST", "/move-on",                             "in  ok  ok  ok  403 404 404"),
]
OUTSIDE = [
    #                                                                                 ano led co  adm col unr oth
    R("dashboard",                   "GET",  "/dashboard",                           "in  ok  ok  ok  ok  ok  ok"),
    R("open an engagement",          "GET",  "/workspace/new",                       "in  ok  ok  403 403 403 ok"),
    R("open an engagement: save",    "POST", "/workspace/new",                       "in  ok  ok  403 403 403 ok"),
]
# A browser always sends the day, month and year boxes of a date, even when they are empty; other forms are
# posted empty.
POSTED = {"challenge: save": [("start_date", ""), ("start_date", ""), ("start_date", ""),
                              ("end_date", ""), ("end_date", ""), ("end_date", "")]}


class World:
    """An engagement at 'Test' with one of everything to remove; people of each kind are made when asked for,
    as making an account (hashing its password) is the slow part."""

    def __init__(self, engagement_at, make):
        self.make = make
        self.partner_organisation = make.organisation(kind=OrganisationKind.VCFSE, name="Common Ground")
        self.engagement = engagement_at(Step.TEST, partner_organisation=self.partner_organisation)
        self.lead = self.engagement.lead_user
        second = services.add_collaborator(self.engagement, actor=self.lead,
                                           role=CollaboratorRole.PUBLIC_SECTOR_PARTNER,
                                           organisation=make.organisation(kind=OrganisationKind.PUBLIC_SECTOR))
        db.session.commit()
        self.ids = {"hook": self.engagement.hooks[0].id, "collaborator": second.id,
                    "perspective": self.engagement.perspectives[0].id, "idea": self.engagement.ideas[0].id,
                    "test": self.engagement.planned_tests[0].id}
        self._people: dict[str, User | None] = {"anonymous": None, "lead": self.lead}

    def person(self, kind: str) -> User | None:
        if kind not in self._people:
            make = self.make
            self._people[kind] = {
                "co-lead": lambda: make.lead(organisation=self.lead.organisation),
                "admin": make.admin,
                "collaborator": lambda: make.partner(organisation=self.partner_organisation),
                "unrelated": lambda: make.partner(organisation=make.organisation(kind=OrganisationKind.VCFSE)),
                "other-lead": lambda: make.lead(organisation=make.organisation(kind=OrganisationKind.PUBLIC_SECTOR)),
            }[kind]()
        return self._people[kind]


@pytest.fixture
def world(engagement_at, make) -> World:
    return World(engagement_at, make)


def _outcome(response) -> str:
    if response.status_code == 302 and urlparse(response.headers["Location"]).path == "/sign-in":
        return IN
    if response.status_code in (200, 302):
        return OK
    return str(response.status_code)


def _visit(client, route: Route, path: str, token: str, version: int) -> str:
    if route.method == "GET":
        return _outcome(client.get(path))
    # The version the page was opened at, as a browser would send it: a save without one is refused as stale.
    fields = [*POSTED.get(route.name, []), ("version", str(version)), ("csrf_token", token)]
    return _outcome(client.post(path, data=MultiDict(fields)))


def _refusals(user: User) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "access.refused", AuditEvent.actor_id == user.id)))


@pytest.mark.parametrize("person", PEOPLE)
def test_the_permission_matrix(world, client, person):
    user = world.person(person)
    if user is None:
        token = csrf_token(client, "/sign-in")
    else:
        sign_in(client, user)
        token = csrf_token(client, "/dashboard")
    base = f"/workspace/{world.engagement.slug}"
    column = PEOPLE.index(person)

    paths = {route.name: base + route.path.format(**world.ids) for route in WORKSPACE}
    paths.update({route.name: route.path for route in OUTSIDE})
    version = world.engagement.version
    seen = {route.name: _visit(client, route, paths[route.name], token, version) for route in WORKSPACE + OUTSIDE}

    assert seen == {route.name: route.outcomes[column] for route in WORKSPACE + OUTSIDE}
    if user is not None:
        # Every refusal is audited, whether it showed as 'forbidden' or as 'not found'.
        refused = {paths[name] for name, outcome in seen.items() if outcome in (NO, GONE)}
        assert {event.data["path"] for event in _refusals(user)} == refused


@pytest.mark.parametrize("person", ["unrelated", "other-lead"])
def test_someone_outside_the_engagement_is_told_it_does_not_exist_and_the_refusal_is_recorded(world, client,
                                                                                             person):
    user = world.person(person)
    sign_in(client, user)
    path = f"/workspace/{world.engagement.slug}/"

    response = client.get(path)

    assert response.status_code == 404
    assert world.engagement.title not in response.get_data(as_text=True)
    (event,) = _refusals(user)
    assert (event.subject_type, event.subject_id, event.data) == (
        "Engagement", world.engagement.id, {"path": path, "reason": "not a partner"})


def test_an_engagement_that_does_not_exist_is_not_found(world, client):
    sign_in(client, world.lead)

    assert client.get("/workspace/no-such-engagement/").status_code == 404


# Contributions ---------------------------------------------------------------------------------------------------

CONTRIBUTIONS = {
    "perspectives": (Perspective, {"text": "Carers are not asked.", "lens": "carers", "organisation": ""}),
    "ideas": (Idea, {"text": "A carers' evening", "proposed_by": "Carers' group", "organisation": "",
                     "imagined_impact": "Carers are heard"}),
    "tests": (PlannedTest, {"idea": "", "what": "One evening", "how": "A pilot", "success_measure": "Twenty come"}),
}


def _newest(model) -> object:
    db.session.expire_all()
    return db.session.scalar(select(model).order_by(model.id.desc()).limit(1))


@pytest.mark.parametrize("kind", list(CONTRIBUTIONS))
def test_a_collaborator_may_take_back_only_their_own_contribution(world, client, kind):
    model, form = CONTRIBUTIONS[kind]
    partner = world.person("collaborator")
    sign_in(client, partner)
    base = f"/workspace/{world.engagement.slug}"

    assert post(client, f"{base}/{kind}", form).status_code == 302
    own = _newest(model)
    assert own.author_id == partner.id
    own_id, the_leads_id = own.id, world.ids[kind.removesuffix("s")]

    refused = post(client, f"{base}/{kind}/{the_leads_id}/remove", token_from=f"{base}/{kind}")
    removed = post(client, f"{base}/{kind}/{own_id}/remove", token_from=f"{base}/{kind}")

    assert (refused.status_code, removed.status_code) == (403, 302)
    db.session.expire_all()
    assert db.session.get(model, the_leads_id) is not None
    assert db.session.get(model, own_id) is None


@pytest.mark.parametrize("kind", list(CONTRIBUTIONS))
def test_the_lead_may_tidy_a_collaborators_contribution(world, client, kind):
    model, _ = CONTRIBUTIONS[kind]
    engagement, partner = world.engagement, world.person("collaborator")
    contribution = {
        "perspectives": lambda: services.add_perspective(engagement, actor=partner, text="Carers are not asked.",
                                                         organisation=None, lens=Lens.CARERS),
        "ideas": lambda: services.add_idea(engagement, actor=partner, text="A carers' evening",
                                           proposed_by="Carers' group", organisation=None, imagined_impact=""),
        "tests": lambda: services.add_planned_test(engagement, actor=partner, idea=None, what="One evening",
                                                   how="A pilot", success_measure="Twenty come"),
    }[kind]()
    db.session.commit()
    sign_in(client, world.lead)
    base = f"/workspace/{engagement.slug}"

    contribution_id = contribution.id

    assert post(client, f"{base}/{kind}/{contribution_id}/remove", token_from=f"{base}/{kind}").status_code == 302
    db.session.expire_all()
    assert db.session.get(model, contribution_id) is None


def test_the_dashboard_lists_only_the_engagements_a_person_works_on(world, app):
    others = services.open_engagement(title="Borough self-care policy", actor=world.person("other-lead"))
    db.session.commit()

    def titles(person: str) -> set[str]:
        user, client = world.person(person), app.test_client()
        with app.app_context():  # a browser and a request context of its own, as each person has
            sign_in(client, user)
            page = BeautifulSoup(client.get("/dashboard").get_data(as_text=True), "html.parser")
        return {link.get_text(strip=True) for link in page.select("main a")} & {world.engagement.title, others.title}

    assert titles("lead") == {world.engagement.title}
    assert titles("collaborator") == {world.engagement.title}
    assert titles("unrelated") == set()
    assert titles("other-lead") == {others.title}
    assert titles("admin") == {world.engagement.title, others.title}
