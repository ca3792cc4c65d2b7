"""Webhook subscriptions (registered by administrators) and the events they are sent.

`emit()` only writes deliveries, in the caller's transaction: the event and the change it describes are
saved together or not at all, and nothing is sent during a web request. The scheduler's job in
`delivery.py` sends them.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update

from engage.accounts.models import User
from engage.audit.services import record
from engage.database import utcnow
from engage.extensions import db
from engage.security.outbound import OutboundRefused, check_url
from engage.webhooks.models import EVENT_TYPES, DeliveryStatus, WebhookDelivery, WebhookSubscription

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
SECRET_BYTES = 32


class WebhookError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: "whsec_" and base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(24)


def _checked(url: str, description: str, events: Iterable[str]) -> tuple[str, str, list[str]]:
    url = url.strip()
    wanted = sorted(set(events))
    unknown = [event for event in wanted if event not in EVENT_TYPES]
    if unknown:
        raise WebhookError("events", f"Unknown event: {unknown[0]}")
    if not wanted:
        raise WebhookError("events", "Select at least one event")
    if not url:
        raise WebhookError("url", "Enter the receiver's web address")
    try:
        check_url(url)
    except OutboundRefused as refusal:
        raise WebhookError("url", refusal.message) from refusal
    return url, description.strip(), wanted


def create_subscription(*, url: str, description: str, events: Iterable[str], actor: User) -> WebhookSubscription:
    url, description, wanted = _checked(url, description, events)
    subscription = WebhookSubscription(url=url, description=description, events=wanted, secret=new_secret(),
                                       created_by_id=actor.id, is_active=True, disabled_reason="")
    db.session.add(subscription)
    record("webhook.subscription_created", actor=actor, subject=subscription, url=url, events=wanted)
    return subscription


def update_subscription(subscription: WebhookSubscription, *, url: str, description: str, events: Iterable[str],
                        actor: User) -> WebhookSubscription:
    url, description, wanted = _checked(url, description, events)
    changed = [name for name, value in (("url", url), ("description", description), ("events", wanted))
               if getattr(subscription, name) != value]
    subscription.url, subscription.description, subscription.events = url, description, wanted
    if changed:
        record("webhook.subscription_updated", actor=actor, subject=subscription, fields=changed, url=url,
               events=wanted)
    return subscription


def rotate_secret(subscription: WebhookSubscription, *, actor: User) -> None:
    """A new secret signs every attempt from now on, retries of earlier events included."""
    subscription.secret = new_secret()
    record("webhook.secret_rotated", actor=actor, subject=subscription)


def secret_viewed(subscription: WebhookSubscription, *, actor: User) -> None:
    record("webhook.secret_viewed", actor=actor, subject=subscription)


def pause(subscription: WebhookSubscription, *, actor: User) -> None:
    subscription.is_active = False
    subscription.disabled_reason = "Paused by an administrator"
    record("webhook.subscription_paused", actor=actor, subject=subscription)


def resume(subscription: WebhookSubscription, *, actor: User) -> None:
    subscription.is_active = True
    subscription.disabled_reason = ""
    record("webhook.subscription_resumed", actor=actor, subject=subscription)


def delete(subscription: WebhookSubscription, *, actor: User) -> None:
    record("webhook.subscription_deleted", actor=actor, subject=subscription, url=subscription.url)
    db.session.delete(subscription)


def disable_gone(subscription: WebhookSubscription, *, status_code: int) -> int:
    """The receiver said it is gone for good (410): stop, and cancel what was waiting. Returns how many
    deliveries were cancelled."""
    subscription.is_active = False
    subscription.disabled_reason = f"The receiver answered {status_code} Gone on {utcnow():%d %B %Y}"
    cancelled = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription.id, WebhookDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED, finished_at=utcnow(), claim_token=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    record("webhook.subscription_disabled", subject=subscription, reason=subscription.disabled_reason,
           cancelled=cancelled)
    return cancelled


# Events ---------------------------------------------------------------------------------------------------

def payload_for(event_type: str, data: dict[str, Any]) -> str:
    """The exact text that is signed and sent, the same on every retry."""
    return json.dumps({"type": event_type, "timestamp": utcnow().isoformat(), "data": data},
                      ensure_ascii=False, separators=(",", ":"))


def emit(event_type: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """One delivery for every active subscription that wants this event. Does not commit."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event {event_type!r}")
    subscriptions = db.session.scalars(select(WebhookSubscription).where(WebhookSubscription.is_active.is_(True))
                                       .order_by(WebhookSubscription.id)).all()
    payload = payload_for(event_type, data)
    deliveries = []
    for subscription in subscriptions:
        if event_type not in (subscription.events or []):
            continue
        delivery = WebhookDelivery(subscription_id=subscription.id, message_id=new_message_id(),
                                   event_type=event_type, payload=payload, status=DeliveryStatus.PENDING,
                                   attempts=0, next_attempt_at=utcnow())
        db.session.add(delivery)
        deliveries.append(delivery)
    return deliveries
