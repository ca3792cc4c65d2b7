"""The administrators' webhook pages: who may use them, the form and its errors, the secret, and the
deliveries with their attempts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.audit.models import AuditEvent
from engage.extensions import db
from engage.webhooks import services
from engage.webhooks.delivery import deliver_due_webhooks
from engage.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.accounts.admin_matrix import AdminRouteMatrix, Route, World
from tests.accounts.helpers import audit_events, error_summary, main_text, soup
from tests.factories import csrf_token, sign_in
from tests.receiver import Answer

ROUTES = [
    Route("GET", "/admin/webhooks/"),
    Route("GET", "/admin/webhooks/new"),
    Route("POST", "/admin/webhooks/new", {"url": "{receiver}", "description": "New", "events": "record.published"}),
    Route("GET", "/admin/webhooks/{sub}"),
    Route("GET", "/admin/webhooks/{sub}/edit"),
    Route("POST", "/admin/webhooks/{sub}/edit", {"url": "{receiver}", "description": "Changed",
                                                 "events": "agreement.signed"}),
    Route("GET", "/admin/webhooks/{sub}/secret"),
    Route("POST", "/admin/webhooks/{sub}/rotate"),
    Route("POST", "/admin/webhooks/{sub}/pause"),
    Route("POST", "/admin/webhooks/{paused}/resume"),
    Route("GET", "/admin/webhooks/{doomed}/delete"),
    Route("POST", "/admin/webhooks/{doomed}/delete"),
    Route("GET", "/admin/webhooks/{sub}/deliveries/{delivery}"),
]


@pytest.fixture
def world(make, receiver, subscribe, emit_event) -> World:
    subscription = subscribe()
    paused = subscribe("/paused")
    doomed = subscribe("/doomed")
    admin = make.admin()
    services.pause(paused, actor=admin)
    db.session.commit()
    [delivery, *_] = emit_event()
    return World(admin, {"sub": str(subscription.id), "paused": str(paused.id), "doomed": str(doomed.id),
                         "delivery": str(delivery.id), "receiver": receiver.url("/new")})


def snapshot() -> tuple:
    db.session.expire_all()
    subscriptions = db.session.execute(
        select(WebhookSubscription.id, WebhookSubscription.url, WebhookSubscription.description,
               WebhookSubscription.secret, WebhookSubscription.is_active, WebhookSubscription.events)
        .order_by(WebhookSubscription.id)).all()
    audited = db.session.scalars(select(AuditEvent.id).where(AuditEvent.action.like("webhook.%"))).all()
    return subscriptions, audited


class TestWebhookPages(AdminRouteMatrix):
    ROUTES = ROUTES
    BLUEPRINTS = ("webhooks",)
    NEVER_SHOWN_WHEN_REFUSED = ("whsec_",)
    snapshot = staticmethod(snapshot)


def test_a_form_without_its_csrf_token_is_refused(client, make, receiver, allow_loopback):
    sign_in(client, make.admin())
    response = client.post("/admin/webhooks/new", data={"url": receiver.url(), "events": "record.published"})
    assert response.status_code == 400
    assert db.session.scalars(select(WebhookSubscription)).all() == []


def test_adding_a_webhook_shows_its_secret_and_audits_it(client, make, receiver, allow_loopback):
    admin = make.admin()
    sign_in(client, admin)
    response = client.post("/admin/webhooks/new", data={
        "url": receiver.url("/engage"), "description": "Open data portal",
        "events": ["record.published", "record.version"], "csrf_token": csrf_token(client, "/admin/webhooks/new")},
        follow_redirects=True)
    subscription = db.session.scalar(select(WebhookSubscription))
    assert subscription.events == ["record.published", "record.version"]
    assert subscription.secret.startswith("whsec_") and len(subscription.secret) >= 6 + 32
    assert subscription.secret in main_text(response)
    [created] = audit_events("webhook.subscription_created")
    assert created.actor_id == admin.id
    assert created.data["url"] == receiver.url("/engage")
    assert subscription.secret not in str(created.data)
    assert len(audit_events("webhook.secret_viewed")) == 1


def test_a_private_address_is_refused_with_the_error_summary_and_the_form_keeps_what_was_typed(client, make):
    sign_in(client, make.admin())
    response = client.post("/admin/webhooks/new", data={
        "url": "http://169.254.169.254/latest", "description": "Metadata", "events": "agreement.signed",
        "csrf_token": csrf_token(client, "/admin/webhooks/new")})
    assert response.status_code == 200
    assert "The address is on a private network" in error_summary(response)
    page = soup(response)
    assert page.select_one("input[name=url]")["value"] == "http://169.254.169.254/latest"
    assert page.select_one("input[name=description]")["value"] == "Metadata"
    assert page.select_one("input[name=events][value='agreement.signed']").has_attr("checked")
    assert db.session.scalars(select(WebhookSubscription)).all() == []


def test_a_missing_address_and_no_events_are_both_reported(client, make):
    sign_in(client, make.admin())
    response = client.post("/admin/webhooks/new", data={"url": "", "csrf_token": csrf_token(client,
                                                                                              "/admin/webhooks/new")})
    summary = error_summary(response)
    assert "Enter the receiver's web address" in summary
    assert "Select at least one event" in summary


@pytest.mark.parametrize("url", ["ftp://8.8.8.8/hook", "http://2130706433/hook", "http://admin:pw@8.8.8.8/"])
def test_other_refused_addresses_at_registration(client, make, url):
    sign_in(client, make.admin())
    response = client.post("/admin/webhooks/new", data={"url": url, "events": "record.published",
                                                        "csrf_token": csrf_token(client, "/admin/webhooks/new")})
    assert response.status_code == 200
    assert error_summary(response)
    assert db.session.scalars(select(WebhookSubscription)).all() == []


def test_making_a_new_secret_replaces_the_old_one(client, world):
    sign_in(client, world.admin)
    old = db.session.get(WebhookSubscription, int(world.values["sub"])).secret
    response = client.post(f"/admin/webhooks/{world.values['sub']}/rotate",
                           data={"csrf_token": csrf_token(client, f"/admin/webhooks/{world.values['sub']}")},
                           follow_redirects=True)
    db.session.expire_all()
    new = db.session.get(WebhookSubscription, int(world.values["sub"])).secret
    assert new != old and new.startswith("whsec_")
    assert new in main_text(response) and old not in main_text(response)
    assert len(audit_events("webhook.secret_rotated")) == 1


def test_the_delivery_page_shows_each_attempt_and_escapes_what_the_receiver_said(client, world, receiver):
    receiver.script("/hook", Answer(500, body=b"<script>alert('x')</script>"))
    deliver_due_webhooks()
    sign_in(client, world.admin)
    response = client.get(world.fill("/admin/webhooks/{sub}/deliveries/{delivery}"))
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    text = main_text(response)
    assert "500" in text and "The receiver answered 500" in text and "127.0.0.1" in text
    delivery = db.session.get(WebhookDelivery, int(world.values["delivery"]))
    assert delivery.message_id in text

    listing = main_text(client.get(world.fill("/admin/webhooks/{sub}")))
    assert "record.published" in listing and "Waiting" in listing


def test_a_delivery_of_another_subscription_is_not_found(client, world):
    sign_in(client, world.admin)
    assert client.get(world.fill("/admin/webhooks/{paused}/deliveries/{delivery}")).status_code == 404


def test_webhooks_are_linked_from_the_administration_page(client, make):
    sign_in(client, make.admin())
    page = soup(client.get("/admin/"))
    assert page.select_one("main a[href='/admin/webhooks/']") is not None
