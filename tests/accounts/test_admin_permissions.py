"""Who may use the administration pages: every route, for every kind of visitor (the matrix in
`tests.accounts.admin_matrix`)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.accounts.models import AccountToken, User
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.organisations.models import Organisation, OrganisationKind
from tests.accounts.admin_matrix import AdminRouteMatrix, Route, World
from tests.accounts.helpers import invite

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


class TestAdministrationPages(AdminRouteMatrix):
    ROUTES = ROUTES
    BLUEPRINTS = ADMIN_BLUEPRINTS
    snapshot = staticmethod(snapshot)
