"""Signatures bind to the hash of the content the signatory read; only the named signatories sign, each
once, and one person cannot fill both parties' places."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engage.agreements import services
from engage.agreements.models import CONTENT_FIELDS, Agreement, AgreementStatus, MilestoneStatus, Party, Signature
from engage.extensions import db
from tests.agreements.conftest import (
    LEAD_NAME,
    PARTNER_NAME,
    audit_count,
    draft_agreement,
    fresh,
    post,
    propose_agreement,
    snapshot,
)
from tests.factories import sign_in


def _signatures(agreement_id: int) -> list[tuple[Party, int, str]]:
    return [(s.party, s.user_id, s.content_hash) for s in fresh(agreement_id).signatures]


# The hash -----------------------------------------------------------------------------------------------

def test_the_stored_hash_is_the_sha256_of_the_canonical_content(proposed):
    agreement = fresh(proposed.id)
    canonical = services.canonical_content(agreement)
    assert agreement.content_hash == hashlib.sha256(canonical).hexdigest() == services.content_hash(agreement)
    content = json.loads(canonical)
    assert list(content) == sorted(content)
    assert content["purpose"] == agreement.purpose and content["review_date"] == "2027-03-01"
    assert content["milestones"] == [{"title": "First conversation", "due_date": "2026-10-15", "position": 1},
                                     {"title": "Final report", "due_date": "2026-12-18", "position": 2}]
    assert canonical == json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_two_drafts_with_the_same_content_differ_only_by_their_version(parties):
    first = draft_agreement(parties)
    second = draft_agreement(parties)
    a, b = json.loads(services.canonical_content(first)), json.loads(services.canonical_content(second))
    assert (a.pop("version_number"), b.pop("version_number")) == (1, 2)
    assert a == b
    assert services.content_hash(first) != services.content_hash(second)


CHANGES = {
    "funding_pence": 150001, "review_date": date(2027, 3, 2), "public_signatory_id": None,
    "vcfse_signatory_id": None, "engagement_id": 999_999, "public_organisation_id": 999_999,
    "vcfse_organisation_id": 999_999, "version_number": 7, "varies_id": 999_999,
}


@pytest.mark.parametrize("name", [name for name, _ in CONTENT_FIELDS] + [
    "engagement_id", "public_organisation_id", "vcfse_organisation_id", "version_number", "varies_id"])
def test_the_hash_changes_when_any_content_field_differs(draft, name):
    original = services.content_hash(draft)
    setattr(draft, name, CHANGES.get(name, f"{getattr(draft, name)}."))
    assert services.content_hash(draft) != original


@pytest.mark.parametrize(("name", "value"), [("title", "First conversation."), ("due_date", date(2026, 10, 16)),
                                             ("position", 5)])
def test_the_hash_changes_when_a_milestone_differs(draft, name, value):
    original = services.content_hash(draft)
    setattr(draft.milestones[0], name, value)
    assert services.content_hash(draft) != original


def test_a_milestones_status_is_not_part_of_the_hash(draft):
    original = services.content_hash(draft)
    draft.milestones[0].status = MilestoneStatus.DONE
    assert services.content_hash(draft) == original


# Binding to the hash --------------------------------------------------------------------------------------

def test_a_signature_for_other_content_is_refused(proposed, parties):
    other = hashlib.sha256(b"what I was shown").hexdigest()
    with pytest.raises(services.AgreementError, match="not the one proposed"):
        services.sign(proposed.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=other)
    with pytest.raises(services.AgreementError, match="not the one proposed"):
        services.sign(proposed.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash="")
    assert _signatures(proposed.id) == []


def test_the_sign_page_refuses_a_hash_that_is_not_the_proposed_one(proposed, parties, app):
    client = app.test_client()
    sign_in(client, parties.partner)
    page = parties.page(proposed.id)
    response = post(client, f"{page}/sign", {"typed_name": PARTNER_NAME, "content_hash": "0" * 64})
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert "not the one proposed" in client.get(page).get_data(as_text=True)
    assert _signatures(proposed.id) == []


def test_the_sign_page_carries_the_hash_of_what_it_shows(proposed, parties, app):
    client = app.test_client()
    sign_in(client, parties.partner)
    html = client.get(f"{parties.page(proposed.id)}/sign").get_data(as_text=True)
    assert f'name="content_hash" type="hidden" value="{proposed.content_hash}"' in html
    assert proposed.purpose in html


def test_each_signature_records_the_hash_and_the_agreement_is_signed_when_both_have(proposed, parties):
    signed_hash = proposed.content_hash
    services.sign(proposed.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=signed_hash)
    agreement = fresh(proposed.id)
    assert agreement.status is AgreementStatus.PROPOSED and agreement.signed_at is None
    assert _signatures(proposed.id) == [(Party.PUBLIC_SECTOR, parties.lead.id, signed_hash)]

    services.sign(proposed.id, user=parties.partner, typed_name=PARTNER_NAME, expected_hash=signed_hash)
    agreement = fresh(proposed.id)
    assert agreement.status is AgreementStatus.SIGNED and agreement.signed_at is not None
    assert _signatures(proposed.id) == [(Party.PUBLIC_SECTOR, parties.lead.id, signed_hash),
                                        (Party.VCFSE, parties.partner.id, signed_hash)]
    assert agreement.content_hash == signed_hash == services.content_hash(agreement)
    assert [s.typed_name for s in agreement.signatures] == [LEAD_NAME, PARTNER_NAME]
    assert audit_count("agreement.signed", content_hash=signed_hash) == 2
    assert audit_count("agreement.signed", complete=True) == 1


def test_a_signature_of_another_hash_does_not_complete_the_agreement(proposed, parties):
    # A signature row for other content, put in below the services, as a damaged record would be.
    db.session.add(Signature(agreement_id=proposed.id, party=Party.PUBLIC_SECTOR, user_id=parties.lead.id,
                             typed_name=LEAD_NAME, content_hash="f" * 64))
    db.session.commit()
    services.sign(proposed.id, user=parties.partner, typed_name=PARTNER_NAME, expected_hash=proposed.content_hash)
    agreement = fresh(proposed.id)
    assert agreement.status is AgreementStatus.PROPOSED
    assert {s.party for s in agreement.signatures} == {Party.PUBLIC_SECTOR, Party.VCFSE}


# The typed name -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["priya shah", "  PRIYA   Shah ", "Priya\tShah"])
def test_the_typed_name_matches_regardless_of_case_and_spacing(proposed, parties, typed):
    services.sign(proposed.id, user=parties.lead, typed_name=typed, expected_hash=proposed.content_hash)
    assert _signatures(proposed.id) == [(Party.PUBLIC_SECTOR, parties.lead.id, proposed.content_hash)]


@pytest.mark.parametrize("typed", ["Priya", "Priya Shaw", "P Shah", "Jo Whitworth", "PriyaShah"])
def test_a_typed_name_that_is_not_the_signatorys_is_refused(proposed, parties, typed):
    with pytest.raises(services.AgreementError) as raised:
        services.sign(proposed.id, user=parties.lead, typed_name=typed, expected_hash=proposed.content_hash)
    assert raised.value.field == "typed_name"
    assert raised.value.message == "Type your full name exactly as it appears on your account"
    assert _signatures(proposed.id) == []


def test_the_sign_page_explains_a_wrong_name_and_keeps_the_input(proposed, parties, app):
    client = app.test_client()
    sign_in(client, parties.partner)
    response = post(client, f"{parties.page(proposed.id)}/sign",
                    {"typed_name": "Joanne Whitworth", "content_hash": proposed.content_hash})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Type your full name exactly as it appears on your account" in html
    assert 'value="Joanne Whitworth"' in html
    assert _signatures(proposed.id) == []


# Who may sign ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["colleague of the lead", "colleague of the partner"])
def test_only_the_named_signatories_can_sign(proposed, parties, make, app, who):
    if who == "colleague of the lead":
        person = make.lead(organisation=parties.council, name="Sam Okafor")
    else:
        person = make.partner(organisation=parties.charity, name="Ali Khan")
    with pytest.raises(services.AgreementError, match="Only the named signatories"):
        services.sign(proposed.id, user=person, typed_name=person.name, expected_hash=proposed.content_hash)

    client = app.test_client()
    sign_in(client, person)
    path = f"{parties.page(proposed.id)}/sign"
    assert client.get(path).status_code == 403
    response = post(client, path, {"typed_name": person.name, "content_hash": proposed.content_hash},
                    token_from=parties.page(proposed.id))
    assert response.status_code == 403
    assert _signatures(proposed.id) == []
    assert audit_count("access.refused", reason="not a signatory") == 2


def test_a_signatory_must_belong_to_the_party_they_sign_for(draft, parties, make):
    admin = make.admin(name="Service Owner")
    for field, person in (("public_signatory_id", parties.partner), ("vcfse_signatory_id", parties.lead),
                          ("public_signatory_id", admin), ("vcfse_signatory_id", admin)):
        with pytest.raises(services.AgreementError, match="active member of that organisation"):
            services.update_draft(draft, actor=parties.lead, **{field: person.id})
    agreement = fresh(draft.id)
    assert (agreement.public_signatory_id, agreement.vcfse_signatory_id) == (parties.lead.id, parties.partner.id)


def test_the_edit_page_offers_each_party_only_its_own_members(draft, parties, app):
    client = app.test_client()
    sign_in(client, parties.lead)
    path = f"{parties.page(draft.id)}/edit"
    response = post(client, path, {"purpose": "x", "public_signatory": str(parties.partner.id),
                                   "vcfse_signatory": str(parties.lead.id)})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    agreement = fresh(draft.id)
    assert (agreement.public_signatory_id, agreement.vcfse_signatory_id) == (parties.lead.id, parties.partner.id)


def test_one_person_named_for_both_places_signs_only_once(parties, make):
    # Only possible below the services (they refuse someone outside the party's organisation); the
    # signing rules must hold even so.
    agreement = draft_agreement(parties)
    agreement.vcfse_signatory_id = parties.lead.id
    db.session.commit()
    propose_agreement(agreement, parties.lead)
    services.sign(agreement.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=agreement.content_hash)
    with pytest.raises(services.AgreementError, match="already signed"):
        services.sign(agreement.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=agreement.content_hash)
    assert _signatures(agreement.id) == [(Party.PUBLIC_SECTOR, parties.lead.id, agreement.content_hash)]
    assert fresh(agreement.id).status is AgreementStatus.PROPOSED

    # And the database itself refuses a second signature by the same person.
    db.session.add(Signature(agreement_id=agreement.id, party=Party.VCFSE, user_id=parties.lead.id,
                             typed_name=LEAD_NAME, content_hash=agreement.content_hash))
    with pytest.raises(IntegrityError, match=r"(?i)unique|one_signature_per_person"):
        db.session.commit()
    db.session.rollback()
    assert len(_signatures(agreement.id)) == 1


def test_the_database_refuses_two_signatures_for_one_party(proposed, parties, make):
    services.sign(proposed.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=proposed.content_hash)
    colleague = make.lead(organisation=parties.council, name="Sam Okafor")
    db.session.add(Signature(agreement_id=proposed.id, party=Party.PUBLIC_SECTOR, user_id=colleague.id,
                             typed_name=colleague.name, content_hash=proposed.content_hash))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert len(_signatures(proposed.id)) == 1


# Once, and only while proposed ----------------------------------------------------------------------------

def test_signing_twice_is_refused(proposed, parties, app):
    services.sign(proposed.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=proposed.content_hash)
    before = snapshot(proposed.id)
    with pytest.raises(services.AgreementError, match="You have already signed"):
        services.sign(proposed.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=proposed.content_hash)

    client = app.test_client()
    sign_in(client, parties.lead)
    page = parties.page(proposed.id)
    response = post(client, f"{page}/sign", {"typed_name": LEAD_NAME, "content_hash": proposed.content_hash},
                    token_from=page)
    assert response.status_code == 302
    assert "You have already signed" in client.get(page).get_data(as_text=True)
    assert snapshot(proposed.id) == before
    assert audit_count("agreement.signed") == 1


def test_a_signed_agreement_cannot_be_signed_again(signed, parties):
    before = snapshot(signed.id)
    for person, name in ((parties.lead, LEAD_NAME), (parties.partner, PARTNER_NAME)):
        with pytest.raises(services.AgreementError, match="signed: it cannot be signed"):
            services.sign(signed.id, user=person, typed_name=name, expected_hash=signed.content_hash)
    assert snapshot(signed.id) == before


def test_a_draft_cannot_be_signed(draft, parties):
    for expected in ("", services.content_hash(draft)):
        with pytest.raises(services.AgreementError, match="draft: it cannot be signed"):
            services.sign(draft.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=expected)
    assert _signatures(draft.id) == []
    assert fresh(draft.id).status is AgreementStatus.DRAFT


def test_a_closed_agreement_cannot_be_signed(proposed, parties, app):
    services.close(db.session.get(Agreement, proposed.id), actor=parties.lead, reason="The funding fell through.")
    db.session.commit()
    with pytest.raises(services.AgreementError, match="closed: it cannot be signed"):
        services.sign(proposed.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=proposed.content_hash)
    client = app.test_client()
    sign_in(client, parties.partner)
    page = parties.page(proposed.id)
    post(client, f"{page}/sign", {"typed_name": PARTNER_NAME, "content_hash": proposed.content_hash},
         token_from=page)
    assert _signatures(proposed.id) == []
    assert fresh(proposed.id).status is AgreementStatus.CLOSED


def test_an_unknown_agreement_cannot_be_signed(parties):
    with pytest.raises(services.AgreementError, match="does not exist"):
        services.sign(999_999, user=parties.lead, typed_name=LEAD_NAME, expected_hash="")
    assert db.session.scalars(select(Signature)).all() == []


def test_the_sign_page_is_not_offered_for_a_draft(app, make):
    from engage.agreements import services as agreements
    from engage.engagements import services as engagements
    from engage.engagements.models import CollaboratorRole
    from engage.organisations.models import OrganisationKind

    lead = make.lead()
    charity = make.organisation(kind=OrganisationKind.VCFSE)
    engagement = engagements.open_engagement(title="Draft only", actor=lead)
    engagements.add_collaborator(engagement, actor=lead, organisation=charity, role=CollaboratorRole.VCFSE_PARTNER)
    agreement = agreements.start_agreement(engagement, actor=lead, vcfse=charity)
    agreements.update_draft(agreement, actor=lead, public_signatory_id=lead.id)
    db.session.commit()
    client = app.test_client()
    sign_in(client, lead)

    response = client.get(f"/workspace/{engagement.slug}/agreements/{agreement.id}/sign")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agreements/{agreement.id}")
