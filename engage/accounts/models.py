from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.database import UTCDateTime, utcnow
from engage.enums import enum_column_type
from engage.extensions import db
from engage.organisations.models import Organisation


class Role(enum.Enum):
    ADMIN = "admin"
    LEAD = "lead"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return {"admin": "Administrator", "lead": "Public-sector lead", "partner": "VCFSE partner"}[self.value]

    @property
    def requires_two_factor(self) -> bool:
        return self is not Role.PARTNER


class TwoFactorMethod(enum.Enum):
    EMAIL = "email"
    TOTP = "totp"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"email": "Code by e-mail", "totp": "Authenticator app", "none": "Off"}[self.value]


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role = 'admin' OR organisation_id IS NOT NULL", name="member_of_organisation"),
        CheckConstraint("two_factor_method <> 'none' OR role = 'partner'", name="two_factor_required"),
        CheckConstraint("two_factor_method <> 'totp' OR totp_secret IS NOT NULL", name="totp_has_secret"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "user_role"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    two_factor_method: Mapped[TwoFactorMethod] = mapped_column(
        enum_column_type(TwoFactorMethod, "two_factor_method"), default=TwoFactorMethod.EMAIL
    )
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last authenticator time step accepted, so that a code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def can_manage_accounts(self) -> bool:
        return self.is_active and self.is_admin

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class TokenPurpose(enum.Enum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a secret
    SIGN_IN_CODE = "sign_in_code"


class AccountToken(db.Model):
    """A single-use secret sent by e-mail. Only its keyed hash is stored."""

    __tablename__ = "account_tokens"
    __table_args__ = (Index("ix_account_tokens_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column_type(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class RecoveryCode(db.Model):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UserSession(db.Model):
    """A signed-in session. The browser's cookie holds only a random identifier for this row."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(40))

    user: Mapped[User] = relationship(lazy="joined")


class LoginFailure(db.Model):
    """A failed sign-in, counted per account and per network address (both stored as keyed hashes)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_time", "key_hash", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
