"""Password hashing (Argon2id) and the strength rules for new passwords."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: 3 is "safely unguessable: moderate protection from offline attack"
# zxcvbn refuses longer input (its cost grows with length); the first characters decide whether a password
# is weak, so a long passphrase is judged by its start.
_ESTIMATE_CHARACTERS = 72

_hasher = PasswordHasher()
# Verified against when the account is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only spends the same time")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, *, user_inputs: list[str] | None = None) -> str | None:
    """Why a new password cannot be used, in plain English, or None when it can."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    inputs = [value for value in (user_inputs or []) if value]
    result = zxcvbn(password[:_ESTIMATE_CHARACTERS], user_inputs=inputs)
    if result["score"] < MIN_SCORE:
        warning = result["feedback"].get("warning") or ""
        advice = " ".join(result["feedback"].get("suggestions") or [])
        detail = " ".join(part for part in (warning, advice) if part)
        message = "Choose a password that is harder to guess, for example three or four random words"
        return f"{message}. {detail}".strip() if detail else message
    return None
