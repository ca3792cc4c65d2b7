"""Server-side sessions: the cookie carries a random identifier; the row decides whether it is valid."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, session
from sqlalchemy import select, update

from engage.accounts.models import User, UserSession
from engage.database import utcnow
from engage.extensions import db
from engage.security.secrets import keyed_hash, new_token

SESSION_KEY = "sid"
SIGNED_OUT_KEY = "signed_out_reason"
# Writing last_seen_at on every request would make every page a write; a minute's slack is enough.
_TOUCH_AFTER = timedelta(seconds=60)


def clear_browser_session() -> None:
    """Forget everything in the cookie, including the CSRF secret (and the token derived from it)."""
    session.clear()
    g.pop("csrf_token", None)


def start_session(user: User) -> UserSession:
    """Begin a fresh session for a person who has just proved who they are."""
    clear_browser_session()  # a new identifier and CSRF secret: nothing carries over from before sign-in
    token = new_token()
    row = UserSession(user_id=user.id, token_hash=keyed_hash(token))
    db.session.add(row)
    session[SESSION_KEY] = token
    session.permanent = True
    user.last_signed_in_at = utcnow()
    return row


def end_current_session(reason: str) -> None:
    token = session.get(SESSION_KEY)
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == keyed_hash(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=reason)
        )
    clear_browser_session()


def end_all_sessions(user: User, reason: str) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def _expiry_reason(row: UserSession) -> str | None:
    now = utcnow()
    config = current_app.config
    if row.ended_at is not None:
        return "ended"
    if not row.user.is_active:
        return "deactivated"
    if now - row.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        return "idle"
    if now - row.created_at > timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]):
        return "expired"
    return None


def load_signed_in_user() -> None:
    """Set g.user from the session cookie, ending sessions that have timed out."""
    g.user = None
    g.user_session = None
    g.signed_out_reason = None
    token = session.get(SESSION_KEY)
    if not token:
        return
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == keyed_hash(token)))
    reason = "unknown" if row is None else _expiry_reason(row)
    if reason is not None:
        if row is not None and row.ended_at is None:
            row.ended_at = utcnow()
            row.end_reason = reason
            db.session.commit()
        clear_browser_session()
        g.signed_out_reason = reason
        if reason in ("idle", "expired"):
            # The sign-in page usually comes one redirect later, after the page asked for refuses entry.
            session[SIGNED_OUT_KEY] = reason
        return
    if utcnow() - row.last_seen_at > _TOUCH_AFTER:
        row.last_seen_at = utcnow()
        db.session.commit()
    g.user = row.user
    g.user_session = row
