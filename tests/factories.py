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
