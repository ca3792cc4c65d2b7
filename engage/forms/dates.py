"""The GOV.UK date input as a WTForms field: every date a form asks for is typed the same way, into the same
three boxes, and refused with the same messages."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField


class _DateParts(GovDateInput):
    def __call__(self, field, **kwargs):
        # The wrapper takes the field's name, leaving the field's id to its day input (see GovDateField).
        kwargs.setdefault("id", field.name)
        return super().__call__(field, **kwargs)

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if field.raw_data is None and field.data:
            # A saved date is shown as people are asked to type one (27 3 2027): the GOV.UK date input has no
            # leading zeros, where the widget would show 02 03 2027.
            for item, part in zip(params["items"], (field.data.day, field.data.month, field.data.year), strict=True):
                item["value"] = str(part)
        return params


class GovDateField(DateField):
    """A GOV.UK date input: day, month and year boxes, entered like 27 3 2027, and optional.

    The error summary links to a field by its id; the field's id is its day input's, so following the link
    puts the cursor in the first box rather than on the wrapper around them. A date with only some of its
    parts is refused instead of being dropped in silence, and the messages name the date that is wrong.
    """

    def __init__(self, label: str, **kwargs) -> None:
        super().__init__(label, widget=_DateParts(), format="%d %m %Y", **kwargs)
        self.id = f"{self.id}-day"

    def process_formdata(self, valuelist: list[str]) -> None:
        # The widget refills the three boxes from raw_data, and fails unless there are exactly three parts:
        # a request that leaves the date out is a date left empty, not a server error.
        parts = ([value.strip() for value in valuelist] + ["", "", ""])[:3]
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        missing = [name for name, value in zip(("day", "month", "year"), parts, strict=True) if not value]
        if missing:
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        try:
            super().process_formdata(parts)
        except ValueError as error:
            raise ValueError(f"{self.label.text} must be a real date") from error
