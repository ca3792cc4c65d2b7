"""A proposed or signed agreement cannot be changed: not through the model, not through any page.

Only a milestone's status moves once the agreement is signed, because it records the work, not the
agreement.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engage.agreements import services
from engage.agreements.models import (
    CONTENT_FIELDS,
    Agreement,
    AgreementFrozen,
    AgreementStatus,
    Milestone,
    MilestoneStatus,
    Party,
    Signature,
)
from engage.engagements import services as engagements
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from tests.agreements.conftest import (
    FORM_CONTENT,
    Parties,
    draft_agreement,
    fresh,
    post,
    propose_agreement,
    sign_both,
    snapshot,
)
from tests.factories import Factories, sign_in

FROZEN = ["proposed", "signed"]


@pytest.fixture
def frozen(request, parties: Parties) -> Agreement:
    agreement = propose_agreement(draft_agreement(parties), parties.lead)
    if request.param == "signed":
        agreement = sign_both(parties, agreement)
    assert agreement.status is AgreementStatus(request.param)
    return agreement


def _other_value(name: str, agreement: Agreement, make: Factories, parties: Parties):
    """A value different from the agreement's own, of the right kind for the column."""
    if name == "funding_pence":
        return agreement.funding_pence + 1
    if name == "review_date":
        return date(2028, 6, 30)
    if name == "public_signatory_id":
        return make.lead(organisation=parties.council, name="Sam Okafor").id
    if name == "vcfse_signatory_id":
        return make.partner(organisation=parties.charity, name="Ali Khan").id
    if name == "engagement_id":
        return engagements.open_engagement(title="Another engagement", actor=parties.lead).id
    if name in ("public_organisation_id", "vcfse_organisation_id"):
        return make.organisation(kind=OrganisationKind.VCFSE, name="Somewhere Else").id
    if name == "version_number":
        return agreement.version_number + 1
    if name == "varies_id":
        return draft_agreement(parties).id
    if name == "content_hash":
        return "0" * 64
    return getattr(agreement, name) + " (changed)"


FROZEN_COLUMNS = [name for name, _ in CONTENT_FIELDS] + [
    "engagement_id", "public_organisation_id", "vcfse_organisation_id", "version_number", "varies_id",
    "content_hash"]


# Through the model ------------------------------------------------------------------------------------

@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
@pytest.mark.parametrize("name", FROZEN_COLUMNS)
def test_no_content_field_can_be_changed_through_the_model(frozen, name, make, parties):
    new_value = _other_value(name, frozen, make, parties)
    db.session.commit()
    before = snapshot(frozen.id)
    agreement = db.session.get(Agreement, frozen.id)
    setattr(agreement, name, new_value)
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_status_cannot_go_back_to_draft_to_open_the_content_again(frozen):
    before = snapshot(frozen.id)
    agreement = db.session.get(Agreement, frozen.id)
    agreement.status = AgreementStatus.DRAFT
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_going_back_to_draft_and_changing_a_milestone_in_one_flush_is_refused(frozen):
    before = snapshot(frozen.id)
    agreement = db.session.get(Agreement, frozen.id)
    agreement.status = AgreementStatus.DRAFT
    agreement.milestones[0].title = "Something else"
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_a_status_set_before_it_was_read_is_still_checked(frozen):
    before = snapshot(frozen.id)
    agreement = db.session.get(Agreement, frozen.id)
    db.session.commit()  # expires every attribute: the old status is no longer in memory
    agreement.status = AgreementStatus.DRAFT
    agreement.purpose = "Reopened and changed"
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_a_milestone_moved_before_it_was_read_is_still_checked(frozen, parties):
    other = draft_agreement(parties)
    before = snapshot(frozen.id)
    milestone = db.session.get(Agreement, frozen.id).milestones[0]
    db.session.commit()
    milestone.agreement_id = other.id
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
@pytest.mark.parametrize("how", ["collection", "session"])
def test_a_milestone_cannot_be_added(frozen, how):
    before = snapshot(frozen.id)
    agreement = db.session.get(Agreement, frozen.id)
    if how == "collection":
        agreement.milestones.append(Milestone(title="Extra", due_date=date(2026, 11, 1), position=9))
    else:
        db.session.add(Milestone(agreement_id=agreement.id, title="Extra", due_date=date(2026, 11, 1), position=9))
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
@pytest.mark.parametrize(("name", "value"), [("title", "Another title"), ("due_date", date(2027, 1, 31)),
                                             ("position", 42)])
def test_a_milestone_cannot_be_changed(frozen, name, value):
    before = snapshot(frozen.id)
    milestone = db.session.get(Agreement, frozen.id).milestones[0]
    setattr(milestone, name, value)
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_a_milestone_cannot_be_moved_to_another_agreement(frozen, parties):
    other = draft_agreement(parties)
    before = snapshot(frozen.id)
    milestone = db.session.get(Agreement, frozen.id).milestones[0]
    milestone.agreement_id = other.id
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_a_milestone_of_a_draft_cannot_be_moved_into_a_frozen_agreement(frozen, parties):
    other = draft_agreement(parties)
    before = snapshot(frozen.id)
    db.session.get(Agreement, other.id).milestones[0].agreement_id = frozen.id
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
@pytest.mark.parametrize("how", ["session", "collection"])
def test_a_milestone_cannot_be_deleted(frozen, how):
    before = snapshot(frozen.id)
    agreement = db.session.get(Agreement, frozen.id)
    if how == "session":
        db.session.delete(agreement.milestones[0])
    else:
        agreement.milestones.remove(agreement.milestones[0])
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_the_agreement_cannot_be_deleted(frozen):
    before = snapshot(frozen.id)
    db.session.delete(db.session.get(Agreement, frozen.id))
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("how", ["session", "collection"])
def test_a_signature_cannot_be_deleted(proposed, parties, how):
    services.sign(proposed.id, user=parties.lead, typed_name=parties.lead.name, expected_hash=proposed.content_hash)
    before = snapshot(proposed.id)
    agreement = db.session.get(Agreement, proposed.id)
    if how == "session":
        db.session.delete(agreement.signatures[0])
    else:
        agreement.signatures.remove(agreement.signatures[0])
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(proposed.id) == before


@pytest.mark.parametrize(("name", "value"), [("content_hash", "0" * 64), ("typed_name", "Someone Else"),
                                             ("party", Party.VCFSE)])
def test_a_signature_cannot_be_changed(signed, name, value):
    before = snapshot(signed.id)
    signature = db.session.get(Agreement, signed.id).signature_for(Party.PUBLIC_SECTOR)
    if name == "party":
        db.session.delete(db.session.get(Agreement, signed.id).signature_for(Party.VCFSE))
    setattr(signature, name, value)
    with pytest.raises(AgreementFrozen):
        db.session.commit()
    assert snapshot(signed.id) == before


def test_a_draft_can_be_changed_and_deleted_through_the_model(draft):
    draft.purpose = "A different purpose"
    draft.milestones[0].title = "Renamed"
    draft.milestones.append(Milestone(title="Added", due_date=date(2026, 11, 1), position=3))
    db.session.commit()
    agreement = fresh(draft.id)
    assert agreement.purpose == "A different purpose"
    assert [m.title for m in agreement.milestones] == ["Renamed", "Final report", "Added"]
    db.session.delete(agreement)
    db.session.commit()
    assert db.session.get(Agreement, draft.id) is None
    assert db.session.scalars(select(Milestone)).all() == []


# Milestone status -------------------------------------------------------------------------------------

def test_a_signed_agreements_milestone_status_can_move(signed, parties):
    before = snapshot(signed.id)
    milestone = db.session.get(Agreement, signed.id).milestones[0]
    services.set_milestone_status(milestone, actor=parties.partner, status=MilestoneStatus.DONE)
    db.session.commit()
    after = snapshot(signed.id)
    assert after["milestones"][0][4] is MilestoneStatus.DONE
    assert after["canonical"] == before["canonical"]
    assert after["content_hash"] == before["content_hash"] == after["recomputed_hash"]
    assert after["signatures"] == before["signatures"]


@pytest.mark.parametrize("stage", ["draft", "proposed"])
def test_milestone_status_does_not_move_before_signing(parties, stage):
    agreement = draft_agreement(parties)
    if stage == "proposed":
        propose_agreement(agreement, parties.lead)
    milestone = agreement.milestones[0]
    with pytest.raises(services.AgreementError, match="once the agreement is signed"):
        services.set_milestone_status(milestone, actor=parties.lead, status=MilestoneStatus.IN_PROGRESS)
    assert fresh(agreement.id).milestones[0].status is MilestoneStatus.NOT_STARTED


# Through the services ----------------------------------------------------------------------------------

@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_the_services_refuse_to_change_a_frozen_agreement(frozen, parties):
    before = snapshot(frozen.id)
    agreement = db.session.get(Agreement, frozen.id)
    for change in (
        lambda: services.update_draft(agreement, actor=parties.lead, purpose="Changed"),
        lambda: services.add_milestone(agreement, actor=parties.lead, title="Extra", due_date=date(2026, 11, 1)),
        lambda: services.remove_milestone(agreement, agreement.milestones[0], actor=parties.lead),
        lambda: services.propose(agreement, actor=parties.lead),
    ):
        with pytest.raises(services.AgreementError, match="cannot be changed"):
            change()
    db.session.commit()
    assert snapshot(frozen.id) == before


# Through the pages -------------------------------------------------------------------------------------

@pytest.fixture
def lead_client(app, parties):
    client = app.test_client()
    sign_in(client, parties.lead)
    return client


def _followed_text(client, response) -> str:
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_the_edit_page_refuses_a_frozen_agreement(frozen, parties, lead_client):
    page = parties.page(frozen.id)
    before = snapshot(frozen.id)
    assert lead_client.get(f"{page}/edit").status_code == 302
    response = post(lead_client, f"{page}/edit", {**FORM_CONTENT, "purpose": "Quietly changed", "funding": "9999",
                                                  "public_signatory": str(parties.lead.id),
                                                  "vcfse_signatory": str(parties.partner.id)}, token_from=page)
    assert response.headers["Location"].endswith(page)
    assert "cannot be changed. Make a variation instead." in _followed_text(lead_client, response)
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_the_milestones_page_refuses_to_add_to_a_frozen_agreement(frozen, parties, lead_client):
    page = parties.page(frozen.id)
    before = snapshot(frozen.id)
    response = post(lead_client, f"{page}/milestones", {"title": "Sneaked in", "due_date": ["1", "11", "2026"]},
                    token_from=page)
    assert response.status_code == 200
    assert "it cannot be changed" in response.get_data(as_text=True)
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_the_milestones_page_refuses_to_remove_from_a_frozen_agreement(frozen, parties, lead_client):
    page = parties.page(frozen.id)
    before = snapshot(frozen.id)
    milestone_id = before["milestones"][0][0]
    response = post(lead_client, f"{page}/milestones/{milestone_id}/remove", {}, token_from=page)
    assert "it cannot be changed" in _followed_text(lead_client, response)
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_proposing_again_does_not_refreeze(frozen, parties, lead_client):
    page = parties.page(frozen.id)
    before = snapshot(frozen.id)
    response = post(lead_client, f"{page}/propose", {}, token_from=page)
    assert "cannot be proposed yet" in _followed_text(lead_client, response)
    assert snapshot(frozen.id) == before


@pytest.mark.parametrize("frozen", FROZEN, indirect=True)
def test_an_administrator_cannot_change_it_either(frozen, parties, make, app):
    admin = make.admin(name="Service Owner")
    client = app.test_client()
    sign_in(client, admin)
    page = parties.page(frozen.id)
    before = snapshot(frozen.id)
    response = post(client, f"{page}/edit", {**FORM_CONTENT, "purpose": "Changed by an administrator"},
                    token_from=page)
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    response = post(client, f"{page}/milestones", {"title": "Added by an administrator",
                                                   "due_date": ["1", "11", "2026"]}, token_from=page)
    assert "it cannot be changed" in response.get_data(as_text=True)
    assert snapshot(frozen.id) == before


def test_a_draft_can_be_edited_freely_through_the_pages(draft, parties, lead_client):
    page = parties.page(draft.id)
    response = post(lead_client, f"{page}/edit", {**FORM_CONTENT, "purpose": "A sharper purpose",
                                                  "funding": "2000.50", "public_signatory": str(parties.lead.id),
                                                  "vcfse_signatory": ""})
    assert response.status_code == 302
    response = post(lead_client, f"{page}/milestones", {"title": "Midpoint check", "due_date": ["20", "11", "2026"]})
    assert response.status_code == 302
    first = fresh(draft.id).milestones[0].id
    assert post(lead_client, f"{page}/milestones/{first}/remove", {}, token_from=page).status_code == 302
    agreement = fresh(draft.id)
    assert agreement.status is AgreementStatus.DRAFT and agreement.content_hash is None
    assert agreement.purpose == "A sharper purpose" and agreement.funding_pence == 200050
    assert agreement.vcfse_signatory_id is None
    assert [m.title for m in agreement.milestones] == ["Final report", "Midpoint check"]


def test_a_draft_form_without_its_date_boxes_is_answered_not_failed(draft, parties, lead_client):
    # A request may leave out the three date boxes altogether: that is an empty date, not a server error.
    page = parties.page(draft.id)
    content = {k: v for k, v in FORM_CONTENT.items() if k != "review_date"}
    response = post(lead_client, f"{page}/edit", {**content, "public_signatory": "", "vcfse_signatory": ""})
    assert response.status_code == 302
    assert fresh(draft.id).review_date is None
    response = post(lead_client, f"{page}/milestones", {"title": "No date given"})
    assert response.status_code == 200
    assert "Enter the due date as a real date, like 27 3 2027" in response.get_data(as_text=True)
    response = post(lead_client, f"{page}/milestones", {"title": "Half a date", "due_date": ["12", "", "2026"]})
    assert "Due date must include a month" in response.get_data(as_text=True)
    assert [m.title for m in fresh(draft.id).milestones] == ["First conversation", "Final report"]


def test_changing_the_content_of_a_variation_leaves_the_original_alone(signed, parties):
    before = snapshot(signed.id)
    variation = services.vary(db.session.get(Agreement, signed.id), actor=parties.lead)
    services.update_draft(variation, actor=parties.lead, purpose="A new purpose")
    services.add_milestone(variation, actor=parties.lead, title="Extra", due_date=date(2027, 1, 15))
    services.remove_milestone(variation, variation.milestones[0], actor=parties.lead)
    db.session.commit()
    assert snapshot(signed.id) == before
    assert db.session.scalar(select(Signature.id).where(Signature.agreement_id == variation.id)) is None
