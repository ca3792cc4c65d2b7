"""One-line text: titles, names and the other short fields people type into a single text box.

What they type ends up in e-mail subjects and headers, page headings, links, feeds and CSV cells, where a line
break or a control character breaks what is built from it (an e-mail header with a line break cannot be sent at
all). So one-line fields refuse them when saved (`OneLine`, for forms; `one_line_problem`, for services reached
by other routes), and whatever builds a subject from stored text folds it onto one line (`fold`), so text saved
before the rule existed still gives a valid e-mail.
"""

from __future__ import annotations

import re

from wtforms import Field, Form
from wtforms.validators import ValidationError

# Everything str.splitlines() breaks a line at: what a mail program, a CSV reader or a browser may read as one.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
# Unicode's control characters (category Cc: C0, DEL and C1, NUL and tab among them), the line and paragraph
# separators, and lone surrogates (category Cs), which no database or e-mail can store. Format characters (Cf)
# are allowed: joiners are part of how some scripts and emoji are written.
_REFUSED = "\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
_REFUSED_CHARACTER = re.compile(f"[{_REFUSED}]")
# A run of refused characters with the spaces around it, as one space.
_REFUSED_RUN = re.compile(rf"\s*[{_REFUSED}][\s{_REFUSED}]*")


def one_line_problem(text: str | None, name: str) -> str | None:
    """Why `text` cannot be saved in the one-line field called `name` ("Title"), or None when it can."""
    if not text or _REFUSED_CHARACTER.search(text) is None:
        return None
    if any(character in LINE_BREAKS for character in text):
        return f"{name} must be on one line"
    return f"{name} must not contain control characters"


def fold(text: str) -> str:
    """`text` on one line: each line break or control character, with the spaces around it, becomes one space."""
    return _REFUSED_RUN.sub(" ", text).strip()


class OneLine:
    """A form validator for a one-line field, naming it in its message: `OneLine("Title")`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, form: Form, field: Field) -> None:
        problem = one_line_problem(field.data if isinstance(field.data, str) else None, self.name)
        if problem:
            raise ValidationError(problem)
