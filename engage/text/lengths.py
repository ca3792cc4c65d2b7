"""Text cut to fit: a column, a subject line, a choice in a list, a title quoted in a sentence."""

from __future__ import annotations

import re

_WORD_BREAK = re.compile(r"\s+")
# Left dangling at the end of a cut before the ellipsis, these read as if the sentence went on differently.
_TRAILING = " \t\n,;:.-\u2013\u2014(\u2018\u201c'\""


def shortened(text: str, limit: int, *, at_word: bool = False) -> str:
    """The text cut to at most `limit` characters, ending in an ellipsis if anything was cut. With `at_word`, the
    cut falls between words (a title quoted in a sentence reads wrongly cut mid-word), unless the first word is
    itself longer than the limit."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if at_word and not _WORD_BREAK.match(text[limit - 1:limit]):
        breaks = [match.start() for match in _WORD_BREAK.finditer(cut)]
        if breaks and breaks[-1] > 0:
            cut = cut[:breaks[-1]]
    return cut.rstrip(_TRAILING if at_word else None) + "\u2026"
