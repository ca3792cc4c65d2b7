"""Recording audit events. Callers commit with the change they describe, so both land or neither."""

from __future__ import annotations

from typing import Any

from engage.audit.models import AuditEvent
from engage.extensions import db


def record(action: str, *, actor=None, subject=None, **data: Any) -> AuditEvent:
    if subject is not None and getattr(subject, "id", None) is None:
        db.session.flush()  # a new subject needs its id before the event can name it
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        subject_type=type(subject).__name__ if subject is not None else "",
        subject_id=getattr(subject, "id", None),
        data=data,
    )
    db.session.add(event)
    return event
