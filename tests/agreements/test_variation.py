"""A variation is a new version that names the one it varies. It supersedes the original only once both
parties have signed it, and the original stays readable with its hash and signatures intact."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engage.agreements import services
from engage.agreements.models import CONTENT_FIELDS, Agreement, AgreementStatus
from engage.extensions import db
from tests.agreements.conftest import (
    LEAD_NAME,
    PARTNER_NAME,
    Parties,
    audit_count,
    fresh,
    post,
    propose_agreement,
    sign_both,
    snapshot,
)
from tests.factories import sign_in


def _vary(parties: Parties, agreement_id: int) -> Agreement:
    variation = services.vary(db.session.get(Agreement, agreement_id), actor=parties.lead)
    db.session.commit()
    return variation


def test_a_variation_is_a_new_draft_copying_the_original(parties, signed):
    before = snapshot(signed.id)
    variation = _vary(parties, signed.id)
    original = fresh(signed.id)
    variation = db.session.get(Agreement, variation.id)

    assert variation.id != original.id and variation.varies_id == original.id
    assert variation.version_number == original.version_number + 1 == 2
    assert variation.status is AgreementStatus.DRAFT and variation.content_hash is None
    assert variation.signatures == [] and variation.proposed_at is None and variation.signed_at is None
    assert {n: getattr(variation, n) for n, _ in CONTENT_FIELDS} == {n: getattr(original, n) for n, _ in CONTENT_FIELDS}
    assert [(m.title, m.due_date, m.position) for m in variation.milestones] == [
        (m.title, m.due_date, m.position) for m in original.milestones]
    assert {m.id for m in variation.milestones}.isdisjoint({m.id for m in original.milestones})
    assert (variation.engagement_id, variation.public_organisation_id, variation.vcfse_organisation_id) == (
        original.engagement_id, original.public_organisation_id, original.vcfse_organisation_id)
    assert snapshot(signed.id) == before
    assert audit_count("agreement.variation_started", varies_id=signed.id) == 1


def test_the_original_stays_in_force_while_the_variation_is_drafted_and_proposed(parties, signed):
    before = snapshot(signed.id)
    variation = _vary(parties, signed.id)
    services.update_draft(variation, actor=parties.lead, purpose="A wider purpose", funding_pence=250000)
    services.add_milestone(variation, actor=parties.lead, title="Extra session", due_date=date(2027, 1, 20))
    db.session.commit()
    assert snapshot(signed.id) == before

    propose_agreement(variation, parties.lead)
    services.sign(variation.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=variation.content_hash)
    assert snapshot(signed.id) == before
    assert fresh(signed.id).status is AgreementStatus.SIGNED
    assert [a.id for a in services.signed_with(parties.engagement)] == [signed.id]


def test_when_both_sign_the_variation_it_supersedes_the_original(parties, signed, app):
    before = snapshot(signed.id)
    variation = _vary(parties, signed.id)
    services.update_draft(variation, actor=parties.lead, purpose="A wider purpose")
    db.session.commit()
    propose_agreement(variation, parties.lead)
    assert variation.content_hash != before["content_hash"]
    sign_both(parties, variation)

    variation = fresh(variation.id)
    original = db.session.get(Agreement, signed.id)
    assert variation.status is AgreementStatus.SIGNED
    assert original.status is AgreementStatus.VARIED
    after = snapshot(signed.id)
    assert {k: v for k, v in after.items() if k not in ("status", "lock_version")} == {
        k: v for k, v in before.items() if k not in ("status", "lock_version")}
    assert after["recomputed_hash"] == after["content_hash"] == before["content_hash"]
    assert [a.id for a in services.signed_with(parties.engagement)] == [variation.id]

    # The original is still there to read, with who signed it and what they signed.
    client = app.test_client()
    sign_in(client, parties.partner)
    html = client.get(parties.page(signed.id)).get_data(as_text=True)
    assert "Varied" in html and before["content_hash"] in html
    assert f"signed by {LEAD_NAME}" in html and f"signed by {PARTNER_NAME}" in html
    assert "Shape the urgent care model" in html
    html = client.get(parties.page(variation.id)).get_data(as_text=True)
    assert "Version 2, varying version 1" in html and "A wider purpose" in html


def test_a_varied_agreement_cannot_be_signed_varied_again_or_changed(parties, signed):
    variation = _vary(parties, signed.id)
    propose_agreement(variation, parties.lead)
    sign_both(parties, variation)
    before = snapshot(signed.id)
    original = db.session.get(Agreement, signed.id)
    with pytest.raises(services.AgreementError, match="Only a proposed or signed agreement can be varied"):
        services.vary(original, actor=parties.lead)
    with pytest.raises(services.AgreementError, match="cannot be changed"):
        services.update_draft(original, actor=parties.lead, purpose="Changed")
    with pytest.raises(services.AgreementError, match="Only a proposed or signed agreement can be closed"):
        services.close(original, actor=parties.lead, reason="Tidying up")
    with pytest.raises(services.AgreementError, match="varied: it cannot be signed"):
        services.sign(signed.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=before["content_hash"])
    assert snapshot(signed.id) == before
    # The variation in force is itself varied by the next version.
    assert _vary(parties, variation.id).version_number == 3


def test_a_superseded_proposal_cannot_come_into_force_later(parties, proposed):
    # Varying a proposal that nobody has signed yet: once the variation is signed, the proposal is replaced.
    variation = _vary(parties, proposed.id)
    propose_agreement(variation, parties.lead)
    sign_both(parties, variation)
    assert fresh(proposed.id).status is AgreementStatus.VARIED
    with pytest.raises(services.AgreementError, match="varied: it cannot be signed"):
        services.sign(proposed.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=proposed.content_hash)
    assert fresh(proposed.id).signatures == []
    assert [a.id for a in services.signed_with(parties.engagement)] == [variation.id]


@pytest.mark.parametrize("stage", ["draft", "proposed"])
def test_only_one_variation_at_a_time(parties, signed, stage):
    variation = _vary(parties, signed.id)
    if stage == "proposed":
        propose_agreement(variation, parties.lead)
    with pytest.raises(services.AgreementError, match="already being prepared"):
        services.vary(db.session.get(Agreement, signed.id), actor=parties.lead)
    db.session.rollback()
    assert db.session.scalars(select(Agreement.id).where(Agreement.varies_id == signed.id)).all() == [variation.id]


def test_a_second_variation_through_the_page_is_refused_with_a_message(parties, signed, app):
    client = app.test_client()
    sign_in(client, parties.lead)
    page = parties.page(signed.id)
    first = post(client, f"{page}/vary", {}, token_from=page)
    assert first.status_code == 302 and first.headers["Location"].endswith("/edit")
    second = post(client, f"{page}/vary", {}, token_from=page)
    assert second.status_code == 302 and second.headers["Location"].endswith(page)
    assert "A variation of this agreement is already being prepared" in client.get(page).get_data(as_text=True)
    assert len(db.session.scalars(select(Agreement).where(Agreement.varies_id == signed.id)).all()) == 1


def test_a_closed_variation_leaves_the_original_in_force_and_frees_the_way_for_another(parties, signed):
    before = snapshot(signed.id)
    variation = _vary(parties, signed.id)
    propose_agreement(variation, parties.lead)
    services.close(variation, actor=parties.lead, reason="We agreed to keep the original.")
    db.session.commit()
    assert snapshot(signed.id) == before
    assert _vary(parties, signed.id).version_number == 3


def test_a_draft_cannot_be_varied(parties, draft):
    with pytest.raises(services.AgreementError, match="Only a proposed or signed agreement can be varied"):
        services.vary(draft, actor=parties.lead)


# Closing ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_closing_needs_a_reason(parties, signed, reason):
    before = snapshot(signed.id)
    with pytest.raises(services.AgreementError, match="Give the reason for closing the agreement"):
        services.close(db.session.get(Agreement, signed.id), actor=parties.lead, reason=reason)
    assert snapshot(signed.id) == before


def test_the_close_page_asks_for_the_reason(parties, signed, app):
    client = app.test_client()
    sign_in(client, parties.lead)
    path = f"{parties.page(signed.id)}/close"
    before = snapshot(signed.id)
    response = post(client, path, {"reason": "  "})
    assert response.status_code == 200
    assert "Give the reason" in response.get_data(as_text=True)
    assert snapshot(signed.id) == before

    response = post(client, path, {"reason": "The service was decommissioned."})
    assert response.status_code == 302
    agreement = fresh(signed.id)
    assert agreement.status is AgreementStatus.CLOSED and agreement.closed_at is not None
    assert agreement.closed_reason == "The service was decommissioned."
    assert agreement.content_hash == before["content_hash"] == services.content_hash(agreement)
    assert len(agreement.signatures) == 2
    assert audit_count("agreement.closed", reason="The service was decommissioned.") == 1
    assert "Closed: The service was decommissioned." in client.get(parties.page(signed.id)).get_data(as_text=True)


def test_a_draft_cannot_be_closed(parties, draft):
    with pytest.raises(services.AgreementError, match="Only a proposed or signed agreement can be closed"):
        services.close(draft, actor=parties.lead, reason="Not needed")
    assert fresh(draft.id).status is AgreementStatus.DRAFT
