"""Agreements built through the real services: a lead organisation, a VCFSE collaborator, their named
signatories, and an agreement at whichever stage a test needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from engage.accounts.models import User
from engage.agreements import services
from engage.agreements.models import Agreement
from engage.audit.models import AuditEvent
from engage.engagements import services as engagements
from engage.engagements.models import CollaboratorRole, Engagement
from engage.extensions import db
from engage.organisations.models import Organisation, OrganisationKind
from tests.factories import Factories, csrf_token

LEAD_NAME = "Priya Shah"
PARTNER_NAME = "Jo Whitworth"

CONTENT: dict[str, Any] = {
    "purpose": "Shape the urgent care model with people who use it.",
    "vcfse_deliverables": "Six community conversations.",
    "reach": "Around 120 residents.",
    "criteria": "Conversations held and reported.",
    "public_commitments": "Fund and attend.",
    "funding_pence": 150000,
    "payment_schedule": "Half on signing, half on the final report.",
    "decision_maker_access": "The programme board hears the findings.",
    "feedback_commitment": "A 'you said, we did' note within three months.",
    "timescales": "October to December.",
    "reporting": "Monthly activity logs.",
    "data_protection": "No names recorded; consent for photos.",
    "publication": "Published on the record.",
    "disagreements": "Raised with the programme lead, then the CVS chief officer.",
    "review_date": date(2027, 3, 1),
}

# The same content as the edit page's form posts it.
FORM_CONTENT: dict[str, Any] = {
    **{name: value for name, value in CONTENT.items() if name not in ("funding_pence", "review_date")},
    "funding": "1500.00",
    "review_date": ["1", "3", "2027"],
}


@dataclass
class Parties:
    lead: User
    partner: User
    council: Organisation
    charity: Organisation
    engagement: Engagement

    @property
    def base(self) -> str:
        return f"/workspace/{self.engagement.slug}/agreements"

    def page(self, agreement_id: int) -> str:
        return f"{self.base}/{agreement_id}"


@pytest.fixture
def parties(make: Factories) -> Parties:
    council = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR, name="Rochdale Borough Council")
    lead = make.lead(organisation=council, name=LEAD_NAME)
    charity = make.organisation(kind=OrganisationKind.VCFSE, name="Common Ground")
    partner = make.partner(organisation=charity, name=PARTNER_NAME)
    engagement = engagements.open_engagement(title="Urgent care redesign", actor=lead)
    engagements.add_collaborator(engagement, actor=lead, organisation=charity, role=CollaboratorRole.VCFSE_PARTNER)
    db.session.commit()
    return Parties(lead=lead, partner=partner, council=council, charity=charity, engagement=engagement)


def draft_agreement(parties: Parties, **overrides: Any) -> Agreement:
    """A complete draft with both signatories named and two milestones, committed."""
    agreement = services.start_agreement(parties.engagement, actor=parties.lead, vcfse=parties.charity)
    fields = {**CONTENT, "public_signatory_id": parties.lead.id, "vcfse_signatory_id": parties.partner.id,
              **overrides}
    services.update_draft(agreement, actor=parties.lead, **fields)
    services.add_milestone(agreement, actor=parties.lead, title="First conversation", due_date=date(2026, 10, 15))
    services.add_milestone(agreement, actor=parties.lead, title="Final report", due_date=date(2026, 12, 18))
    db.session.commit()
    return agreement


def propose_agreement(agreement: Agreement, actor: User) -> Agreement:
    services.propose(agreement, actor=actor)
    db.session.commit()
    return agreement


def sign_both(parties: Parties, agreement: Agreement) -> Agreement:
    services.sign(agreement.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=agreement.content_hash)
    services.sign(agreement.id, user=parties.partner, typed_name=PARTNER_NAME, expected_hash=agreement.content_hash)
    return fresh(agreement.id)


@pytest.fixture
def draft(parties: Parties) -> Agreement:
    return draft_agreement(parties)


@pytest.fixture
def proposed(parties: Parties) -> Agreement:
    return propose_agreement(draft_agreement(parties), parties.lead)


@pytest.fixture
def signed(parties: Parties, proposed: Agreement) -> Agreement:
    return sign_both(parties, proposed)


def fresh(agreement_id: int) -> Agreement:
    """The agreement as the database holds it now, not as this session remembers it."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Agreement, agreement_id)


def snapshot(agreement_id: int) -> dict[str, Any]:
    """Everything about an agreement that must not move while it is frozen, read from the database."""
    agreement = fresh(agreement_id)
    return {
        "canonical": services.canonical_content(agreement),
        "content_hash": agreement.content_hash,
        "recomputed_hash": services.content_hash(agreement),
        "status": agreement.status,
        "milestones": [(m.id, m.title, m.due_date, m.position, m.status) for m in agreement.milestones],
        "signatures": [(s.id, s.party, s.user_id, s.typed_name, s.content_hash, s.signed_at)
                       for s in agreement.signatures],
        "lock_version": agreement.lock_version,
    }


def audit_count(action: str, **data: Any) -> int:
    db.session.expire_all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
    return sum(1 for e in events if all(e.data.get(k) == v for k, v in data.items()))


def agreement_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Agreement))


def post(client, path: str, data: dict[str, Any], *, token_from: str | None = None):
    """POST as the page's form would, with a CSRF token read from a page the person can open."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from or path)})
