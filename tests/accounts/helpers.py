"""Helpers for the account security tests: forms with their CSRF token, replayed cookies, audit rows,
invitations, and reading what a page says."""

from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from engage.accounts import services as accounts
from engage.accounts.models import AccountToken, Role, TokenPurpose, User, UserSession
from engage.audit.models import AuditEvent
from engage.extensions import db
from engage.organisations.models import Organisation
from tests.factories import csrf_token, latest_message_to, link_in

SESSION_COOKIE = "engage_session"


# Forms -------------------------------------------------------------------------------------------

def post_form(client, path: str, data: dict | None = None, *, token_from: str | None = None, **kwargs) -> TestResponse:
    """POST a form as a browser would: with the CSRF token from a page of the same session.

    Routes that only accept POST take their token from another page (``token_from``).
    """
    token = csrf_token(client, token_from or path)
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


def submit_password(client, email: str, password: str, *, address: str = "127.0.0.1",
                    next_path: str = "") -> TestResponse:
    """The first step of signing in: e-mail address and password, from a given network address."""
    query = f"?next={next_path}" if next_path else ""
    return client.post(f"/sign-in{query}", data={"email": email, "password": password,
                                                  "csrf_token": csrf_token(client, "/sign-in")},
                       environ_base={"REMOTE_ADDR": address})


def submit_code(client, code: str, *, address: str = "127.0.0.1") -> TestResponse:
    return client.post("/sign-in/code", data={"code": code, "csrf_token": csrf_token(client, "/sign-in/code")},
                       environ_base={"REMOTE_ADDR": address})


def submit_recovery_code(client, code: str) -> TestResponse:
    return post_form(client, "/sign-in/recovery-code", {"code": code})


def sign_out(client) -> TestResponse:
    return post_form(client, "/sign-out", token_from="/account/")


# Cookies -----------------------------------------------------------------------------------------

def session_cookie(client) -> str:
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None, "no session cookie has been set"
    return cookie.value


def replay(app: Flask, cookie: str, path: str = "/account/") -> TestResponse:
    """Send a request carrying only a copied session cookie, as someone who stole it would."""
    stranger = app.test_client(use_cookies=False)
    return stranger.get(path, headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})


def session_data(app: Flask, cookie: str) -> dict:
    """What the signed session cookie carries (the signature is checked on the way)."""
    return dict(app.session_interface.get_signing_serializer(app).loads(cookie))


def refused_to_sign_in(response: TestResponse) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


# Database rows -----------------------------------------------------------------------------------

def audit_events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def tokens(user: User, purpose: TokenPurpose) -> list[AccountToken]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == purpose)
        .order_by(AccountToken.id)))


def latest_token(user: User, purpose: TokenPurpose) -> AccountToken:
    rows = tokens(user, purpose)
    assert rows, f"no {purpose.value} token for {user.email}"
    return rows[-1]


def sessions_of(user: User) -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                                   .order_by(UserSession.id)))


def move_back(row, field: str, delta: timedelta) -> None:
    """Pretend time has passed by moving a stored timestamp into the past."""
    setattr(row, field, getattr(row, field) - delta)
    db.session.commit()


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# Invitations -------------------------------------------------------------------------------------

def invite(admin: User, *, role: Role = Role.PARTNER, organisation: Organisation | None = None,
           email: str = "invitee@example.org", name: str = "Ina Vitee") -> tuple[User, str]:
    """Invite someone through the service; returns the account and the path of the e-mailed link."""
    user = accounts.invite_user(email=email, name=name, role=role, organisation=organisation, actor=admin)
    db.session.commit()
    return user, link_in(latest_message_to(email))


def accept_invitation(client, link: str, password: str, confirm: str | None = None) -> TestResponse:
    client.get(link)
    return post_form(client, "/invitation", {"password": password,
                                              "confirm": password if confirm is None else confirm})


def request_reset(client, email: str) -> TestResponse:
    return post_form(client, "/forgot-password", {"email": email})


# Pages -------------------------------------------------------------------------------------------

def soup(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def main_text(response: TestResponse) -> str:
    main = soup(response).find("main")
    assert main is not None, "the page has no main element"
    return " ".join(main.get_text(" ").split())


def error_summary(response: TestResponse) -> str:
    """The text of the GOV.UK error summary, or an empty string when the page has none."""
    summary = soup(response).select_one(".govuk-error-summary")
    return " ".join(summary.get_text(" ").split()) if summary else ""


def recovery_codes_on(response: TestResponse) -> list[str]:
    return [code.get_text() for code in soup(response).select(".engage-codes code")]
