"""Many sign requests at once have exactly the effect of one: each party's signature is stored once, the
agreement is signed once, and everyone else is told why their request did nothing.

Every thread has its own application context, and so its own database session and connection, as the
requests of several workers would. A barrier releases them together.
"""

from __future__ import annotations

import threading
from collections import Counter

from flask import Flask
from sqlalchemy import select

from engage.accounts.models import User
from engage.agreements import services
from engage.agreements.models import Agreement, AgreementStatus, Party
from engage.audit.models import AuditEvent
from engage.extensions import db
from tests.agreements.conftest import LEAD_NAME, PARTNER_NAME, fresh
from tests.concurrency import Task, all_at_once, posting, signed_in_browsers

THREADS = 20
ALREADY_SIGNED = "You have already signed this agreement"
NOW_SIGNED = "This agreement is signed: it cannot be signed"


def _signer(app: Flask, agreement_id: int, user_id: int, typed_name: str, expected_hash: str) -> Task:
    def task(barrier: threading.Barrier) -> str:
        with app.app_context():
            user = db.session.get(User, user_id)
            # Let the connection go while waiting: a pool smaller than the crowd must not deadlock.
            db.session.close()
            barrier.wait(timeout=60)
            try:
                services.sign(agreement_id, user=user, typed_name=typed_name, expected_hash=expected_hash)
            except services.AgreementError as error:
                return error.message
            return "signed"

    return task


def _signed_events() -> list[dict]:
    db.session.expire_all()
    return [e.data for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "agreement.signed")
                                                .order_by(AuditEvent.id))]


def test_twenty_simultaneous_signatures_by_one_person_store_one(app, parties, proposed):
    before = fresh(proposed.id).lock_version
    outcomes = all_at_once([_signer(app, proposed.id, parties.lead.id, LEAD_NAME, proposed.content_hash)
                            for _ in range(THREADS)])

    assert Counter(outcomes) == {"signed": 1, ALREADY_SIGNED: THREADS - 1}
    agreement = fresh(proposed.id)
    assert [(s.party, s.user_id, s.content_hash) for s in agreement.signatures] == [
        (Party.PUBLIC_SECTOR, parties.lead.id, proposed.content_hash)]
    assert agreement.status is AgreementStatus.PROPOSED
    assert agreement.lock_version == before + 1
    assert [(e["party"], e["complete"]) for e in _signed_events()] == [("public_sector", False)]


def test_both_signatories_ten_times_each_at_once_sign_it_once(app, parties, proposed):
    tasks = [_signer(app, proposed.id, parties.lead.id, LEAD_NAME, proposed.content_hash) for _ in range(10)]
    tasks += [_signer(app, proposed.id, parties.partner.id, PARTNER_NAME, proposed.content_hash) for _ in range(10)]
    outcomes = all_at_once(tasks)

    # One of each person's ten requests signs; the rest find that person's signature, or the agreement
    # already complete, depending on when they run.
    for person in (outcomes[:10], outcomes[10:]):
        assert person.count("signed") == 1
        assert set(person) - {"signed"} <= {ALREADY_SIGNED, NOW_SIGNED}
    agreement = fresh(proposed.id)
    assert agreement.status is AgreementStatus.SIGNED and agreement.signed_at is not None
    assert sorted((s.party.value, s.user_id, s.content_hash) for s in agreement.signatures) == sorted([
        ("public_sector", parties.lead.id, proposed.content_hash),
        ("vcfse", parties.partner.id, proposed.content_hash)])
    events = _signed_events()
    assert sorted(e["party"] for e in events) == ["public_sector", "vcfse"]
    assert [e["complete"] for e in events] == [False, True]
    assert all(e["content_hash"] == proposed.content_hash for e in events)


def test_twenty_simultaneous_sign_requests_through_the_page_store_one(app, parties, proposed):
    page, content_hash = parties.page(proposed.id), proposed.content_hash
    clients = signed_in_browsers(app, parties.partner, THREADS)
    # Each request has a token for its own session, read before the crowd is released.
    outcomes = all_at_once([posting(client, f"{page}/sign", {"typed_name": PARTNER_NAME,
                                                             "content_hash": content_hash})
                            for client in clients])

    assert outcomes == [f"302 {page}"] * THREADS
    agreement = fresh(proposed.id)
    assert [(s.party, s.user_id) for s in agreement.signatures] == [(Party.VCFSE, parties.partner.id)]
    assert agreement.status is AgreementStatus.PROPOSED
    assert [(e["party"], e["complete"]) for e in _signed_events()] == [("vcfse", False)]
    # Exactly one person was told they signed; every other request was told it had already been done.
    messages = [client.get(page).get_data(as_text=True) for client in clients]
    assert sum("You have signed." in html for html in messages) == 1
    assert sum(ALREADY_SIGNED in html for html in messages) == THREADS - 1


def test_a_racing_signature_never_leaves_a_half_signed_agreement(app, parties, proposed):
    # The lead has signed; the partner's racing requests must complete the agreement exactly once.
    services.sign(proposed.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=proposed.content_hash)
    outcomes = all_at_once([_signer(app, proposed.id, parties.partner.id, PARTNER_NAME, proposed.content_hash)
                            for _ in range(THREADS)])
    assert outcomes.count("signed") == 1
    assert set(outcomes) - {"signed"} <= {ALREADY_SIGNED, NOW_SIGNED}
    agreement = db.session.get(Agreement, proposed.id, populate_existing=True)
    assert agreement.status is AgreementStatus.SIGNED
    assert len(agreement.signatures) == 2
    assert [e["complete"] for e in _signed_events()] == [False, True]
