"""Fields added to a request beyond the form's own are ignored: a page changes only what its form
offers, and who signs for which party comes from the account, never from the request."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from engage.accounts.models import Role, User
from engage.agreements import services
from engage.agreements.models import Agreement, AgreementStatus, Milestone, MilestoneStatus, Party
from engage.engagements import services as engagements
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from tests.agreements.conftest import (
    FORM_CONTENT,
    LEAD_NAME,
    PARTNER_NAME,
    Parties,
    agreement_count,
    draft_agreement,
    fresh,
    post,
    snapshot,
)
from tests.factories import Factories, sign_in


@pytest.fixture
def outsiders(make: Factories, parties: Parties) -> dict[str, int]:
    """Things a forged request might point at: another organisation, person, engagement and agreement."""
    other_org = make.organisation(kind=OrganisationKind.VCFSE, name="Elsewhere Trust")
    other_person = make.partner(organisation=other_org, name="Riley Moss")
    other_engagement = engagements.open_engagement(title="Parks and green spaces", actor=parties.lead)
    db.session.commit()
    other_agreement = draft_agreement(parties)
    return {"organisation": other_org.id, "person": other_person.id, "engagement": other_engagement.id,
            "agreement": other_agreement.id}


def _forged(outsiders: dict[str, int], **more: str) -> dict[str, str]:
    return {
        "status": "signed", "content_hash": "f" * 64, "role": "admin", "organisation": str(outsiders["organisation"]),
        "organisation_id": str(outsiders["organisation"]), "signer": str(outsiders["person"]),
        "user_id": str(outsiders["person"]), "public_organisation_id": str(outsiders["organisation"]),
        "vcfse_organisation_id": str(outsiders["organisation"]), "engagement_id": str(outsiders["engagement"]),
        "version_number": "9", "varies_id": str(outsiders["agreement"]), "party": "public_sector",
        "lock_version": "1", "created_by_id": str(outsiders["person"]), "funding_pence": "99999999",
        "signed_at": "2020-01-01T00:00:00", "proposed_at": "2020-01-01T00:00:00", "closed_reason": "forged",
        "position": "99", "agreement_id": str(outsiders["agreement"]), **more,
    }


def _client(app, user: User):
    client = app.test_client()
    sign_in(client, user)
    return client


def _unchanged_account(user: User, role: Role, organisation_id: int | None) -> None:
    db.session.expire_all()
    person = db.session.get(User, user.id)
    assert (person.role, person.organisation_id) == (role, organisation_id)


def test_the_edit_page_changes_only_the_content(app, parties, draft, outsiders):
    client = _client(app, parties.lead)
    response = post(client, f"{parties.page(draft.id)}/edit", {
        **FORM_CONTENT, "purpose": "The intended change", "public_signatory": str(parties.lead.id),
        "vcfse_signatory": str(parties.partner.id), **_forged(outsiders)})
    assert response.status_code == 302

    agreement = fresh(draft.id)
    assert agreement.purpose == "The intended change"
    assert agreement.funding_pence == 150000  # from the form's "funding", not "funding_pence"
    assert agreement.status is AgreementStatus.DRAFT and agreement.content_hash is None
    assert (agreement.engagement_id, agreement.public_organisation_id, agreement.vcfse_organisation_id) == (
        parties.engagement.id, parties.council.id, parties.charity.id)
    assert (agreement.version_number, agreement.varies_id) == (1, None)
    assert (agreement.created_by_id, agreement.signed_at, agreement.proposed_at) == (parties.lead.id, None, None)
    assert agreement.closed_reason == "" and agreement.signatures == []
    assert (agreement.public_signatory_id, agreement.vcfse_signatory_id) == (parties.lead.id, parties.partner.id)
    _unchanged_account(parties.lead, Role.LEAD, parties.council.id)


def test_starting_an_agreement_takes_only_the_chosen_collaborator(app, parties, outsiders):
    client = _client(app, parties.lead)
    before = agreement_count()
    response = post(client, parties.base, {**_forged(outsiders), "organisation": str(parties.charity.id)})
    assert response.status_code == 302
    agreement = db.session.scalar(select(Agreement).where(Agreement.id.not_in([outsiders["agreement"]]))
                                  .order_by(Agreement.id.desc()))
    assert agreement_count() == before + 1
    assert agreement.status is AgreementStatus.DRAFT and agreement.content_hash is None
    assert (agreement.engagement_id, agreement.public_organisation_id, agreement.vcfse_organisation_id) == (
        parties.engagement.id, parties.council.id, parties.charity.id)
    # The outsiders' draft was version 1 with this collaborator; the number is counted, not taken.
    assert (agreement.version_number, agreement.varies_id) == (2, None)
    assert agreement.funding_pence == 0 and agreement.created_by_id == parties.lead.id


def test_an_organisation_that_does_not_collaborate_cannot_be_chosen(app, parties, outsiders):
    client = _client(app, parties.lead)
    before = agreement_count()
    response = post(client, parties.base, {"organisation": str(outsiders["organisation"])})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert agreement_count() == before


def test_proposing_records_the_computed_hash_not_a_posted_one(app, parties, draft, outsiders):
    client = _client(app, parties.lead)
    page = parties.page(draft.id)
    assert post(client, f"{page}/propose", _forged(outsiders), token_from=page).status_code == 302
    agreement = fresh(draft.id)
    assert agreement.status is AgreementStatus.PROPOSED
    assert agreement.content_hash == hashlib.sha256(services.canonical_content(agreement)).hexdigest()
    assert agreement.content_hash != "f" * 64
    assert agreement.signatures == [] and agreement.version_number == 1 and agreement.varies_id is None


@pytest.mark.parametrize(("who", "posted_party", "party"), [
    ("partner", "public_sector", Party.VCFSE), ("lead", "vcfse", Party.PUBLIC_SECTOR)])
def test_the_party_a_signature_is_for_comes_from_the_account(app, parties, proposed, outsiders, who, posted_party,
                                                             party):
    person, name = (parties.partner, PARTNER_NAME) if who == "partner" else (parties.lead, LEAD_NAME)
    client = _client(app, person)
    forged = _forged(outsiders, party=posted_party, user_id=str(outsiders["person"]))
    response = post(client, f"{parties.page(proposed.id)}/sign",
                    {**forged, "typed_name": name, "content_hash": proposed.content_hash})
    assert response.status_code == 302
    agreement = fresh(proposed.id)
    assert [(s.party, s.user_id, s.typed_name) for s in agreement.signatures] == [(party, person.id, name)]
    assert agreement.status is AgreementStatus.PROPOSED and agreement.signed_at is None
    role, organisation = (Role.PARTNER, parties.charity.id) if who == "partner" else (Role.LEAD, parties.council.id)
    _unchanged_account(person, role, organisation)


def test_a_signer_field_does_not_let_someone_sign_for_another(app, parties, proposed, make):
    colleague = make.partner(organisation=parties.charity, name="Ali Khan")
    client = _client(app, colleague)
    page = parties.page(proposed.id)
    response = post(client, f"{page}/sign", {"typed_name": PARTNER_NAME, "content_hash": proposed.content_hash,
                                             "signer": str(parties.partner.id), "user_id": str(parties.partner.id)},
                    token_from=page)
    assert response.status_code == 403
    assert fresh(proposed.id).signatures == []


def test_adding_a_milestone_takes_only_its_title_and_date(app, parties, draft, outsiders):
    client = _client(app, parties.lead)
    other_before = snapshot(outsiders["agreement"])
    response = post(client, f"{parties.page(draft.id)}/milestones", {
        **_forged(outsiders, status="done"), "title": "Midpoint check", "due_date": ["20", "11", "2026"]})
    assert response.status_code == 302
    added = db.session.scalar(select(Milestone).where(Milestone.title == "Midpoint check"))
    assert added.agreement_id == draft.id
    assert added.status is MilestoneStatus.NOT_STARTED
    assert added.position == 3
    assert snapshot(outsiders["agreement"]) == other_before


def test_a_milestone_status_change_changes_only_the_status(app, parties, signed, outsiders):
    client = _client(app, parties.partner)
    before = snapshot(signed.id)
    milestone_id = before["milestones"][0][0]
    response = post(client, f"{parties.page(signed.id)}/milestones/{milestone_id}/status", {
        **_forged(outsiders), "status": "in_progress", "title": "Renamed", "due_date": ["1", "1", "2030"]})
    assert response.status_code == 302
    after = snapshot(signed.id)
    assert after["milestones"][0][4] is MilestoneStatus.IN_PROGRESS
    assert {k: v for k, v in after.items() if k != "milestones"} == {
        k: v for k, v in before.items() if k != "milestones"}
    assert [m[:4] for m in after["milestones"]] == [m[:4] for m in before["milestones"]]
    _unchanged_account(parties.partner, Role.PARTNER, parties.charity.id)


def test_a_variation_is_numbered_and_linked_by_the_service(app, parties, signed, outsiders):
    client = _client(app, parties.lead)
    page = parties.page(signed.id)
    response = post(client, f"{page}/vary", _forged(outsiders, version_number="1"), token_from=page)
    assert response.status_code == 302
    variation = db.session.scalar(select(Agreement).where(Agreement.varies_id == signed.id))
    # Version 1 is the signed original and version 2 the outsiders' draft: the variation is the next.
    assert (variation.version_number, variation.status, variation.content_hash) == (3, AgreementStatus.DRAFT, None)
    assert (variation.engagement_id, variation.vcfse_organisation_id) == (parties.engagement.id, parties.charity.id)
    assert fresh(signed.id).status is AgreementStatus.SIGNED


def test_closing_takes_only_the_reason(app, parties, signed, outsiders):
    client = _client(app, parties.lead)
    before = snapshot(signed.id)
    response = post(client, f"{parties.page(signed.id)}/close",
                    {**_forged(outsiders, status="draft"), "reason": "The programme was stopped."})
    assert response.status_code == 302
    agreement = fresh(signed.id)
    assert agreement.status is AgreementStatus.CLOSED
    assert agreement.closed_reason == "The programme was stopped."
    assert services.canonical_content(agreement) == before["canonical"]
    assert agreement.content_hash == before["content_hash"]
