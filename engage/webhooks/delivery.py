"""Sending webhook deliveries: the scheduler's job.

Each delivery is claimed (a token and a time the claim lapses, written by a conditional UPDATE and
committed) before it is sent, so two schedulers never send the same attempt, and a delivery claimed by
a process that died is claimed again once the claim lapses. The outcome of each attempt is committed
on its own. A process killed after sending and before saving the outcome sends that attempt again:
receivers recognise a repeat by its `webhook-id`, which stays the same on every retry.
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from engage import claims
from engage.database import utcnow
from engage.extensions import db
from engage.security.outbound import OutboundRefused, checked_request, guarded_session
from engage.webhooks import services
from engage.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription

EXCERPT_BYTES = 1024
EXCERPT_CHARS = 500
FIRST_RETRY_SECONDS = 60
LONGEST_WAIT = timedelta(hours=6)
LONGEST_RETRY_AFTER = timedelta(hours=24)
CLAIM_MARGIN_SECONDS = 60


@dataclass
class Outcome:
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    connected_address: str = ""
    retry: bool = False
    retry_after: timedelta | None = None
    gone: bool = False

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def user_agent() -> str:
    config = current_app.config
    return f"{config['SERVICE_NAME']} webhooks ({config['BASE_URL']})"


def signed_headers(delivery: WebhookDelivery, secret: str, at: datetime) -> dict[str, str]:
    """Standard Webhooks headers: the id stays the same on every retry; the timestamp and signature are
    this attempt's."""
    return {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery.message_id, at, delivery.payload),
        "Content-Type": "application/json",
    }


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the first, second, third … attempt, capped, with up to a fifth more at
    random so many receivers that failed together are not all tried again at the same second."""
    base = min(timedelta(seconds=FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0)), LONGEST_WAIT)
    return base * (1 + random.random() / 5)


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """`Retry-After` in seconds or as an HTTP date, capped at a day; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        wait = timedelta(seconds=int(value))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        wait = when - now
    return min(max(wait, timedelta(0)), LONGEST_RETRY_AFTER)


def _claim(delivery_id: int, now: datetime) -> str | None:
    config = current_app.config
    lease = config["WEBHOOK_CONNECT_TIMEOUT_SECONDS"] + config["WEBHOOK_READ_TIMEOUT_SECONDS"] + CLAIM_MARGIN_SECONDS
    return claims.claim(WebhookDelivery, delivery_id, waiting=DeliveryStatus.PENDING, now=now, seconds=lease)


def _due_ids(now: datetime, limit: int) -> list[int]:
    return list(db.session.scalars(
        select(WebhookDelivery.id)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(claims.claimable(WebhookDelivery, DeliveryStatus.PENDING, now),
               WebhookSubscription.is_active.is_(True))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    ))


def _excerpt(response: requests.Response) -> str:
    # Read only the start of the body: a receiver could answer with gigabytes.
    try:
        start = response.raw.read(EXCERPT_BYTES, decode_content=True) or b""
    except (OSError, requests.RequestException, ValueError):
        start = b""
    finally:
        response.close()
    return start.decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def _send(session: requests.Session, delivery: WebhookDelivery, at: datetime) -> Outcome:
    config = current_app.config
    subscription = delivery.subscription
    try:
        response = checked_request(
            session, "POST", subscription.url, data=delivery.payload.encode(), stream=True,
            headers=signed_headers(delivery, subscription.secret, at),
            timeout=(config["WEBHOOK_CONNECT_TIMEOUT_SECONDS"], config["WEBHOOK_READ_TIMEOUT_SECONDS"]))
    except OutboundRefused as refusal:
        return Outcome(error=f"Not sent: {refusal.message.lower()}", connected_address=refusal.address)
    except requests.Timeout:
        return Outcome(error="The receiver did not answer in time", retry=True)
    except requests.ConnectionError:
        return Outcome(error="Could not connect to the receiver", retry=True)
    except requests.RequestException as error:
        return Outcome(error=f"The request could not be sent: {type(error).__name__}")
    code = response.status_code
    outcome = Outcome(status_code=code, excerpt=_excerpt(response),
                      connected_address=getattr(response, "connected_address", ""))
    if code == 429 or code >= 500:
        outcome.retry = True
        outcome.retry_after = parse_retry_after(response.headers.get("Retry-After"), at)
    elif code == 410:
        outcome.gone = True
    if not outcome.delivered:
        outcome.error = f"The receiver answered {code}" + ("" if outcome.retry else ": not retried")
    return outcome


def _record(delivery: WebhookDelivery, outcome: Outcome, at: datetime, duration_ms: int, counts: dict[str, int]):
    delivery.attempt_log.append(WebhookAttempt(
        attempted_at=at, status_code=outcome.status_code, response_excerpt=outcome.excerpt,
        error=outcome.error[:500], duration_ms=duration_ms, connected_address=outcome.connected_address[:64]))
    delivery.attempts += 1
    if outcome.delivered:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.finished_at = utcnow()
        counts["delivered"] += 1
    elif outcome.retry and delivery.attempts < current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        delivery.next_attempt_at = utcnow() + (outcome.retry_after if outcome.retry_after is not None
                                               else retry_delay(delivery.attempts))
        counts["retrying"] += 1
    else:
        delivery.status = DeliveryStatus.FAILED
        delivery.finished_at = utcnow()
        counts["failed"] += 1
        if outcome.gone:
            services.disable_gone(delivery.subscription, status_code=outcome.status_code or 410)


def deliver_due_webhooks(limit: int = 200) -> str:
    """Send every delivery whose time has come, once each per run. Returns a one-line summary."""
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    session = guarded_session(user_agent())
    try:
        for delivery_id in _due_ids(utcnow(), limit):
            token = _claim(delivery_id, utcnow())
            if token is None:
                continue  # another scheduler has it
            delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
            if delivery is None:
                continue
            at = utcnow()
            started = time.monotonic()
            outcome = _send(session, delivery, at)
            if not claims.release(WebhookDelivery, delivery_id, token):
                db.session.rollback()  # too slow: another scheduler took the delivery over, and its outcome stands
                continue
            _record(delivery, outcome, at, int((time.monotonic() - started) * 1000), counts)
            db.session.commit()
    finally:
        session.close()
    return f"webhooks: {counts['delivered']} delivered, {counts['retrying']} to retry, {counts['failed']} failed"
