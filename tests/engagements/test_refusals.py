"""Every refusal is audited in one form: the person, what they were refused, the address and the reason."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import select

from engage.audit.models import AuditEvent
from engage.audit.refusals import refuse
from engage.extensions import db
from tests.factories import sign_in

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


def _refusals() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access.refused")
                                   .order_by(AuditEvent.id)))


def test_someone_who_may_not_open_engagements_is_refused_and_audited_without_a_subject(client, make):
    partner = make.partner()
    sign_in(client, partner)

    assert client.get("/workspace/new").status_code == 403

    [event] = _refusals()
    assert (event.actor_id, event.subject_type, event.subject_id) == (partner.id, "", None)
    assert event.data == {"path": "/workspace/new", "reason": "cannot open engagements"}


def test_a_refusal_names_its_subject_cuts_a_long_address_and_outlives_a_rollback(app, make):
    partner = make.partner()
    organisation = partner.organisation
    with app.test_request_context("/workspace/" + "x" * 300):
        g.user = partner
        refuse(organisation, "not allowed", kind="Agreement", id=7)
        db.session.rollback()  # what the error handler does before the 403 or 404 page

    [event] = _refusals()
    assert (event.actor_id, event.subject_type, event.subject_id) == (partner.id, "Organisation", organisation.id)
    assert event.data == {"path": ("/workspace/" + "x" * 300)[:200], "reason": "not allowed",
                          "kind": "Agreement", "id": 7}
