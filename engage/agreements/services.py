"""Every change to an agreement: drafting, proposing (freezing), signing, varying and closing.

Callers commit, except `sign`, which commits itself because it retries when two signatures race.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from engage import events
from engage.accounts.models import User
from engage.agreements.models import (
    CONTENT_FIELDS,
    Agreement,
    AgreementStatus,
    Milestone,
    MilestoneStatus,
    Party,
    Signature,
)
from engage.audit.services import record
from engage.database import utcnow
from engage.engagements.models import Engagement
from engage.extensions import db
from engage.organisations.models import Organisation, OrganisationKind


class AgreementError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# Fields a draft may change through `update_draft`: the content, and nothing about its state.
EDITABLE_FIELDS = [name for name, _ in CONTENT_FIELDS]
REQUIRED_TO_PROPOSE = {
    "purpose": "Write the purpose: the real change sought",
    "vcfse_deliverables": "Say what the VCFSE partner will deliver",
    "reach": "Say who the engagement will reach",
    "criteria": "Say how you will know it has been delivered",
    "public_commitments": "Say what the public-sector partner commits",
    "payment_schedule": "Say when the funding is paid",
    "decision_maker_access": "Say what access to decision-makers the VCFSE partner will have",
    "feedback_commitment": "Say how the public-sector partner will feed back how insight was used",
    "timescales": "Set out realistic timescales",
    "reporting": "Say how activity is reported",
    "data_protection": "Set out data protection, consent, anonymity and safeguarding",
    "publication": "Say how the agreement will be published",
    "disagreements": "Say how disagreements are settled",
}


# Content and its hash ---------------------------------------------------------------------------------

def canonical_content(agreement: Agreement) -> bytes:
    """The agreed content as canonical JSON: sorted keys, no spaces, UTF-8, dates as ISO strings."""

    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    content = {name: plain(getattr(agreement, name)) for name, _ in CONTENT_FIELDS}
    content.update({
        "engagement_id": agreement.engagement_id,
        "public_organisation_id": agreement.public_organisation_id,
        "vcfse_organisation_id": agreement.vcfse_organisation_id,
        "version_number": agreement.version_number,
        "varies_id": agreement.varies_id,
        "milestones": [{"title": m.title, "due_date": m.due_date.isoformat(), "position": m.position}
                       for m in sorted(agreement.milestones, key=lambda m: (m.position, m.id or 0))],
    })
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(agreement: Agreement) -> str:
    return hashlib.sha256(canonical_content(agreement)).hexdigest()


# Drafting -----------------------------------------------------------------------------------------------

def _next_version_number(engagement: Engagement, vcfse: Organisation) -> int:
    latest = db.session.scalar(select(func.max(Agreement.version_number)).where(
        Agreement.engagement_id == engagement.id, Agreement.vcfse_organisation_id == vcfse.id))
    return (latest or 0) + 1


def start_agreement(engagement: Engagement, *, actor: User, vcfse: Organisation) -> Agreement:
    if vcfse.kind is not OrganisationKind.VCFSE or vcfse.id not in engagement.collaborating_organisation_ids():
        raise AgreementError("organisation", "Choose a VCFSE organisation that collaborates on this engagement")
    agreement = Agreement(engagement_id=engagement.id, public_organisation_id=engagement.lead_organisation_id,
                          vcfse_organisation_id=vcfse.id, version_number=_next_version_number(engagement, vcfse),
                          status=AgreementStatus.DRAFT, created_by_id=actor.id,
                          publication="This agreement is part of the engagement's public record, without "
                                      "personal contact details.")
    db.session.add(agreement)
    record("agreement.drafted", actor=actor, subject=agreement, engagement_id=engagement.id,
           vcfse_organisation_id=vcfse.id)
    return agreement


def _require_draft(agreement: Agreement) -> None:
    if agreement.status is not AgreementStatus.DRAFT:
        raise AgreementError("status", f"This agreement is {agreement.status.value}: it cannot be changed. "
                                       "Make a variation instead.")


def _check_signatory(user_id: int | None, organisation_id: int, field: str) -> None:
    if user_id is None:
        return
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.organisation_id != organisation_id:
        raise AgreementError(field, "Choose an active member of that organisation as signatory")


def update_draft(agreement: Agreement, *, actor: User, **fields: Any) -> None:
    _require_draft(agreement)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not agreement content: {sorted(unknown)}")
    if fields.get("funding_pence") is not None and fields["funding_pence"] < 0:
        raise AgreementError("funding", "The funding must be £0 or more")
    _check_signatory(fields.get("public_signatory_id"), agreement.public_organisation_id, "public_signatory")
    _check_signatory(fields.get("vcfse_signatory_id"), agreement.vcfse_organisation_id, "vcfse_signatory")
    changed = []
    for name, value in fields.items():
        if getattr(agreement, name) != value:
            setattr(agreement, name, value)
            changed.append(name)
    if changed:
        record("agreement.draft_updated", actor=actor, subject=agreement, fields=changed)


def add_milestone(agreement: Agreement, *, actor: User, title: str, due_date: date) -> Milestone:
    _require_draft(agreement)
    position = max((m.position for m in agreement.milestones), default=0) + 1
    milestone = Milestone(title=title.strip(), due_date=due_date, position=position)
    agreement.milestones.append(milestone)
    record("agreement.milestone_added", actor=actor, subject=agreement, title=milestone.title)
    return milestone


def remove_milestone(agreement: Agreement, milestone: Milestone, *, actor: User) -> None:
    _require_draft(agreement)
    agreement.milestones.remove(milestone)
    record("agreement.milestone_removed", actor=actor, subject=agreement, title=milestone.title)


def missing_to_propose(agreement: Agreement) -> list[str]:
    missing = [message for field, message in REQUIRED_TO_PROPOSE.items() if not getattr(agreement, field).strip()]
    if agreement.review_date is None:
        missing.append("Set a review date")
    if not agreement.milestones:
        missing.append("Add at least one milestone with a due date")
    if agreement.public_signatory_id is None:
        missing.append(f"Name the signatory for {agreement.public_organisation.name}")
    if agreement.vcfse_signatory_id is None:
        missing.append(f"Name the signatory for {agreement.vcfse_organisation.name}")
    return missing


def propose(agreement: Agreement, *, actor: User) -> str:
    """Freeze the content and record its hash; the signatories can then sign it."""
    _require_draft(agreement)
    missing = missing_to_propose(agreement)
    if missing:
        raise AgreementError("status", "; ".join(missing))
    db.session.flush()  # milestone ids settle the canonical order
    agreement.content_hash = content_hash(agreement)
    agreement.status = AgreementStatus.PROPOSED
    agreement.proposed_at = utcnow()
    record("agreement.proposed", actor=actor, subject=agreement, content_hash=agreement.content_hash)
    return agreement.content_hash


# Signing ------------------------------------------------------------------------------------------------

def _names_match(typed: str, name: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold()


def signs_for(agreement: Agreement, party: Party, user: User) -> bool:
    """Whether `user`, named as `party`'s signatory, may sign for it now. They were an active member of the party's
    organisation when named (`_check_signatory`), but people leave, move to another organisation or are deactivated
    while an agreement waits: then they no longer sign for it. Signing and the dashboard both ask this."""
    organisation_id = (agreement.public_organisation_id if party is Party.PUBLIC_SECTOR
                       else agreement.vcfse_organisation_id)
    return user.is_active and user.organisation_id == organisation_id


def _still_signs_for(agreement: Agreement, party: Party, user: User) -> None:
    if signs_for(agreement, party, user):
        return
    if not user.is_active:
        raise AgreementError("agreement", "Your account has been deactivated, so you cannot sign this agreement. "
                                          "Ask the lead organisation to vary the agreement and name another "
                                          "signatory.")
    organisation = agreement.public_organisation if party is Party.PUBLIC_SECTOR else agreement.vcfse_organisation
    raise AgreementError("agreement", f"You are no longer a member of {organisation.name}, so you cannot sign "
                                      "for it. Ask the lead organisation to vary the agreement and name "
                                      "another signatory.")


def _sign_once(agreement_id: int, user: User, typed_name: str, expected_hash: str) -> Agreement:
    agreement = db.session.get(Agreement, agreement_id, populate_existing=True)
    if agreement is None:
        raise AgreementError("agreement", "This agreement does not exist")
    if agreement.status is not AgreementStatus.PROPOSED:
        raise AgreementError("agreement", f"This agreement is {agreement.status.value}: it cannot be signed")
    if expected_hash != agreement.content_hash:
        raise AgreementError("agreement", "The agreement you read is not the one proposed. Read it again, then sign.")
    party = agreement.party_of(user)
    if party is None:
        raise AgreementError("agreement", "Only the named signatories can sign this agreement")
    if any(s.user_id == user.id for s in agreement.signatures):
        raise AgreementError("agreement", "You have already signed this agreement")
    if agreement.signature_for(party) is not None:
        raise AgreementError("agreement", f"The {party.label.lower()} has already signed")
    _still_signs_for(agreement, party, user)
    if not _names_match(typed_name, user.name):
        raise AgreementError("typed_name", "Type your full name exactly as it appears on your account")
    now = utcnow()
    agreement.signatures.append(Signature(party=party, user_id=user.id, typed_name=typed_name.strip(),
                                          content_hash=agreement.content_hash, signed_at=now))
    both = {s.party for s in agreement.signatures if s.content_hash == agreement.content_hash}
    if both == {Party.PUBLIC_SECTOR, Party.VCFSE}:
        agreement.status = AgreementStatus.SIGNED
        agreement.signed_at = now
        # The version it varies is replaced, whether it was in force or still waiting for signatures: a
        # superseded proposal must not come into force later.
        if agreement.varies is not None and agreement.varies.status in (AgreementStatus.SIGNED,
                                                                        AgreementStatus.PROPOSED):
            agreement.varies.status = AgreementStatus.VARIED
        events.agreement_signed.send(agreement)
    else:
        # Touch the row so its version is checked on update: of two racing signatures, one loses and retries.
        flag_modified(agreement, "status")
    record("agreement.signed", actor=user, subject=agreement, party=party.value,
           content_hash=agreement.content_hash, complete=agreement.status is AgreementStatus.SIGNED)
    db.session.flush()
    return agreement


def sign(agreement_id: int, *, user: User, typed_name: str, expected_hash: str, attempts: int = 5) -> Agreement:
    """Sign for the person's party. Commits. Safe against concurrent requests: the agreement row's
    version is checked on update, so of several racing signatures one wins and the others retry and
    then see it."""
    last_error: Exception | None = None
    for _ in range(attempts):
        try:
            agreement = _sign_once(agreement_id, user, typed_name, expected_hash)
            db.session.commit()
            return agreement
        except AgreementError:
            db.session.rollback()
            raise
        except (StaleDataError, IntegrityError, OperationalError) as error:
            db.session.rollback()
            last_error = error
    raise AgreementError("agreement", "Too many people are signing at once. Try again.") from last_error


# After signing --------------------------------------------------------------------------------------------

def vary(agreement: Agreement, *, actor: User) -> Agreement:
    """Start a new draft that names the agreement it varies; the original stays as it is until the
    variation is signed."""
    if agreement.status not in (AgreementStatus.PROPOSED, AgreementStatus.SIGNED):
        raise AgreementError("status", "Only a proposed or signed agreement can be varied")
    pending = db.session.scalar(select(Agreement.id).where(
        Agreement.varies_id == agreement.id, Agreement.status.in_([AgreementStatus.DRAFT, AgreementStatus.PROPOSED])))
    if pending is not None:
        raise AgreementError("status", "A variation of this agreement is already being prepared")
    variation = Agreement(
        engagement_id=agreement.engagement_id, public_organisation_id=agreement.public_organisation_id,
        vcfse_organisation_id=agreement.vcfse_organisation_id,
        version_number=_next_version_number(agreement.engagement, agreement.vcfse_organisation),
        varies_id=agreement.id, status=AgreementStatus.DRAFT, created_by_id=actor.id,
        **{name: getattr(agreement, name) for name in EDITABLE_FIELDS},
    )
    for milestone in agreement.milestones:
        variation.milestones.append(Milestone(title=milestone.title, due_date=milestone.due_date,
                                              position=milestone.position, status=milestone.status))
    db.session.add(variation)
    record("agreement.variation_started", actor=actor, subject=variation, varies_id=agreement.id)
    return variation


def close(agreement: Agreement, *, actor: User, reason: str) -> None:
    if agreement.status not in (AgreementStatus.PROPOSED, AgreementStatus.SIGNED):
        raise AgreementError("reason", "Only a proposed or signed agreement can be closed")
    if not reason.strip():
        raise AgreementError("reason", "Give the reason for closing the agreement")
    agreement.status = AgreementStatus.CLOSED
    agreement.closed_at = utcnow()
    agreement.closed_reason = reason.strip()
    record("agreement.closed", actor=actor, subject=agreement, reason=reason.strip())


def set_milestone_status(milestone: Milestone, *, actor: User, status: MilestoneStatus) -> None:
    if milestone.agreement.status is not AgreementStatus.SIGNED:
        raise AgreementError("status", "Milestones are tracked once the agreement is signed")
    old = milestone.status
    milestone.status = status
    record("agreement.milestone_status", actor=actor, subject=milestone.agreement, milestone_id=milestone.id,
           status={"from": old.value, "to": status.value})


def signed_agreements_of(engagement_ids: Collection[int | None]) -> dict[int | None, list[Agreement]]:
    """Each engagement's signed agreements, whoever they are with, in one query for them all."""
    signed: dict[int | None, list[Agreement]] = {i: [] for i in engagement_ids}
    for agreement in db.session.scalars(select(Agreement).where(
            Agreement.engagement_id.in_([i for i in engagement_ids if i is not None]),
            Agreement.status == AgreementStatus.SIGNED).order_by(Agreement.id)):
        signed[agreement.engagement_id].append(agreement)
    return signed


def signed_with(engagement: Engagement, signed: list[Agreement] | None = None) -> list[Agreement]:
    """The engagement's signed agreements with VCFSE organisations that still collaborate on it. `signed`: its
    signed agreements, when they have been read already (`signed_agreements_of`)."""
    collaborators = engagement.collaborating_organisation_ids()
    if signed is None:
        signed = signed_agreements_of([engagement.id])[engagement.id]
    return [a for a in signed if a.vcfse_organisation_id in collaborators]
