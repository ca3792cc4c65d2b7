"""Sums of money: read from what people type into a form, and written for pages and for the form's text box.

Money is kept as whole pence (an int), never as a float, so sums add up exactly. People type pounds, with or
without a pound sign, commas or spaces ("£1,500.50", "1500.5"); every form reads them with the one pattern here,
so a sum a page shows can be typed back in, and each form's messages name its own sum (the budget, the funding,
the spend) without anyone rewriting another form's messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from wtforms import Field, Form
from wtforms.validators import ValidationError

MAX_PENCE = 100_000_000_00
"""The most any sum typed into a form may be, £100 million: far above any real budget, so a slip of the keyboard
(an extra nought or two) is caught, and well within what the database's integer columns hold."""

# Pounds, and optionally one or two digits of pence. ASCII digits only: what is saved is what the box showed.
_POUNDS = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
# A minus sign before something number-like, for forms that say "must be £0 or more" rather than "enter pounds".
_NEGATIVE = re.compile(r"-\s*[0-9.]+")


class NotPounds(ValueError):
    """What was typed is not a sum of money the form accepts; the message, for the person, says why."""


def _cleaned(text: str | None) -> str:
    # The pound sign, thousands separators and spaces are how people write money, not part of the number.
    return (text or "").strip().replace("£", "").replace(",", "").replace(" ", "")


def _capitalised(what: str) -> str:
    return f"{what[0].upper()}{what[1:]}" if what else what


def parse_pounds(text: str | None, what: str = "the amount", *, example: str = "1500 or 1500.50",
                 most: int = MAX_PENCE, too_much: str | None = None, negative: str | None = None) -> int | None:
    """'£1,500.50' → 150050 pence; blank (or only a pound sign) → None, as nothing was entered.

    Anything else raises NotPounds with a message naming the sum, `what` as it reads mid-sentence ("the
    budget"): "Enter the budget in pounds, like 1500 or 1500.50", or, above `most` pence, `too_much` (by
    default "The budget must be less than £100 million", which is only true of the default `most`, so a form
    with a lower limit gives its own). A form that gives `negative` answers a minus sign with that message
    rather than asking for pounds again. Views read a sum their form has already checked, so the wording they
    would get does not matter to them.
    """
    cleaned = _cleaned(text)
    if not cleaned:
        return None
    if negative is not None and _NEGATIVE.fullmatch(cleaned):
        raise NotPounds(negative)
    if not _POUNDS.fullmatch(cleaned):
        raise NotPounds(f"Enter {what} in pounds, like {example}")
    pence = int(Decimal(cleaned) * 100)  # exact: the pattern allows at most two places of pence
    if pence > most:
        raise NotPounds(too_much or f"{_capitalised(what)} must be less than £100 million")
    return pence


def pounds_check(what: str, *, example: str = "1500 or 1500.50", most: int = MAX_PENCE, too_much: str | None = None,
                 negative: str | None = None) -> Callable[[Form, Field], None]:
    """A WTForms validator refusing what parse_pounds would refuse, with its message; blank passes.

    It takes the same words as parse_pounds, so the messages a form shows are the ones the parser gives:
    `pounds_check("the funding")`.
    """

    def check(form: Form, field: Field) -> None:
        try:
            parse_pounds(field.data, what, example=example, most=most, too_much=too_much, negative=negative)
        except NotPounds as error:
            raise ValidationError(str(error)) from error

    return check


def format_pounds(pence: int) -> str:
    """150050 → '£1,500.50': a sum on a page, with its pence, as parse_pounds reads it back."""
    return f"£{pence / 100:,.2f}"


def whole_pounds(pence: int) -> str:
    """150000 → '£1,500': a limit or threshold set in whole pounds, where '.00' would only be noise."""
    return f"£{pence // 100:,}"


def pounds_from_pence(pence: int | None, *, blank_zero: bool = False) -> str:
    """What a form's text box shows for a saved sum: 150050 → '1500.50', and nothing saved → ''. With
    `blank_zero`, 0 → '' too: for a sum saved as 0 when the box was left empty, so it stays empty rather than
    showing a nought nobody typed."""
    if pence is None or (blank_zero and not pence):
        return ""
    return f"{pence / 100:.2f}"
