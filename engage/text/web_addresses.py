"""Web addresses people give (hooks, outputs, websites) are shown as links: only http and https."""

from __future__ import annotations

from urllib.parse import urlsplit

from wtforms import Field, Form
from wtforms.validators import ValidationError

MESSAGE = "Enter a web address starting with https://"


def is_web_address(value: str) -> bool:
    parts = urlsplit(value.strip())
    return (parts.scheme in ("http", "https") and bool(parts.hostname) and "." in (parts.hostname or "")
            and not parts.username and not parts.password)


def web_address(form: Form, field: Field) -> None:
    """A form validator: refuses other schemes (javascript:, data:, ftp:) and addresses with a user name."""
    if field.data and not is_web_address(field.data):
        raise ValidationError(MESSAGE)
