"""The licence the public record and all open data are published under (OPEN_DATA_LICENCE_NAME and _URL), and
how each open-data format states it: a field of the record, two columns of each CSV, a `Link` header."""

from __future__ import annotations

from flask import current_app


def licence() -> dict[str, str]:
    return {"name": current_app.config["OPEN_DATA_LICENCE_NAME"], "url": current_app.config["OPEN_DATA_LICENCE_URL"]}


# (column, what it holds): the last two columns of every CSV the service publishes.
LICENCE_COLUMNS: list[tuple[str, str]] = [
    ("licence", "The licence the data is published under."),
    ("licence_url", "Where to read the licence."),
]


def licence_cells() -> dict[str, str]:
    """The `LICENCE_COLUMNS` of a row."""
    terms = licence()
    return {"licence": terms["name"], "licence_url": terms["url"]}


def licence_link() -> str:
    """The licence as a `Link` header of a download."""
    return f'<{licence()["url"]}>; rel="license"'
