"""Callable factories for test data, and helpers that sign people in through the real pages."""

from __future__ import annotations

import itertools
import re

from flask import Flask
from sqlalchemy import select

from engage.accounts import services as accounts
from engage.accounts.models import Role, TwoFactorMethod, User
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.organisations import services as organisations
from engage.organisations.models import Organisation, OrganisationKind

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


class Factories:
    def __init__(self, app: Flask):
        self.app = app

    def organisation(self, *, kind: OrganisationKind = OrganisationKind.VCFSE, name: str | None = None,
                     **fields) -> Organisation:
        n = next(_counter)
        organisation = organisations.create_organisation(
            name=name or f"{'Community Group' if kind is OrganisationKind.VCFSE else 'Council'} {n}", kind=kind,
            **fields)
        db.session.commit()
        return organisation

    def user(self, *, role: Role = Role.PARTNER, organisation: Organisation | None = None,
             email: str | None = None, name: str | None = None, password: str | None = PASSWORD,
             two_factor: TwoFactorMethod | None = None, active: bool = True) -> User:
        n = next(_counter)
        if organisation is None and role is not Role.ADMIN:
            kind = OrganisationKind.PUBLIC_SECTOR if role is Role.LEAD else OrganisationKind.VCFSE
            organisation = self.organisation(kind=kind)
        user = accounts.create_user(email=email or f"person{n}@example.org", name=name or f"Person {n}",
                                    role=role, organisation=organisation, password=password)
        if two_factor is not None:
            user.two_factor_method = two_factor
            if two_factor is TwoFactorMethod.TOTP:
                user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        user.is_active = active
        db.session.commit()
        return user

    def admin(self, **kwargs) -> User:
        return self.user(role=Role.ADMIN, **kwargs)

    def lead(self, **kwargs) -> User:
        return self.user(role=Role.LEAD, **kwargs)

    def partner(self, **kwargs) -> User:
        return self.user(role=Role.PARTNER, **kwargs)


def latest_message_to(address: str) -> OutboxMessage | None:
    db.session.expire_all()
    return db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id.desc()).limit(1)
    )


def code_in(message: OutboxMessage) -> str:
    match = re.search(r"\b(\d{6})\b", message.body_text)
    assert match, "no six-digit code in the e-mail"
    return match.group(1)


def link_in(message: OutboxMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body_text)
    assert match, "no link in the e-mail"
    return match.group(1)


def csrf_token(client, path: str) -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)) or re.search(
        r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def tampered(token: str) -> str:
    """The token (or a link ending in one) with one character changed. Not the last: in base64 the last
    character can carry unused bits, so changing it may decode to the very same bytes and still verify."""
    at = len(token) - 5
    return token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1:]


def sign_in(client, user: User, password: str = PASSWORD, *, next_path: str | None = None):
    """Sign in through the real pages, reading the e-mailed code from the outbox when one is needed."""
    path = "/sign-in" + (f"?next={next_path}" if next_path else "")
    response = client.post(path, data={"email": user.email, "password": password,
                                       "csrf_token": csrf_token(client, "/sign-in")})
    if user.two_factor_method is TwoFactorMethod.NONE or response.status_code != 302 or \
            not response.headers["Location"].endswith("/sign-in/code"):
        return response
    if user.two_factor_method is TwoFactorMethod.TOTP:
        import pyotp

        code = pyotp.TOTP(user.totp_secret).now()
    else:
        code = code_in(latest_message_to(user.email))
    return client.post("/sign-in/code", data={"code": code, "csrf_token": csrf_token(client, "/sign-in/code")})


def proposed_agreement(engagement, *, lead: User, partner: User, funding_pence: int = 150_000):
    """An expectation agreement between the engagement's lead organisation and the partner's (VCFSE)
    organisation, drafted and proposed for signing through the services, with the lead and the partner as
    its signatories. The partner's organisation must already be a collaborator."""
    from datetime import date

    from engage.agreements import services as agreements

    agreement = agreements.start_agreement(engagement, actor=lead, vcfse=partner.organisation)
    agreements.update_draft(
        agreement, actor=lead, purpose="Shape the change with the people it affects.",
        vcfse_deliverables="Four community conversations.", reach="Around 80 residents.",
        criteria="Conversations held and reported.", public_commitments="Fund, attend and feed back.",
        funding_pence=funding_pence, payment_schedule="Half on signing, half on the report.",
        decision_maker_access="The programme board hears the findings.",
        feedback_commitment="A 'you said, we did' note within three months.", timescales="Twelve weeks.",
        reporting="Activity logged in the service each month.",
        data_protection="No names recorded; consent sought for photos.", publication="Published on the record.",
        disagreements="Raised with the programme lead, then the CVS chief officer.", review_date=date(2027, 3, 1),
        public_signatory_id=lead.id, vcfse_signatory_id=partner.id,
    )
    agreements.add_milestone(agreement, actor=lead, title="First conversation held", due_date=date(2026, 12, 1))
    agreements.propose(agreement, actor=lead)
    db.session.commit()
    return agreement


def signed_agreement(engagement, *, lead: User, partner: User, funding_pence: int = 150_000):
    """`proposed_agreement`, then signed by both."""
    from engage.agreements import services as agreements

    agreement = proposed_agreement(engagement, lead=lead, partner=partner, funding_pence=funding_pence)
    agreements.sign(agreement.id, user=lead, typed_name=lead.name, expected_hash=agreement.content_hash)
    agreements.sign(agreement.id, user=partner, typed_name=partner.name, expected_hash=agreement.content_hash)
    return db.session.get(type(agreement), agreement.id)


def log_activity(engagement, *, partner: User, participants: int = 12):
    """One activity logged by the partner, through the service."""
    from engage import clock
    from engage.activity import services as activity
    from engage.activity.models import ActivityKind

    logged = activity.log_activity(engagement, actor=partner, data=activity.ActivityInput(
        occurred_on=clock.today(), kind=ActivityKind.WORKSHOP, title="Community conversation",
        description="A conversation at the community centre.", area=None, participants=participants,
        volunteer_minutes=120, staff_minutes=60, spend_pence=2_500, milestone_id=None, planned_test_id=None,
        reach={}))
    db.session.commit()
    return logged
