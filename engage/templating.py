"""Template filters shared by every page."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from engage.clock import LONDON
from engage.forms.money import format_pounds
from engage.text.markdown import render_markdown

AUDIT_ACTIONS = {
    "auth.signed_in": "Signed in",
    "auth.sign_in_failed": "Failed to sign in",
    "auth.sign_in_throttled": "Sign-in refused: too many attempts",
    "auth.signed_out": "Signed out",
    "auth.signed_out_everywhere": "Signed out on every device",
    "auth.recovery_code_used": "Used a recovery code",
    "access.refused": "Was refused access to a page",
    "account.created": "Account created",
    "account.invited": "Invitation sent",
    "account.invitation_accepted": "Invitation accepted",
    "account.password_reset_requested": "Password reset requested",
    "account.password_reset": "Password reset",
    "account.password_changed": "Password changed",
    "account.role_changed": "Role changed",
    "account.deactivated": "Account deactivated",
    "account.reactivated": "Account reactivated",
    "account.two_factor_changed": "Two-factor sign-in changed",
    "account.recovery_codes_replaced": "Recovery codes replaced",
    "organisation.created": "Organisation added",
    "organisation.updated": "Organisation changed",
}


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    hour = local.strftime("%I").lstrip("0") or "12"
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{local.strftime('%p').lower()}"


def format_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def pounds(pence: int | None) -> str:
    if pence is None:
        return "Not set"
    return format_pounds(pence)


def hours(value: float | int | None) -> str:
    """2.5 → '2.5', 3.0 → '3'."""
    return f"{value or 0:,.2f}".rstrip("0").rstrip(".")


def audit_action(action: str) -> str:
    return AUDIT_ACTIONS.get(action, action.replace(".", ": ").replace("_", " ").capitalize())


def init_app(app: Flask) -> None:
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date_long")
    app.add_template_filter(audit_action, "audit_action")
    app.add_template_global(pounds, "pounds")
    app.add_template_global(hours, "hours")
