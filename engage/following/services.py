"""Following by e-mail without an account: signing up (double opt-in, rate-limited), confirming, unsubscribing
and forgetting.

The answer to a sign-up is the same whether or not the address already follows that thing: an address not
yet confirmed gets a fresh confirmation link, and one already confirmed gets an e-mail saying so. Nothing else
is ever sent to an unconfirmed address. Unsubscribing deletes the row, and the outbox's copies of the e-mails
sent to it, so nothing of the address is kept.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select

from engage.audit.services import record as audit
from engage.database import insert_once, utcnow
from engage.engagements.models import Engagement
from engage.extensions import db
from engage.following import emails
from engage.following.models import Follow, FollowKind, FollowRequest, describe
from engage.mail.footers import external_url
from engage.mail.models import OutboxMessage
from engage.mail.services import queue_message
from engage.security.rate_limit import Allowance, SlidingWindow
from engage.security.secrets import keyed_hash, new_token
from engage.site.queries import public_engagement
from engage.vocabularies.models import Area, Theme

# How long a confirmation link works; an unconfirmed sign-up is deleted once it has expired.
CONFIRM_HOURS = 48
# Sign-ups allowed in SIGNUP_WINDOW, per e-mail address (so the form cannot be used to flood someone's inbox)
# and per client network address (so one client cannot flood many).
SIGNUP_WINDOW = timedelta(hours=1)
SIGNUPS_PER_ADDRESS = 5
SIGNUPS_PER_CLIENT = 20
SIGN_UPS = SlidingWindow(FollowRequest, lambda: SIGNUP_WINDOW)


@dataclass(frozen=True)
class Target:
    """Something a resident can follow: a public engagement, or an active area or theme."""

    kind: FollowKind
    subject: Engagement | Area | Theme

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.subject.id}"

    @property
    def slug(self) -> str:
        return self.subject.slug

    @property
    def description(self) -> str:
        """What is followed, to end "e-mails about …"."""
        return describe(self.kind, self.subject)


def find_target(kind: str, slug: str) -> Target | None:
    """What residents may follow with this kind and slug; None when it is not public (or not active)."""
    if kind == FollowKind.ENGAGEMENT.value:
        engagement = public_engagement(slug)
        return Target(FollowKind.ENGAGEMENT, engagement) if engagement is not None else None
    model = {FollowKind.AREA.value: Area, FollowKind.THEME.value: Theme}.get(kind)
    if model is None:
        return None
    found = db.session.scalar(select(model).where(model.slug == slug, model.is_active.is_(True)))
    return Target(FollowKind(kind), found) if found is not None else None


def target_of(follow: Follow) -> Target:
    return Target(follow.kind, follow.subject)


# Tokens ------------------------------------------------------------------------------------------------------

def unsubscribe_token(follow: Follow) -> str:
    """The same token in every e-mail to this follow, computed with SECRET_KEY from its random reference, so
    the token itself is never stored; its keyed hash finds the row."""
    return _unsubscribe_token_for(follow.reference)


def _unsubscribe_token_for(reference: str) -> str:
    return keyed_hash("follow-unsubscribe:" + reference)


def unsubscribe_url(follow: Follow) -> str:
    return external_url("following.unsubscribe", token=unsubscribe_token(follow))


def unsubscribe_headers(follow: Follow) -> dict[str, str]:
    """RFC 2369's List-Unsubscribe and RFC 8058's one-click List-Unsubscribe-Post."""
    return {"List-Unsubscribe": f"<{unsubscribe_url(follow)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def outbox_key(follow: Follow, occasion: str) -> str:
    """Every e-mail to a follow is queued under a key starting with its reference, so forgetting it can find
    them all."""
    return f"follow:{follow.reference}:{occasion}"


def send_to(follow: Follow, *, occasion: str, subject: str, body: str) -> OutboxMessage:
    return queue_message(follow.email, subject, emails.with_unsubscribe(body, follow, unsubscribe_url(follow)),
                         sensitive=True, idempotency_key=outbox_key(follow, occasion),
                         headers=unsubscribe_headers(follow), private_recipient=True)


# Rate limit ----------------------------------------------------------------------------------------------------

class TooManySignUps(Exception):
    def __init__(self, retry_at: datetime):
        super().__init__("too many sign-ups")
        self.retry_at = retry_at


def _limits(email: str, client: str | None) -> list[Allowance]:
    limits = [Allowance("follow-address:" + email, SIGNUPS_PER_ADDRESS)]
    if client:
        limits.append(Allowance("follow-client:" + client, SIGNUPS_PER_CLIENT))
    return limits


# Signing up, confirming, unsubscribing ------------------------------------------------------------------------

def normalise(email: str) -> str:
    return email.strip().lower()


def sign_up(target: Target, email: str, *, client: str | None) -> None:
    """Ask to follow `target`. Raises TooManySignUps; otherwise queues one e-mail, whatever the address's state
    (the caller commits, and shows the same page either way)."""
    email = normalise(email)
    waiting_until = SIGN_UPS.retry_at(_limits(email, client))
    if waiting_until is not None:
        raise TooManySignUps(waiting_until)
    now = utcnow()
    SIGN_UPS.count([limit.key for limit in _limits(email, client)], at=now)
    follow = _follow_row(target, email)
    if follow.confirmed_at is not None:
        send_to(follow, occasion=f"again:{secrets.token_hex(8)}", subject=f"You already get e-mails about "
                f"{target.description}", body=emails.already_following(target.description))
        return
    token = new_token()
    follow.confirm_token_hash = keyed_hash(token)
    follow.confirm_expires_at = now + timedelta(hours=CONFIRM_HOURS)
    send_to(follow, occasion=f"confirm:{follow.confirm_token_hash[:16]}",
            subject=f"Confirm you want e-mails about {target.description}",
            body=emails.confirmation(target.description, external_url("following.confirm_link", token=token),
                                     CONFIRM_HOURS))


def _follow_row(target: Target, email: str) -> Follow:
    """This address's follow of `target`, made (unconfirmed) if there is none. One INSERT … ON CONFLICT DO
    NOTHING, so two sign-ups racing make one row."""
    reference = secrets.token_hex(16)
    values = {
        "reference": reference, "email": email, "kind": target.kind, "target": target.key,
        "engagement_id": target.subject.id if target.kind is FollowKind.ENGAGEMENT else None,
        "area_id": target.subject.id if target.kind is FollowKind.AREA else None,
        "theme_id": target.subject.id if target.kind is FollowKind.THEME else None,
        "created_at": utcnow(), "confirm_expires_at": utcnow() + timedelta(hours=CONFIRM_HOURS),
        "unsubscribe_hash": keyed_hash(_unsubscribe_token_for(reference)),
    }
    follow = insert_once(Follow, (Follow.email, Follow.target), values)
    if follow is not None:
        return follow
    return db.session.scalars(select(Follow).where(Follow.email == email, Follow.target == target.key)
                              .execution_options(populate_existing=True)).one()


@dataclass(frozen=True)
class Confirmation:
    state: str  # "ready", "already", "expired" or "unknown"
    follow: Follow | None = None


def confirmation(token: str) -> Confirmation:
    """What the confirmation link with this token can do."""
    if not token:
        return Confirmation("unknown")
    follow = db.session.scalar(select(Follow).where(Follow.confirm_token_hash == keyed_hash(token)))
    if follow is None:
        return Confirmation("unknown")
    if follow.confirmed_at is not None:
        return Confirmation("already", follow)
    if follow.confirm_expires_at <= utcnow():
        return Confirmation("expired", follow)
    return Confirmation("ready", follow)


def confirm(follow: Follow) -> None:
    """Start sending to this follow: only versions published from now on (the caller commits)."""
    follow.confirmed_at = utcnow()
    audit("following.confirmed", subject=follow.subject, kind=follow.kind.value)


def find_by_unsubscribe_token(token: str) -> Follow | None:
    if not token:
        return None
    return db.session.scalar(select(Follow).where(Follow.unsubscribe_hash == keyed_hash(token)))


def unsubscribe(follow: Follow) -> None:
    """Stop and forget: the row goes, with the outbox's copies of the e-mails to it (the caller commits)."""
    audit("following.unsubscribed", subject=follow.subject, kind=follow.kind.value,
          was_confirmed=follow.confirmed_at is not None)
    _forget(follow)


def _forget(follow: Follow) -> None:
    now = utcnow()
    # Prefix of random hex: no LIKE wildcards. A message a sender holds a live claim on is left to it (it is
    # being sent this minute); the prune job deletes it with other sent e-mails.
    db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.idempotency_key.like(outbox_key(follow, "%")),
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    ).execution_options(synchronize_session=False))
    db.session.delete(follow)


def prune() -> str:
    """Delete sign-ups never confirmed whose link has expired, and sign-up counts that no longer count."""
    now = utcnow()
    expired = db.session.scalars(select(Follow).where(
        and_(Follow.confirmed_at.is_(None), Follow.confirm_expires_at < now))).all()
    for follow in expired:
        _forget(follow)
    requests = SIGN_UPS.forget_expired()
    return f"{len(expired)} follow sign-ups never confirmed, {requests} follow sign-up counts"
