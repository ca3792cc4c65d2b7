"""Sending webhooks to a real receiver on loopback: signatures, retries and back-off, what is never
retried, 410, the private-address rule at send time, and claims that make the job safe to run twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import time_machine
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from engage.audit.models import AuditEvent
from engage.extensions import db
from engage.webhooks import delivery as webhook_delivery
from engage.webhooks.delivery import deliver_due_webhooks, parse_retry_after
from engage.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from tests.conftest import free_port
from tests.receiver import Answer

pytestmark = pytest.mark.date_sensitive

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def fresh(delivery: WebhookDelivery) -> WebhookDelivery:
    db.session.expire_all()
    return db.session.get(WebhookDelivery, delivery.id)


def test_a_delivery_is_signed_so_the_receiver_can_verify_it_and_a_changed_body_fails(
        app, receiver, subscribe, emit_event):
    subscription = subscribe()
    [delivery] = emit_event("record.published", {"engagement": {"slug": "urgent-care", "title": "Évening clinic"}})

    assert deliver_due_webhooks() == "webhooks: 1 delivered, 0 to retry, 0 failed"

    [request] = receiver.requests_to("/hook")
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["webhook-id"] == delivery.message_id
    assert request.headers["User-Agent"] == f"{app.config['SERVICE_NAME']} webhooks ({app.config['BASE_URL']})"
    assert request.body == delivery.payload.encode()
    # The receiver's own check, with the Standard Webhooks library and the secret the admin gave it.
    verified = Webhook(subscription.secret).verify(request.body, request.headers)
    assert verified["type"] == "record.published"
    assert verified["data"]["engagement"]["title"] == "Évening clinic"

    tampered = request.body.replace(b"urgent-care", b"urgent-cure")
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription.secret).verify(tampered, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook_delivery.services.new_secret()).verify(request.body, request.headers)

    sent = fresh(delivery)
    assert sent.status is DeliveryStatus.DELIVERED
    [attempt] = sent.attempt_log
    assert attempt.status_code == 200
    assert attempt.response_excerpt == "ok"
    assert attempt.connected_address == "127.0.0.1"
    assert sent.claim_token is None


def test_the_signature_is_hmac_sha256_of_id_timestamp_and_body(receiver, subscribe, emit_event):
    import base64
    import hashlib
    import hmac

    subscription = subscribe()
    emit_event()
    deliver_due_webhooks()
    [request] = receiver.requests_to("/hook")
    key = base64.b64decode(subscription.secret.removeprefix("whsec_"))
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode() + request.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert request.headers["webhook-signature"] == f"v1,{expected}"
    assert abs(int(request.headers["webhook-timestamp"]) - request.at) < 5


def test_server_errors_are_retried_with_growing_waits_and_the_same_webhook_id(receiver, subscribe, emit_event):
    subscription = subscribe()
    receiver.script("/hook", Answer(500, body=b"<b>broken</b>"), Answer(503), Answer(200))
    with time_machine.travel(T0, tick=True) as traveller:
        [delivery] = emit_event()
        assert deliver_due_webhooks() == "webhooks: 0 delivered, 1 to retry, 0 failed"
        first = fresh(delivery)
        wait = first.next_attempt_at - first.attempt_log[0].attempted_at
        assert timedelta(seconds=60) <= wait <= timedelta(seconds=73)

        deliver_due_webhooks()  # not due yet: nothing is sent
        assert len(receiver.requests_to("/hook")) == 1

        traveller.move_to(T0 + timedelta(seconds=75))
        deliver_due_webhooks()
        second = fresh(delivery)
        wait = second.next_attempt_at - second.attempt_log[1].attempted_at
        assert timedelta(seconds=120) <= wait <= timedelta(seconds=145)

        traveller.move_to(T0 + timedelta(seconds=75 + 150))
        assert deliver_due_webhooks() == "webhooks: 1 delivered, 0 to retry, 0 failed"
        requests = receiver.requests_to("/hook")
        for request in requests:
            Webhook(subscription.secret).verify(request.body, request.headers)  # each attempt signed afresh

    assert len(requests) == 3
    assert {r.headers["webhook-id"] for r in requests} == {delivery.message_id}
    stamps = [int(r.headers["webhook-timestamp"]) for r in requests]
    assert stamps == sorted(stamps) and stamps[2] - stamps[0] >= 225
    done = fresh(delivery)
    assert done.status is DeliveryStatus.DELIVERED
    assert [a.status_code for a in done.attempt_log] == [500, 503, 200]
    assert done.attempt_log[0].response_excerpt == "<b>broken</b>"


@pytest.mark.parametrize("retry_after", ["120", format_datetime(T0 + timedelta(seconds=120), usegmt=True)])
def test_too_many_requests_waits_as_long_as_retry_after_says(receiver, subscribe, emit_event, retry_after):
    subscribe()
    receiver.script("/hook", Answer(429, {"Retry-After": retry_after}), Answer(204, body=b""))
    with time_machine.travel(T0, tick=False) as traveller:
        [delivery] = emit_event()
        deliver_due_webhooks()
        assert fresh(delivery).next_attempt_at == T0 + timedelta(seconds=120)
        traveller.move_to(T0 + timedelta(seconds=119))
        deliver_due_webhooks()
        assert len(receiver.requests_to("/hook")) == 1
        traveller.move_to(T0 + timedelta(seconds=120))
        deliver_due_webhooks()
    assert fresh(delivery).status is DeliveryStatus.DELIVERED
    assert len(receiver.requests_to("/hook")) == 2


def test_retry_after_is_read_in_seconds_or_as_a_date_and_capped():
    assert parse_retry_after("30", T0) == timedelta(seconds=30)
    assert parse_retry_after("Mon, 01 Jun 2026 09:05:00 GMT", T0) == timedelta(minutes=5)
    assert parse_retry_after("9999999", T0) == timedelta(hours=24)
    assert parse_retry_after("Mon, 01 Jun 2026 08:00:00 GMT", T0) == timedelta(0)
    assert parse_retry_after("soon", T0) is None
    assert parse_retry_after(None, T0) is None


def test_a_receiver_that_is_not_listening_is_retried(subscribe, emit_event):
    subscribe(url=f"http://127.0.0.1:{free_port()}/hook")
    with time_machine.travel(T0, tick=True):
        [delivery] = emit_event()
        assert deliver_due_webhooks() == "webhooks: 0 delivered, 1 to retry, 0 failed"
    tried = fresh(delivery)
    assert tried.status is DeliveryStatus.PENDING
    assert tried.attempt_log[0].status_code is None
    assert tried.attempt_log[0].error == "Could not connect to the receiver"
    assert tried.next_attempt_at >= T0 + timedelta(seconds=60)


def test_a_receiver_that_answers_too_slowly_is_retried(app, receiver, subscribe, emit_event, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_READ_TIMEOUT_SECONDS", 1)
    subscribe()
    receiver.script("/hook", Answer(200, delay=2.5))
    [delivery] = emit_event()
    assert deliver_due_webhooks() == "webhooks: 0 delivered, 1 to retry, 0 failed"
    tried = fresh(delivery)
    assert tried.attempt_log[0].error == "The receiver did not answer in time"
    assert 900 <= tried.attempt_log[0].duration_ms < 2500


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_other_client_errors_fail_at_once_and_are_never_retried(receiver, subscribe, emit_event, status):
    subscribe()
    receiver.script("/hook", Answer(status, body=b"no such hook"))
    with time_machine.travel(T0, tick=True) as traveller:
        [delivery] = emit_event()
        assert deliver_due_webhooks() == "webhooks: 0 delivered, 0 to retry, 1 failed"
        traveller.move_to(T0 + timedelta(days=2))
        deliver_due_webhooks()
    assert len(receiver.requests_to("/hook")) == 1
    failed = fresh(delivery)
    assert failed.status is DeliveryStatus.FAILED
    assert failed.attempt_log[0].error == f"The receiver answered {status}: not retried"


def test_a_redirect_is_not_followed_and_the_delivery_fails(receiver, subscribe, emit_event):
    subscribe()
    receiver.script("/hook", Answer(302, {"Location": "/elsewhere"}))
    [delivery] = emit_event()
    deliver_due_webhooks()
    assert receiver.requests_to("/elsewhere") == []
    failed = fresh(delivery)
    assert failed.status is DeliveryStatus.FAILED
    assert failed.attempt_log[0].status_code == 302


def test_gone_stops_the_subscription_and_cancels_what_was_waiting(receiver, subscribe, emit_event):
    subscription = subscribe()
    receiver.script("/hook", Answer(410))
    [first] = emit_event()
    [second] = emit_event("record.version")
    assert deliver_due_webhooks() == "webhooks: 0 delivered, 0 to retry, 1 failed"

    db.session.expire_all()
    stopped = db.session.get(WebhookSubscription, subscription.id)
    assert stopped.is_active is False
    assert stopped.disabled_reason.startswith("The receiver answered 410 Gone")
    assert fresh(first).status is DeliveryStatus.FAILED
    assert fresh(second).status is DeliveryStatus.CANCELLED
    assert len(receiver.requests_to("/hook")) == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "webhook.subscription_disabled",
                                                      AuditEvent.subject_id == subscription.id)) is not None
    assert emit_event() == []  # a stopped subscription gets no new events


def test_after_the_last_allowed_attempt_a_delivery_fails(app, receiver, subscribe, emit_event, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 3)
    subscribe()
    receiver.script("/hook", Answer(500))
    with time_machine.travel(T0, tick=True) as traveller:
        [delivery] = emit_event()
        for hours in range(1, 6):
            deliver_due_webhooks()
            traveller.move_to(T0 + timedelta(hours=hours))
    assert len(receiver.requests_to("/hook")) == 3
    failed = fresh(delivery)
    assert failed.status is DeliveryStatus.FAILED
    assert failed.attempts == 3
    assert failed.finished_at is not None


def test_an_address_refused_when_sending_fails_the_delivery_without_sending(app, receiver, subscribe, emit_event,
                                                                            monkeypatch):
    subscribe()  # accepted while loopback was allowed
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", [])
    [delivery] = emit_event()
    assert deliver_due_webhooks() == "webhooks: 0 delivered, 0 to retry, 1 failed"
    assert receiver.received == []
    failed = fresh(delivery)
    assert failed.status is DeliveryStatus.FAILED
    assert failed.attempt_log[0].error == "Not sent: the address is on a private network"
    assert failed.attempt_log[0].connected_address == "127.0.0.1"


def test_only_subscribed_events_and_active_subscriptions_get_deliveries(subscribe, emit_event):
    from engage.webhooks import services

    wants_records = subscribe("/records", events=["record.published"])
    subscribe("/steps", events=["engagement.step_changed"])
    paused = subscribe("/paused", events=["record.published"])
    services.pause(paused, actor=None)
    db.session.commit()
    deliveries = emit_event("record.published")
    assert [d.subscription_id for d in deliveries] == [wants_records.id]


def test_waiting_deliveries_of_a_paused_subscription_wait_until_it_resumes(receiver, subscribe, emit_event):
    from engage.webhooks import services

    subscription = subscribe()
    [delivery] = emit_event()
    services.pause(subscription, actor=None)
    db.session.commit()
    assert deliver_due_webhooks() == "webhooks: 0 delivered, 0 to retry, 0 failed"
    services.resume(db.session.get(WebhookSubscription, subscription.id), actor=None)
    db.session.commit()
    deliver_due_webhooks()
    assert fresh(delivery).status is DeliveryStatus.DELIVERED


# Safe to run twice, or after a process died -----------------------------------------------------------------

def test_running_the_job_twice_sends_each_delivery_once(receiver, subscribe, emit_event):
    subscribe()
    emit_event()
    emit_event("record.version")
    assert deliver_due_webhooks() == "webhooks: 2 delivered, 0 to retry, 0 failed"
    assert deliver_due_webhooks() == "webhooks: 0 delivered, 0 to retry, 0 failed"
    assert len(receiver.requests_to("/hook")) == 2


def test_a_delivery_claimed_by_another_scheduler_is_left_to_it(receiver, subscribe, emit_event):
    subscribe()
    [delivery] = emit_event()
    assert webhook_delivery._claim(delivery.id, webhook_delivery.utcnow()) is not None
    assert webhook_delivery._claim(delivery.id, webhook_delivery.utcnow()) is None
    assert deliver_due_webhooks() == "webhooks: 0 delivered, 0 to retry, 0 failed"
    assert receiver.received == []


def test_a_scheduler_whose_claim_lapsed_while_sending_leaves_the_delivery_to_the_one_that_took_it_over(
        receiver, subscribe, emit_event):
    subscribe()
    [delivery] = emit_event()
    engine = db.engine

    def another_scheduler_takes_it() -> None:
        with engine.begin() as connection:
            connection.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery.id).values(
                claim_token="the other scheduler", claimed_until=webhook_delivery.utcnow() + timedelta(minutes=1)))

    receiver.script("/hook", Answer(status=503, meanwhile=another_scheduler_takes_it))

    deliver_due_webhooks()

    assert len(receiver.requests_to("/hook")) == 1
    taken = fresh(delivery)
    # The slow scheduler's 503 (a retry, an attempt logged) is not saved over the other scheduler's claim.
    assert (taken.status, taken.attempts, taken.claim_token, taken.attempt_log) == (
        DeliveryStatus.PENDING, 0, "the other scheduler", [])


def test_a_claim_left_by_a_process_that_died_lapses_and_the_delivery_is_sent_once(receiver, subscribe, emit_event):
    subscribe()
    with time_machine.travel(T0, tick=True) as traveller:
        [delivery] = emit_event()
        webhook_delivery._claim(delivery.id, webhook_delivery.utcnow())  # then the process was killed
        deliver_due_webhooks()
        assert receiver.received == []
        traveller.move_to(T0 + timedelta(minutes=5))
        assert deliver_due_webhooks() == "webhooks: 1 delivered, 0 to retry, 0 failed"
        deliver_due_webhooks()
    assert len(receiver.requests_to("/hook")) == 1
    assert fresh(delivery).attempts == 1


def test_two_schedulers_running_at_once_send_each_delivery_once(app, receiver, subscribe, emit_event):
    import threading

    subscribe()
    receiver.script("/hook", Answer(200, delay=0.2))
    for _ in range(4):
        emit_event()
    summaries: list[str] = []

    def run() -> None:
        with app.app_context():
            summaries.append(deliver_due_webhooks())

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(receiver.requests_to("/hook")) == 4
    assert sorted(json.loads(r.body)["type"] for r in receiver.requests_to("/hook")) == ["record.published"] * 4
    delivered = sum(int(summary.split()[1]) for summary in summaries)
    assert delivered == 4
