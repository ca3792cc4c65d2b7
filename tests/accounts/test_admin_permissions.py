"""Who may use the administration pages: every route, for every kind of visitor.

Anonymous visitors are sent to sign in; partners and leads are refused (and the refusal is audited);
administrators get the page, or their change is made. A refused request changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from engage.accounts.models import AccountToken, User
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.organisations.models import Organisation, OrganisationKind
from tests.accounts.helpers import audit_events, invite, main_text
from tests.factories import csrf_token, sign_in


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with {placeholders} filled from the World
    form: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = [
    Route("GET", "/admin/"),
    Route("GET", "/admin/users"),
    Route("GET", "/admin/users/invite"),
    Route("POST", "/admin/users/invite",
          {"name": "Nia Newcomer", "email": "nia@example.org", "role": "partner", "organisation": "{vcfse}"}),
    Route("GET", "/admin/users/{invitee}"),
    Route("GET", "/admin/users/{invitee}/role"),
    Route("POST", "/admin/users/{invitee}/role", {"role": "lead", "organisation": "{council}"}),
    Route("POST", "/admin/users/{invitee}/deactivate"),
    Route("POST", "/admin/users/{former}/reactivate"),
    Route("POST", "/admin/users/{invitee}/invitation"),
    Route("GET", "/admin/audit"),
    Route("GET", "/admin/organisations/"),
    Route("GET", "/admin/organisations/new"),
    Route("POST", "/admin/organisations/new", {"name": "Riverside Food Bank", "kind": "vcfse"}),
    Route("GET", "/admin/organisations/{vcfse_slug}/edit"),
    Route("POST", "/admin/organisations/{vcfse_slug}/edit", {"name": "Renamed Group", "kind": "vcfse"}),
    Route("GET", "/admin/outbox/"),
    Route("GET", "/admin/outbox/{message}"),
]
ADMIN_BLUEPRINTS = ("admin", "organisations", "outbox")


@dataclass
class World:
    """What the administration pages act on: an invitee, a former partner, two organisations, an e-mail."""

    admin: User
    values: dict[str, str]

    def fill(self, text: str) -> str:
        return text.format(**self.values)


@pytest.fixture
def world(make) -> World:
    admin = make.admin()
    vcfse = make.organisation(kind=OrganisationKind.VCFSE)
    council = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR)
    invitee, _ = invite(admin, organisation=vcfse)
    former = make.partner(organisation=vcfse, password=None, active=False)
    message = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.to_address == invitee.email))
    return World(admin, {"invitee": str(invitee.id), "former": str(former.id), "vcfse": str(vcfse.id),
                         "vcfse_slug": vcfse.slug, "council": str(council.id), "message": str(message)})


def snapshot() -> tuple:
    """Everything an administration page can change."""
    db.session.expire_all()
    people = db.session.execute(select(User.id, User.email, User.role, User.is_active, User.organisation_id)
                                .order_by(User.id)).all()
    organisations = db.session.execute(select(Organisation.id, Organisation.name, Organisation.kind)
                                       .order_by(Organisation.id)).all()
    tokens = db.session.execute(select(AccountToken.id, AccountToken.used_at).order_by(AccountToken.id)).all()
    messages = db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all()
    return people, organisations, tokens, messages


def visit(client, world: World, route: Route, *, signed_in: bool):
    path = world.fill(route.path)
    if route.method == "GET":
        return client.get(path)
    # A well-formed request from the visitor's own browser, so that only their role decides the answer.
    token = csrf_token(client, "/account/" if signed_in else "/sign-in")
    form = {name: world.fill(value) for name, value in route.form.items()}
    return client.post(path, data={**form, "csrf_token": token})


def route_id(route: Route) -> str:
    return str(route)


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, route):
    before = snapshot()

    response = visit(client, world, route, signed_in=False)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/admin")
    assert snapshot() == before


@pytest.mark.parametrize("role", ["partner", "lead"])
@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_partners_and_leads_are_refused_and_the_refusal_is_audited(client, make, world, route, role):
    person = getattr(make, role)()
    sign_in(client, person)
    before = snapshot()

    response = visit(client, world, route, signed_in=True)

    assert response.status_code == 403
    assert "You do not have permission to view this page" in main_text(response)
    assert snapshot() == before
    refused = audit_events("access.refused")
    assert [(e.actor_id, e.data) for e in refused] == [
        (person.id, {"path": world.fill(route.path), "reason": "role"})]


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_administrators_can_use_every_page(client, world, route):
    sign_in(client, world.admin)
    before = snapshot()

    response = visit(client, world, route, signed_in=True)

    if route.method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert not response.headers["Location"].startswith("/sign-in")
        assert snapshot() != before, "the change was not made"
    assert audit_events("access.refused") == []


def test_the_matrix_covers_every_administration_route(app, world):
    adapter = app.url_map.bind("localhost")
    covered = {(adapter.match(world.fill(route.path), method=route.method)[0], route.method) for route in ROUTES}
    every = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
             if rule.endpoint.split(".")[0] in ADMIN_BLUEPRINTS
             for method in rule.methods - {"HEAD", "OPTIONS"}}

    assert covered == every
