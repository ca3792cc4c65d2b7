"""Text cut to fit: a column, a subject line, a choice in a list."""

from __future__ import annotations


def shortened(text: str, limit: int) -> str:
    """The text cut to at most `limit` characters, ending in an ellipsis if anything was cut."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"
