"""Cells of the CSV files the service publishes, made safe to open in a spreadsheet."""

from __future__ import annotations

from typing import Any

# Characters that make a spreadsheet treat a cell as a formula (and tab and carriage return, which some
# spreadsheets skip before looking).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula starts with an apostrophe instead."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
