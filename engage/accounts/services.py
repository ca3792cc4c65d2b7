"""Every change to an account: invitations, passwords, roles, activation. Each is audited."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from engage.accounts import sessions
from engage.accounts.models import AccountToken, Role, TokenPurpose, TwoFactorMethod, User
from engage.accounts.passwords import hash_password, password_problem
from engage.accounts.two_factor import new_recovery_codes
from engage.audit.services import record
from engage.database import utcnow
from engage.extensions import db
from engage.mail.footers import external_url, invitation_footer, security_footer
from engage.mail.services import queue_message
from engage.organisations.models import Organisation, OrganisationKind
from engage.security.secrets import keyed_hash, new_token
from engage.text.one_line import one_line_problem


class AccountError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def role_fits_organisation(role: Role, organisation: Organisation | None) -> str | None:
    """Why this role cannot belong to this organisation, or None when it can."""
    if role is Role.ADMIN:
        return None
    if organisation is None:
        return "Select the person's organisation"
    if role is Role.LEAD and organisation.kind is not OrganisationKind.PUBLIC_SECTOR:
        return "A public-sector lead must belong to a public-sector organisation"
    if role is Role.PARTNER and organisation.kind is not OrganisationKind.VCFSE:
        return "A VCFSE partner must belong to a VCFSE organisation"
    return None


def _check_new_user(email: str, name: str, role: Role, organisation: Organisation | None) -> None:
    # The invitation form refuses these too; the command line reaches the service without a form.
    for field, value, label in (("name", name, "Full name"), ("email", email, "E-mail address")):
        problem = one_line_problem(value, label)
        if problem:
            raise AccountError(field, problem)
    if db.session.scalar(select(User.id).where(func.lower(User.email) == normalise_email(email))) is not None:
        raise AccountError("email", "Someone with this e-mail address already has an account")
    problem = role_fits_organisation(role, organisation)
    if problem:
        raise AccountError("organisation", problem)


def create_user(
    *, email: str, name: str, role: Role, organisation: Organisation | None, password: str | None = None, actor=None
) -> User:
    """Create an account directly (command line and demo data). With a password it can sign in at once."""
    _check_new_user(email, name, role, organisation)
    user = User(email=normalise_email(email), name=name.strip(), role=role, organisation=organisation,
                two_factor_method=TwoFactorMethod.EMAIL)
    db.session.add(user)
    if password is not None:
        problem = password_problem(password, user_inputs=[user.email, user.name])
        if problem:
            raise AccountError("password", problem)
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    record("account.created", actor=actor, subject=user, role=role.value,
           organisation_id=organisation.id if organisation else None)
    return user


# Invitations -------------------------------------------------------------------------------------

def invite_user(*, email: str, name: str, role: Role, organisation: Organisation | None, actor: User) -> User:
    user = create_user(email=email, name=name, role=role, organisation=organisation, actor=actor)
    _send_invitation(user, actor)
    return user


def resend_invitation(user: User, actor: User) -> None:
    if user.has_password:
        raise AccountError("user", "This person has already accepted their invitation")
    _send_invitation(user, actor)


def _send_invitation(user: User, actor: User) -> None:
    _void_tokens(user, TokenPurpose.INVITATION)
    token = new_token()
    days = current_app.config["INVITATION_DAYS"]
    db.session.add(AccountToken(user=user, purpose=TokenPurpose.INVITATION, token_hash=keyed_hash(token),
                                expires_at=utcnow() + timedelta(days=days), created_by_id=actor.id))
    service = current_app.config["SERVICE_NAME"]
    link = external_url("auth.invitation", token=token)
    organisation = f" for {user.organisation.name}" if user.organisation else ""
    queue_message(
        user.email,
        f"You have been invited to {service}",
        invitation_footer(
            f"Hello {user.name},\n\n{actor.name} has invited you to {service}{organisation} as a "
            f"{user.role.label.lower()}.\n\nTo create your account, open this link and choose a password:\n{link}\n\n"
            f"The link works once and for {days} days. If it has expired, ask {actor.name} to send a new one.\n"),
        sensitive=True,
    )
    record("account.invited", actor=actor, subject=user, expires_in_days=days)


def _void_tokens(user: User, purpose: TokenPurpose) -> None:
    if user.id is None:
        return
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def valid_token(token: str, purpose: TokenPurpose) -> AccountToken | None:
    """The stored token if it may still be used: unused, unexpired, and issued for a current account."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == keyed_hash(token), AccountToken.purpose == purpose)
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    user = row.user
    if not user.is_active:
        return None
    if purpose is TokenPurpose.INVITATION and user.has_password:
        return None
    # A reset link dies once the password changes, however it changed.
    if purpose is TokenPurpose.PASSWORD_RESET and (
        not user.has_password or (user.password_changed_at and row.created_at < user.password_changed_at)
    ):
        return None
    return row


def accept_invitation(token: str, password: str) -> tuple[User, list[str]]:
    """Set the invitee's password. Returns the account and its first recovery codes."""
    row = valid_token(token, TokenPurpose.INVITATION)
    if row is None:
        raise AccountError("token", "This invitation link has expired or has already been used")
    user = row.user
    _set_password(user, password)
    row.used_at = utcnow()
    codes = new_recovery_codes(user)
    record("account.invitation_accepted", actor=user, subject=user)
    return user, codes


# Passwords ---------------------------------------------------------------------------------------

def _set_password(user: User, password: str) -> None:
    problem = password_problem(password, user_inputs=[user.email, user.name])
    if problem:
        raise AccountError("password", problem)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()


def request_password_reset(email: str) -> None:
    """Send a reset link if the address belongs to an active account with a password; otherwise nothing.

    The caller shows the same answer either way, so the page does not reveal who has an account.
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active or not user.has_password:
        return
    _void_tokens(user, TokenPurpose.PASSWORD_RESET)
    token = new_token()
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    db.session.add(AccountToken(user=user, purpose=TokenPurpose.PASSWORD_RESET, token_hash=keyed_hash(token),
                                expires_at=utcnow() + timedelta(minutes=minutes)))
    service = current_app.config["SERVICE_NAME"]
    link = external_url("auth.reset_password_link", token=token)
    queue_message(
        user.email,
        f"Reset your {service} password",
        security_footer(
            f"Hello {user.name},\n\nSomeone asked to reset the password for your {service} account.\n\n"
            f"To choose a new password, open this link:\n{link}\n\nThe link works once and for {minutes} minutes. "
            "If you did not ask for this, you can ignore this e-mail: your password has not changed.\n"),
        sensitive=True,
    )
    record("account.password_reset_requested", actor=user, subject=user)


def reset_password(token: str, password: str) -> User:
    row = valid_token(token, TokenPurpose.PASSWORD_RESET)
    if row is None:
        raise AccountError("token", "This password reset link has expired or has already been used")
    user = row.user
    _set_password(user, password)
    row.used_at = utcnow()
    _void_tokens(user, TokenPurpose.PASSWORD_RESET)
    sessions.end_all_sessions(user, "password_reset")
    record("account.password_reset", actor=user, subject=user)
    return user


def change_password(user: User, new_password: str) -> None:
    """Change the password and end every session, including this one (the caller starts a new one)."""
    _set_password(user, new_password)
    _void_tokens(user, TokenPurpose.PASSWORD_RESET)
    sessions.end_all_sessions(user, "password_changed")
    record("account.password_changed", actor=user, subject=user)


# Administration ----------------------------------------------------------------------------------

def change_role(user: User, *, role: Role, organisation: Organisation | None, actor: User) -> None:
    if user.id == actor.id and role is not Role.ADMIN:
        raise AccountError("role", "You cannot remove your own administrator role")
    problem = role_fits_organisation(role, organisation)
    if problem:
        raise AccountError("organisation", problem)
    old_role, old_org = user.role, user.organisation_id
    if old_role is role and old_org == (organisation.id if organisation else None):
        return
    user.role = role
    user.organisation = organisation
    if role.requires_two_factor and user.two_factor_method is TwoFactorMethod.NONE:
        user.two_factor_method = TwoFactorMethod.EMAIL
    # New rights take effect at the next sign-in, never inside a session granted under the old ones.
    sessions.end_all_sessions(user, "role_changed")
    record("account.role_changed", actor=actor, subject=user,
           role={"from": old_role.value, "to": role.value},
           organisation_id={"from": old_org, "to": organisation.id if organisation else None})


def set_active(user: User, active: bool, *, actor: User) -> None:
    if user.id == actor.id and not active:
        raise AccountError("user", "You cannot deactivate your own account")
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        sessions.end_all_sessions(user, "deactivated")
        _void_tokens(user, TokenPurpose.INVITATION)
        _void_tokens(user, TokenPurpose.PASSWORD_RESET)
    record("account.reactivated" if active else "account.deactivated", actor=actor, subject=user)


def set_two_factor_method(user: User, method: TwoFactorMethod, *, totp_secret: str | None = None) -> None:
    if method is TwoFactorMethod.NONE and user.role.requires_two_factor:
        raise AccountError("method", "Two-factor sign-in is required for your role")
    old = user.two_factor_method
    user.two_factor_method = method
    user.totp_secret = totp_secret if method is TwoFactorMethod.TOTP else None
    user.totp_last_step = None
    record("account.two_factor_changed", actor=user, subject=user, method={"from": old.value, "to": method.value})


def registered_names() -> list[str]:
    """Every registered person's name: what is published must not name them (the publication check)."""
    return list(db.session.scalars(select(User.name)))
