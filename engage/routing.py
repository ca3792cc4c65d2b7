"""Whole numbers in addresses (`<int:…>`): every one names a row by its id or a published version by its number,
so none may be larger than an INTEGER column holds.

Werkzeug's own converter takes any run of digits, and a number too large for the column then reaches the
database, which refuses it (PostgreSQL: "integer out of range"; SQLite's driver: "Python int too large") with
a 500. Bounded here, such an address matches no route and is not found, like any other id that names nothing.
"""

from __future__ import annotations

import builtins

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# The largest value of an INTEGER column on PostgreSQL (SQLite's are larger: this is the lower bound of the two).
LARGEST_INTEGER = 2**31 - 1


class DatabaseInteger(IntegerConverter):
    """A whole number from 0 to LARGEST_INTEGER (unless a route gives a smaller `max`)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        # `min` and `max` are Werkzeug's names for the bounds a route may give, hence builtins.min.
        largest = LARGEST_INTEGER if max is None else builtins.min(max, LARGEST_INTEGER)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=largest, signed=signed)


def init_app(app: Flask) -> None:
    """Before any route is added: converters are looked up when a rule is added, not when it is matched."""
    app.url_map.converters["int"] = DatabaseInteger
