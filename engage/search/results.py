"""One page of results: what the residents' lists and searches answer with."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Page:
    """One page of results. `items` are plain dicts: public records, or insights."""

    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    pages: int = field(default=0)

    def __post_init__(self) -> None:
        if not self.pages:
            self.pages = max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1
