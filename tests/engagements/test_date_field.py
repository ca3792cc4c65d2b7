"""The GOV.UK date input: an empty date is no date, a part-filled or impossible one is refused with a message
that names the date, and the error summary links to the day box, which exists on the page."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask, render_template_string
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from engage.forms.dates import GovDateField


class _Dates(FlaskForm):
    class Meta:
        csrf = False

    start_date = GovDateField("Start date")


def _submitted(app: Flask, day: str, month: str, year: str) -> _Dates:
    with app.test_request_context(method="POST"):
        form = _Dates(formdata=MultiDict([("start_date", day), ("start_date", month), ("start_date", year)]))
        form.validate()
        return form


def test_a_real_date_is_read_as_day_month_year(app: Flask) -> None:
    form = _submitted(app, "1", "6", "2027")
    assert form.errors == {}
    assert form.start_date.data == date(2027, 6, 1)


def test_an_empty_date_is_no_date_and_no_error(app: Flask) -> None:
    form = _submitted(app, "", " ", "")
    assert form.errors == {}
    assert form.start_date.data is None


@pytest.mark.parametrize(("parts", "message"), [
    (("", "6", "2027"), "Start date must include a day"),
    (("1", "", ""), "Start date must include a month and year"),
    (("31", "2", "2027"), "Start date must be a real date"),
    (("1", "13", "2027"), "Start date must be a real date"),
    (("1", "6", "27"), "Start date must be a real date"),
    (("first", "June", "2027"), "Start date must be a real date"),
])
def test_a_part_filled_or_impossible_date_is_refused_not_dropped(app: Flask, parts: tuple[str, str, str],
                                                                 message: str) -> None:
    form = _submitted(app, *parts)
    assert form.errors == {"start_date": [message]}
    assert form.start_date.data is None


def test_the_error_summary_link_points_at_the_day_box(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        form = _Dates(formdata=MultiDict([("start_date", "31"), ("start_date", "2"), ("start_date", "2027")]))
        form.validate()
        html = render_template_string("{{ form.start_date() }}", form=form)
        summary = render_template_string("{{ wtforms_errors(form).errorList | tojson }}", form=form)
    assert '"href": "#start_date-day"' in summary
    assert 'id="start_date-day"' in html
    assert html.count('id="start_date-day"') == 1, "the day box's id is used once"
    assert 'id="start_date"' in html, "the wrapper keeps the field's name as its id"
    assert 'value="31"' in html, "what was typed is shown again"


def test_a_request_without_the_date_is_no_date_and_still_renders(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        form = _Dates(formdata=MultiDict([("other", "x")]))
        assert form.validate()
        assert form.start_date.data is None
        html = render_template_string("{{ form.start_date() }}", form=form)
    assert html.count('class="govuk-input govuk-date-input__input') == 3


def test_a_saved_date_is_shown_without_leading_zeros_as_people_type_it(app: Flask) -> None:
    with app.test_request_context():
        form = _Dates(data={"start_date": date(2027, 3, 2)})
        html = render_template_string("{{ form.start_date() }}", form=form)
    values = [value for value in ('value="2"', 'value="3"', 'value="2027"') if value in html]
    assert values == ['value="2"', 'value="3"', 'value="2027"']
    assert 'value="02"' not in html and 'value="03"' not in html
