"""Recording that the signed-in person was refused a page or an action, the one form every refusal takes."""

from __future__ import annotations

from typing import Any

from flask import g, request

from engage.audit.services import record
from engage.extensions import db


def refuse(subject: object | None, reason: str, **data: Any) -> None:
    """Audit the refusal of what this request asked for (`subject`, if it names one, and why) and commit it at
    once: the caller then answers 403 or 404, and the error handler rolls back whatever else the request did,
    which must not take the refusal with it."""
    record("access.refused", actor=g.user, subject=subject, path=request.path[:200], reason=reason, **data)
    db.session.commit()
