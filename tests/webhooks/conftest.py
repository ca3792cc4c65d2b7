"""A real HTTP receiver on loopback, webhook subscriptions pointing at it, and events to send."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engage.extensions import db
from engage.webhooks import services
from engage.webhooks.models import EVENT_TYPES, WebhookDelivery, WebhookSubscription
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture, shared with these tests
from tests.receiver import Receiver, allow_loopback, receiver  # noqa: F401 - fixtures


@pytest.fixture
def subscribe(make, receiver: Receiver, allow_loopback) -> Callable[..., WebhookSubscription]:  # noqa: F811
    admin = make.admin()

    def create(path: str = "/hook", *, events: list[str] | None = None, url: str | None = None):
        subscription = services.create_subscription(url=url or receiver.url(path), description="Test receiver",
                                                    events=events or list(EVENT_TYPES), actor=admin)
        db.session.commit()
        return subscription

    return create


@pytest.fixture
def emit_event() -> Callable[..., list[WebhookDelivery]]:
    def emit(event_type: str = "record.published", data: dict | None = None) -> list[WebhookDelivery]:
        deliveries = services.emit(event_type, data or {"engagement": {"slug": "urgent-care", "title": "Urgent"}})
        db.session.commit()
        return deliveries

    return emit
