"""Names people give to things that must be told apart (organisations, themes, areas, communities): how a name
is stored, and when two names are the same.

The same letters can be sent as different characters: "Café" as a precomposed "é" (NFC, what most keyboards
send) or as "e" and a combining accent (NFD, what some systems and copied text send). Both look identical on
every page, so a name is stored in NFC, and two names are the same when they are equal after compatibility
normalisation (NFKC, which also joins ligatures and full-width letters), ignoring case and runs of spaces.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import select

from engage.extensions import db


def stored_name(name: str) -> str:
    """The name as it is kept: composed characters (NFC), with no spaces at either end."""
    return unicodedata.normalize("NFC", name).strip()


def name_key(name: str) -> str:
    """What two names must share to be the same name."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def name_taken(model: type[Any], name: str, *, exclude_id: int | None = None) -> bool:
    """Whether another row of `model` (with `id` and `name` columns) already has this name.

    Compared in Python, not in SQL: SQLite's lower() folds only ASCII letters, and neither database can compare
    normalised forms. These tables hold a few hundred names at most.
    """
    key = name_key(name)
    return any(row_id != exclude_id and name_key(existing) == key
               for row_id, existing in db.session.execute(select(model.id, model.name)))
