"""A lead drafts and proposes an agreement; both signatories sign it through the pages."""

from sqlalchemy import select

from engage.agreements.models import Agreement, AgreementStatus
from engage.engagements import services as engagements
from engage.engagements.models import CollaboratorRole
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from tests.factories import csrf_token, sign_in

CONTENT = {
    "purpose": "Shape the urgent care model with people who use it.",
    "vcfse_deliverables": "Six community conversations.", "reach": "Around 120 residents.",
    "criteria": "Conversations held and reported.", "public_commitments": "Fund and attend.",
    "funding": "1500", "payment_schedule": "Half on signing, half on the final report.",
    "decision_maker_access": "The programme board hears the findings.",
    "feedback_commitment": "A 'you said, we did' note within three months.",
    "timescales": "October to December.", "reporting": "Monthly activity logs.",
    "data_protection": "No names recorded; consent for photos.", "publication": "Published on the record.",
    "disagreements": "Raised with the programme lead, then the CVS chief officer.",
    "review_date": ["1", "3", "2027"],
}


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_an_agreement_is_drafted_proposed_and_signed_by_both_parties(app, make):
    lead = make.lead(name="Priya Shah")
    charity = make.organisation(kind=OrganisationKind.VCFSE, name="Common Ground")
    partner = make.partner(organisation=charity, name="Jo Whitworth")
    engagement = engagements.open_engagement(title="Urgent care redesign", actor=lead)
    engagements.add_collaborator(engagement, actor=lead, organisation=charity, role=CollaboratorRole.VCFSE_PARTNER)
    db.session.commit()
    base = f"/workspace/{engagement.slug}/agreements"

    lead_client = app.test_client()
    sign_in(lead_client, lead)
    assert _post(lead_client, base, {"organisation": str(charity.id)}).status_code == 302
    agreement = db.session.scalar(select(Agreement))
    page = f"{base}/{agreement.id}"
    assert _post(lead_client, f"{page}/edit", {**CONTENT, "public_signatory": str(lead.id),
                                               "vcfse_signatory": str(partner.id)}).status_code == 302
    assert _post(lead_client, f"{page}/milestones", {"title": "First conversation",
                                                     "due_date": ["15", "10", "2026"]}).status_code == 302
    assert _post(lead_client, f"{page}/propose", {}).status_code == 302
    db.session.expire_all()
    agreement = db.session.get(Agreement, agreement.id)
    assert agreement.status is AgreementStatus.PROPOSED and len(agreement.content_hash) == 64

    assert _post(lead_client, f"{page}/sign", {"typed_name": "Priya Shah",
                                               "content_hash": agreement.content_hash}).status_code == 302
    partner_client = app.test_client()
    sign_in(partner_client, partner)
    assert _post(partner_client, f"{page}/sign", {"typed_name": "jo  whitworth",
                                                  "content_hash": agreement.content_hash}).status_code == 302
    db.session.expire_all()
    agreement = db.session.get(Agreement, agreement.id)
    assert agreement.status is AgreementStatus.SIGNED
    assert {s.user_id for s in agreement.signatures} == {lead.id, partner.id}
    assert all(s.content_hash == agreement.content_hash for s in agreement.signatures)
