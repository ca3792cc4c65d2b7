"""Forms for commitments: adding or changing one, and posting a progress update."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from engage.commitments.models import CommitmentStatus
from engage.commitments.services import ACTION_MAX, BODY_MAX, REASON_MAX
from engage.engagements.forms import VersionedForm
from engage.forms.dates import GovDateField
from engage.text.markdown import MarkdownText
from engage.text.one_line import OneLine

PROGRESS_HINT = "A whole number from 0 to 100. Leave it empty if you cannot say."
PROGRESS_MESSAGE = "Progress must be a whole number from 0 to 100"
KEEP = "keep"


class PercentField(IntegerField):
    """A whole percentage; "60%" is read as 60, and anything else that is not a number is refused in words."""

    def process_formdata(self, valuelist: list[str]) -> None:
        valuelist = [value.strip().removesuffix("%").strip() for value in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(PROGRESS_MESSAGE) from error


def required_date(message: str):
    """A date that must be given: an empty one gets `message`; a part-filled or impossible one keeps the date
    field's own message (and only that one)."""

    def check(_form, field) -> None:
        if field.data is None and not field.errors:
            raise ValidationError(message)

    return check


def _at_most(limit: int, name: str) -> Length:
    # The same words as the services' own limit, for a form that is checked before them.
    return Length(max=limit, message=f"{name} must be {limit:,} characters or fewer")


def _progress_field(label: str) -> PercentField:
    return PercentField(label, widget=GovTextInput(), description=PROGRESS_HINT,
                        validators=[Optional(), NumberRange(0, 100, PROGRESS_MESSAGE)])


class CommitmentForm(VersionedForm):
    action = StringField("What will happen?", widget=GovTextInput(),
                         description="One clear action residents can check on, like \u2018Keep the Tuesday "
                                     "session open all year\u2019. No personal names.",
                         validators=[DataRequired("Say what will happen"), OneLine("The action"),
                                     _at_most(ACTION_MAX, "The action")])
    responsible_organisation = SelectField("Organisation responsible", widget=GovSelect(),
                                           validators=[DataRequired("Choose the organisation responsible")])
    due_date = GovDateField("Due date", description="For example, 31 3 2027",
                            validators=[required_date("Enter the date it is due")])
    insights = SelectMultipleField("Insights it answers", widget=GovCheckboxesInput(), validators=[Optional()])
    ideas = SelectMultipleField("Ideas it answers", widget=GovCheckboxesInput(), validators=[Optional()])
    progress_percent = _progress_field("Progress so far, in percent (optional)")
    submit = SubmitField("Save commitment", widget=GovSubmitInput())


class UpdateForm(VersionedForm):
    occurred_on = GovDateField("When did it happen?", description="For example, 14 11 2026",
                               validators=[required_date("Enter the date it happened")])
    body = TextAreaField("What has happened?", widget=GovTextArea(),
                         description="A short note residents will read. You can use Markdown. No personal names "
                                     "or contact details.",
                         validators=[DataRequired("Say what has happened"),
                                     _at_most(BODY_MAX, "The update"), MarkdownText("The update")])
    status = RadioField("Status", widget=GovRadioInput(), validators=[InputRequired("Choose the status")],
                        default=KEEP)
    reason = TextAreaField("Why is it not going ahead?", widget=GovTextArea(),
                           description="Only if it is not going ahead. This is published.",
                           validators=[Optional(), _at_most(REASON_MAX, "The reason")])
    progress_percent = _progress_field("Progress now, in percent (optional)")
    submit = SubmitField("Post update", widget=GovSubmitInput())

    def offer_statuses(self, current: CommitmentStatus) -> None:
        """A closed commitment can only be reopened; an open one can stay as it is or move to any other status."""
        if current.is_closed:
            self.status.choices = [SelectChoice(s.value, f"Reopen it as {s.label.lower()}")
                                   for s in CommitmentStatus if not s.is_closed]
            if self.status.data == KEEP:
                self.status.data = None
        else:
            self.status.choices = [SelectChoice(KEEP, f"Keep it as {current.label.lower()}")] + [
                SelectChoice(s.value, s.label) for s in CommitmentStatus if s is not current]

    def chosen_status(self) -> CommitmentStatus | None:
        return None if self.status.data in (None, "", KEEP) else CommitmentStatus(self.status.data)
