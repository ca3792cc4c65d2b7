"""Who may do what with an agreement, page by page, and the agreement's part of the `collaborators` gate.

The lead organisation's members run the agreement; members of a collaborating organisation read it (and the
VCFSE party tracks its milestones once signed); anyone else is told it does not exist, and that is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

import engage.agreements.gates  # noqa: F401 - registers the agreement's part of the collaborators gate
from engage.accounts.models import User
from engage.agreements import services
from engage.agreements.models import Agreement, AgreementStatus
from engage.audit.models import AuditEvent
from engage.engagements import services as engagements
from engage.engagements import steps
from engage.engagements.models import CollaboratorRole, Step
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from tests.agreements.conftest import (
    Parties,
    audit_count,
    draft_agreement,
    fresh,
    propose_agreement,
    sign_both,
    snapshot,
)
from tests.factories import Factories, csrf_token, sign_in

GATE_MESSAGE = "Sign an expectation agreement with at least one VCFSE collaborator"


@dataclass
class World:
    parties: Parties
    draft: Agreement
    proposed_id: int
    signed_id: int
    people: dict[str, User | None]

    def path(self, template: str) -> str:
        ids = {"draft": self.draft.id, "proposed": self.proposed_id, "signed": self.signed_id,
               "draft_milestone": self.draft.milestones[0].id}
        signed = db.session.get(Agreement, self.signed_id)
        ids["signed_milestone"] = signed.milestones[0].id
        return template.format(base=self.parties.base, **ids)


@pytest.fixture
def world(parties: Parties, make: Factories) -> World:
    # Version 1 is signed, version 2 proposed and version 3 a draft, all with the same VCFSE partner.
    signed = sign_both(parties, propose_agreement(draft_agreement(parties), parties.lead))
    proposed = propose_agreement(draft_agreement(parties), parties.lead)
    draft = draft_agreement(parties)
    other_vcfse = make.organisation(kind=OrganisationKind.VCFSE, name="Kirkholt Residents")
    engagements.add_collaborator(parties.engagement, actor=parties.lead, organisation=other_vcfse,
                                 role=CollaboratorRole.COMMUNITY_GROUP)
    db.session.commit()
    people = {
        "anonymous": None,
        "lead colleague": make.lead(organisation=parties.council, name="Sam Okafor"),
        "partner colleague": make.partner(organisation=parties.charity, name="Ali Khan"),
        "other collaborator": make.partner(organisation=other_vcfse, name="Dee Hart"),
        "outsider": make.partner(name="Rob Stone"),
        "outside lead": make.lead(name="Lee Grant"),
        "administrator": make.admin(name="Service Owner"),
    }
    return World(parties=parties, draft=fresh(draft.id), proposed_id=proposed.id, signed_id=signed.id,
                 people=people)


PEOPLE = ["anonymous", "outsider", "outside lead", "partner colleague", "other collaborator", "lead colleague",
          "administrator"]

# (method, path, form data, what each person gets): "ok" is 200 or a redirect back into the workspace.
ROUTES: list[tuple[str, str, dict, dict[str, str | int]]] = [
    ("GET", "{base}", {}, {"lead colleague": "ok", "partner colleague": "ok", "other collaborator": "ok"}),
    ("POST", "{base}", {"organisation": "CHARITY"}, {"lead colleague": "ok", "partner colleague": 403,
                                                     "other collaborator": 403}),
    ("GET", "{base}/{signed}", {}, {"lead colleague": "ok", "partner colleague": "ok", "other collaborator": "ok"}),
    ("GET", "{base}/{signed}?print=1", {}, {"lead colleague": "ok", "partner colleague": "ok",
                                            "other collaborator": "ok"}),
    ("GET", "{base}/{draft}/edit", {}, {"lead colleague": "ok", "partner colleague": 403, "other collaborator": 403}),
    ("POST", "{base}/{draft}/edit", {"purpose": "Changed"}, {"lead colleague": "ok", "partner colleague": 403,
                                                             "other collaborator": 403}),
    ("GET", "{base}/{draft}/milestones", {}, {"lead colleague": "ok", "partner colleague": 403,
                                              "other collaborator": 403}),
    ("POST", "{base}/{draft}/milestones", {"title": "Extra", "due_date": ["1", "2", "2027"]},
     {"lead colleague": "ok", "partner colleague": 403, "other collaborator": 403}),
    ("POST", "{base}/{draft}/milestones/{draft_milestone}/remove", {},
     {"lead colleague": "ok", "partner colleague": 403, "other collaborator": 403}),
    ("POST", "{base}/{draft}/propose", {}, {"lead colleague": "ok", "partner colleague": 403,
                                            "other collaborator": 403}),
    ("GET", "{base}/{proposed}/sign", {}, {"lead colleague": 403, "partner colleague": 403,
                                           "other collaborator": 403}),
    ("POST", "{base}/{proposed}/sign", {"typed_name": "Sam Okafor"},
     {"lead colleague": 403, "partner colleague": 403, "other collaborator": 403}),
    ("POST", "{base}/{signed}/vary", {}, {"lead colleague": "ok", "partner colleague": 403,
                                          "other collaborator": 403}),
    ("GET", "{base}/{signed}/close", {}, {"lead colleague": "ok", "partner colleague": 403,
                                          "other collaborator": 403}),
    ("POST", "{base}/{proposed}/close", {"reason": "No longer needed"},
     {"lead colleague": "ok", "partner colleague": 403, "other collaborator": 403}),
    ("GET", "{base}/{signed}/milestones/{signed_milestone}/status", {},
     {"lead colleague": "ok", "partner colleague": "ok", "other collaborator": 403}),
    ("POST", "{base}/{signed}/milestones/{signed_milestone}/status", {"status": "done"},
     {"lead colleague": "ok", "partner colleague": "ok", "other collaborator": 403}),
]


def _expected(person: str, allowed: dict[str, str | int]) -> str | int:
    if person == "anonymous":
        return "sign in"
    if person in ("outsider", "outside lead"):
        return 404
    # An administrator may run any engagement, as its lead organisation's members may.
    return allowed["lead colleague" if person == "administrator" else person]


def _state(world: World) -> list:
    """Everything a refused request must leave alone."""
    ids = [world.draft.id, world.proposed_id, world.signed_id]
    agreements = db.session.scalars(select(Agreement.id).order_by(Agreement.id)).all()
    return [snapshot(i) for i in ids] + [agreements]


def _request(app, world: World, person: str, method: str, template: str, data: dict):
    user = world.people[person]
    client = app.test_client()
    if user is not None:
        sign_in(client, user)
    path = world.path(template)
    if method == "GET":
        return client.get(path)
    data = {k: (str(world.parties.charity.id) if v == "CHARITY" else v) for k, v in data.items()}
    token = csrf_token(client, "/sign-in" if user is None else "/")
    return client.post(path, data={**data, "csrf_token": token})


ROUTE_IDS = [f"{m} {t.replace('{base}', '') or '/'}" for m, t, _, _ in ROUTES]


@pytest.mark.parametrize(("method", "template", "data", "allowed"), ROUTES, ids=ROUTE_IDS)
def test_people_without_the_right_are_refused_and_change_nothing(app, world, method, template, data, allowed):
    # A refused request changes nothing, so one agreement set serves every refused person in turn.
    refused = [p for p in PEOPLE if _expected(p, allowed) != "ok"]
    assert "anonymous" in refused and "outsider" in refused
    for person in refused:
        expected = _expected(person, allowed)
        before, audited = _state(world), audit_count("access.refused")
        response = _request(app, world, person, method, template, data)
        if expected == "sign in":
            assert response.status_code == 302, person
            assert response.headers["Location"].startswith("/sign-in?next="), person
            assert audit_count("access.refused") == audited
        else:
            assert response.status_code == expected, person
            assert audit_count("access.refused") == audited + 1, person
            if expected == 404:
                assert audit_count("access.refused", reason="not a partner") >= 1
        assert _state(world) == before, person


ALLOWED = [(route, person) for route in ROUTES for person in PEOPLE if _expected(person, route[3]) == "ok"]


@pytest.mark.parametrize(("route", "person"), ALLOWED,
                         ids=[f"{ROUTE_IDS[ROUTES.index(r)]}-{p}" for r, p in ALLOWED])
def test_people_with_the_right_are_let_in(app, world, route, person):
    method, template, data, _ = route
    response = _request(app, world, person, method, template, data)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response.headers["Location"].startswith(world.parties.base)
    assert audit_count("access.refused") == 0


def test_an_outsiders_refusal_is_audited_with_who_and_where(app, world):
    outsider = world.people["outsider"]
    client = app.test_client()
    sign_in(client, outsider)
    path = world.path("{base}/{signed}")
    assert client.get(path).status_code == 404
    db.session.expire_all()
    event = db.session.query(AuditEvent).filter_by(action="access.refused").one()
    assert event.actor_id == outsider.id
    assert event.data == {"path": path, "reason": "not a partner"}
    assert event.subject_type == "Engagement" and event.subject_id == world.parties.engagement.id


def test_a_collaborator_reads_the_agreement_without_the_lead_controls(app, world):
    client = app.test_client()
    sign_in(client, world.people["partner colleague"])
    html = client.get(world.path("{base}/{signed}")).get_data(as_text=True)
    assert "Shape the urgent care model" in html
    assert "Make a variation" not in html and "Close the agreement" not in html
    html = client.get(world.path("{base}/{draft}")).get_data(as_text=True)
    assert "Change the draft" not in html and "Propose for signing" not in html


def test_a_named_signatory_sees_the_sign_button_and_no_one_else_does(app, world):
    for user, shown in ((world.parties.partner, True), (world.people["partner colleague"], False),
                        (world.people["lead colleague"], False)):
        client = app.test_client()
        sign_in(client, user)
        html = client.get(world.path("{base}/{proposed}")).get_data(as_text=True)
        assert ("Read and sign" in html) is shown


# The collaborators gate ------------------------------------------------------------------------------

def _gate(parties: Parties) -> list[str]:
    db.session.expire_all()
    return steps.missing_to_leave(parties.engagement, Step.COLLABORATORS)


def test_the_gate_needs_a_signed_agreement_with_a_vcfse_collaborator(parties):
    assert GATE_MESSAGE in _gate(parties)
    agreement = draft_agreement(parties)
    assert GATE_MESSAGE in _gate(parties)
    propose_agreement(agreement, parties.lead)
    assert GATE_MESSAGE in _gate(parties)
    services.sign(agreement.id, user=parties.lead, typed_name=parties.lead.name,
                  expected_hash=agreement.content_hash)
    assert GATE_MESSAGE in _gate(parties)
    services.sign(agreement.id, user=parties.partner, typed_name=parties.partner.name,
                  expected_hash=agreement.content_hash)
    assert _gate(parties) == []


def test_the_gate_closes_again_when_the_partner_stops_collaborating(parties, signed):
    assert _gate(parties) == []
    collaborator = next(c for c in parties.engagement.collaborators if c.organisation_id == parties.charity.id)
    engagements.remove_collaborator(parties.engagement, collaborator, actor=parties.lead)
    db.session.commit()
    missing = _gate(parties)
    assert GATE_MESSAGE in missing
    assert fresh(signed.id).status is AgreementStatus.SIGNED  # the agreement itself is untouched


def test_the_gate_closes_again_when_the_agreement_is_closed(parties, signed):
    services.close(db.session.get(Agreement, signed.id), actor=parties.lead, reason="Funding withdrawn")
    db.session.commit()
    assert GATE_MESSAGE in _gate(parties)


def test_the_gate_stays_clear_through_a_variation(parties, signed):
    variation = services.vary(db.session.get(Agreement, signed.id), actor=parties.lead)
    db.session.commit()
    assert _gate(parties) == []
    propose_agreement(variation, parties.lead)
    assert _gate(parties) == []
    sign_both(parties, variation)
    assert fresh(signed.id).status is AgreementStatus.VARIED
    assert _gate(parties) == []


def test_the_gate_refuses_the_move_until_the_agreement_is_signed(parties):
    agreement = propose_agreement(draft_agreement(parties), parties.lead)
    engagement = parties.engagement
    engagement.current_step = Step.COLLABORATORS
    db.session.commit()
    with pytest.raises(engagements.GateClosed) as raised:
        engagements.move_on(engagement, actor=parties.lead)
    assert GATE_MESSAGE in raised.value.missing
    db.session.rollback()
    sign_both(parties, agreement)
    engagement = db.session.get(type(engagement), engagement.id)
    assert engagements.move_on(engagement, actor=parties.lead) is Step.FRAME

