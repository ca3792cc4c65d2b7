"""Second factors: authenticator app (TOTP), single-use e-mailed codes and recovery codes."""

from __future__ import annotations

import re
import secrets
import time
from datetime import timedelta

import pyotp
import segno
from flask import current_app
from sqlalchemy import select, update

from engage.accounts.models import AccountToken, RecoveryCode, TokenPurpose, User
from engage.database import utcnow
from engage.extensions import db
from engage.mail.footers import security_footer
from engage.mail.services import queue_message
from engage.security.secrets import keyed_hash, same

RECOVERY_CODE_COUNT = 10
_TOTP_INTERVAL = 30


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


# Authenticator app ---------------------------------------------------------------------------

def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["SERVICE_NAME"])


def qr_code_svg(uri: str) -> str:
    """An inline SVG with a title, so the picture is announced and needs no script or external file."""
    return segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your authenticator app")


def totp_step_matching(secret: str, code: str, *, after_step: int | None) -> int | None:
    """The time step the code belongs to (allowing one step of clock drift), or None.

    Steps at or before ``after_step`` are refused, so a code seen once cannot be replayed.
    """
    code = normalise_code(code)
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // _TOTP_INTERVAL
    for step in (current - 1, current, current + 1):
        if after_step is not None and step <= after_step:
            continue
        if same(totp.generate_otp(step), code):
            return step
    return None


# E-mailed codes --------------------------------------------------------------------------------

def send_email_code(user: User) -> None:
    """Replace any earlier code with a new six-digit one, valid for a few minutes."""
    _void_tokens(user, TokenPurpose.SIGN_IN_CODE)
    code = f"{secrets.randbelow(1_000_000):06d}"
    minutes = current_app.config["EMAIL_CODE_MINUTES"]
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=TokenPurpose.SIGN_IN_CODE,
            token_hash=keyed_hash(f"code:{user.id}:{code}"),
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    service = current_app.config["SERVICE_NAME"]
    queue_message(
        user.email,
        f"{service}: your sign-in code",
        security_footer(
            f"Your sign-in code for {service} is {code}\n\n"
            f"It works once and for {minutes} minutes.\n\n"
            "If you did not try to sign in, someone may know your password: change it as soon as you can.\n"),
        sensitive=True,
    )


def use_email_code(user: User, code: str) -> bool:
    code = normalise_code(code)
    row = db.session.scalar(
        select(AccountToken).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == TokenPurpose.SIGN_IN_CODE,
            AccountToken.token_hash == keyed_hash(f"code:{user.id}:{code}"),
            AccountToken.used_at.is_(None),
        )
    )
    if row is None or row.expires_at <= utcnow():
        return False
    row.used_at = utcnow()
    return True


def _void_tokens(user: User, purpose: TokenPurpose) -> None:
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


# Recovery codes -----------------------------------------------------------------------------------

def _recovery_hash(user: User, code: str) -> str:
    return keyed_hash(f"recovery:{user.id}:{normalise_code(code)}")


def new_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes; the plain codes are shown once and never stored."""
    for old in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.session.delete(old)
    db.session.flush()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(6)
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        codes.append(code)
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user, code)))
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(user, code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )
