"""Money typed into forms: any sum a page or a text box shows is read back as the same pence, and no text, however
odd, gets anything from the parser but its own message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engage.forms.money import (
    MAX_PENCE,
    NotPounds,
    format_pounds,
    parse_pounds,
    pounds_from_pence,
    whole_pounds,
)

_SUMS = st.integers(min_value=0, max_value=MAX_PENCE)


@given(_SUMS)
def test_a_sum_shown_on_a_page_is_read_back_as_the_same_pence(pence: int) -> None:
    assert parse_pounds(format_pounds(pence)) == pence


@given(_SUMS)
def test_a_sum_shown_in_a_text_box_is_read_back_as_the_same_pence(pence: int) -> None:
    # An empty box (for nothing spent) is read as nothing entered.
    assert parse_pounds(pounds_from_pence(pence, blank_zero=True)) == (pence or None)
    assert parse_pounds(pounds_from_pence(pence)) == pence


@given(st.integers(min_value=0, max_value=MAX_PENCE // 100))
def test_whole_pounds_are_read_back(pounds: int) -> None:
    assert parse_pounds(whole_pounds(pounds * 100)) == pounds * 100


@given(st.text() | st.from_regex(r"\A[-£, 0-9.]{0,30}\Z") | st.from_regex(r"\A[0-9]{8,15}(\.[0-9]{1,2})?\Z"))
def test_any_text_is_a_sum_within_the_limit_or_refused_with_a_message(text: str) -> None:
    for options in ({}, {"negative": "Spend must be £0 or more", "most": 100_000_000}):
        try:
            pence = parse_pounds(text, "the spend", **options)
        except NotPounds as error:
            assert str(error)
        else:
            assert pence is None or 0 <= pence <= options.get("most", MAX_PENCE)


@pytest.mark.parametrize(("text", "what", "message"), [
    ("abc", "the budget", "Enter the budget in pounds, like 1500 or 1500.50"),
    ("-5", "the budget", "Enter the budget in pounds, like 1500 or 1500.50"),
    ("100000000.01", "the budget", "The budget must be less than £100 million"),
    ("1.234", "the funding", "Enter the funding in pounds, like 1500 or 1500.50"),
    ("200,000,000", "the funding", "The funding must be less than £100 million"),
])
def test_the_messages_name_the_sum(text: str, what: str, message: str) -> None:
    with pytest.raises(NotPounds, match=f"^{message}$"):
        parse_pounds(text, what)


def test_a_form_with_a_lower_limit_gives_its_own_words() -> None:
    words = {"example": "45 or 45.50", "most": 100_000_000, "too_much": "Spend must be £1,000,000 or less",
             "negative": "Spend must be £0 or more"}
    assert parse_pounds("£1,000,000", "the spend", **words) == 100_000_000
    for text, message in [("- 20", "Spend must be £0 or more"),
                          ("12.345", "Enter the spend in pounds, like 45 or 45.50"),
                          ("1000000.01", "Spend must be £1,000,000 or less")]:
        with pytest.raises(NotPounds, match=f"^{message}$"):
            parse_pounds(text, "the spend", **words)
