"""Forms for logging activity, its insights and the results of planned tests.

Numbers are typed into text boxes and checked here, so that anything wrong gets a plain-English message and
what was typed is shown again as it was (number fields would blank it or give a technical message).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, StopValidation, ValidationError

from engage.activity.models import ActivityKind
from engage.activity.services import MAX_COUNT
from engage.clock import today
from engage.engagements.models import Lens
from engage.forms.dates import GovDateField
from engage.forms.money import pounds_check, whole_pounds
from engage.text.markdown import MarkdownText
from engage.text.one_line import OneLine
from engage.vocabularies.models import Community, CommunityGroup

MAX_HOURS = 100_000
MAX_SPEND_PENCE = MAX_COUNT * 100  # what the service accepts for one activity
_WHOLE = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")
_NEGATIVE = re.compile(r"-\s*[0-9.]+")
# Spend has words of its own: a minus sign is answered as such, and the limit is the service's, in whole pounds.
_spend_check = pounds_check("the spend", example="45 or 45.50", most=MAX_SPEND_PENCE,
                            too_much=f"Spend must be {whole_pounds(MAX_SPEND_PENCE)} or less",
                            negative="Spend must be £0 or more")


def _cleaned(text: str | None) -> str:
    return (text or "").strip().replace(",", "")


def whole_number(text: str | None) -> int:
    """A count the form has already checked; blank is 0."""
    cleaned = _cleaned(text)
    return int(cleaned) if cleaned else 0


def minutes_from_hours(text: str | None) -> int:
    """'2.5' hours → 150 minutes; blank is 0."""
    cleaned = _cleaned(text)
    if not cleaned:
        return 0
    return int((Decimal(cleaned) * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def hours_from_minutes(minutes: int) -> str:
    """What the hours box shows for a saved activity: 150 → '2.5', 0 → ''."""
    if not minutes:
        return ""
    return f"{Decimal(minutes) / 60:.2f}".rstrip("0").rstrip(".")


def count_check(what: str):
    """Validate a count of people: a whole number, 0 or more. `what` names it in the messages."""

    def check(form, field) -> None:
        cleaned = _cleaned(field.data)
        if not cleaned:
            return
        if _NEGATIVE.fullmatch(cleaned):
            raise ValidationError(f"{what[0].upper()}{what[1:]} must be 0 or more")
        if not _WHOLE.fullmatch(cleaned):
            raise ValidationError(f"Enter {what} as a whole number, like 12")
        if int(cleaned) > MAX_COUNT:
            raise ValidationError(f"{what[0].upper()}{what[1:]} must be {MAX_COUNT:,} or fewer")

    return check


def _hours_check(what: str):
    def check(form, field) -> None:
        cleaned = _cleaned(field.data)
        if not cleaned:
            return
        if _NEGATIVE.fullmatch(cleaned):
            raise ValidationError(f"{what} must be 0 or more")
        if not _DECIMAL.fullmatch(cleaned):
            raise ValidationError(f"Enter {what.lower()} as a number, like 2 or 2.5")
        if Decimal(cleaned) > MAX_HOURS:
            raise ValidationError(f"{what} must be {MAX_HOURS:,} or fewer")

    return check


def _date_given(form, field) -> None:
    # A date with a missing or impossible part already has its own message; do not add a second one.
    if field.data is None and not field.process_errors:
        raise StopValidation("Enter the date of the activity")


def _not_in_future(form, field) -> None:
    if field.data is not None and field.data > today():
        raise ValidationError("The date of the activity must be today or in the past")


class ActivityForm(FlaskForm):
    """The fixed fields; `activity_form` adds one count per community reached."""

    occurred_on = GovDateField("Date of the activity", description="For example, 27 3 2025",
                               validators=[_date_given, _not_in_future])
    kind = RadioField("What kind of activity was it?", widget=GovRadioInput(),
                      choices=[SelectChoice(kind.value, kind.label) for kind in ActivityKind], validate_choice=False,
                      validators=[InputRequired("Choose what kind of activity it was"),
                                  AnyOf([kind.value for kind in ActivityKind],
                                        message="Choose what kind of activity it was")])
    title = StringField("Title", widget=GovTextInput(),
                        description="A short name, like \u2018Coffee morning at Heywood library\u2019.",
                        validators=[DataRequired("Enter a title for the activity"), OneLine("Title"),
                                    Length(max=200, message="The title must be 200 characters or fewer")])
    description = TextAreaField("What happened", widget=GovTextArea(),
                                description="Where it was, who took part and how it went. You can use Markdown. "
                                            "Do not include anyone\u2019s name.",
                                validators=[Optional(), Length(max=10_000, message="What happened must be "
                                                                                   "10,000 characters or fewer"),
                                            MarkdownText("What happened")])
    area = SelectField("Area", widget=GovSelect(), validators=[Optional()])
    participants = StringField("How many people took part?", widget=GovTextInput(),
                               validators=[OneLine("The number of people who took part"),
                                           count_check("the number of people who took part")])
    volunteer_hours = StringField("Volunteer hours", widget=GovTextInput(),
                                  description="All the time volunteers gave, in hours. For example, 2.5 for two and "
                                              "a half hours.",
                                  validators=[OneLine("Volunteer hours"), _hours_check("Volunteer hours")])
    staff_hours = StringField("Staff hours", widget=GovTextInput(),
                              description="All the time paid staff gave, in hours.",
                              validators=[OneLine("Staff hours"), _hours_check("Staff hours")])
    spend = StringField("Spend", widget=GovTextInput(), description="In pounds, for example 45.50",
                        validators=[OneLine("Spend"), _spend_check])
    milestone = SelectField("Which agreement milestone does it serve?", widget=GovSelect(),
                            validators=[Optional()])
    planned_test = SelectField("Which planned test does it serve?", widget=GovSelect(), validators=[Optional()])
    submit = SubmitField("Save activity", widget=GovSubmitInput())

    reach_groups: list[ReachGroup]

    def reach(self, communities: list[Community]) -> dict[int, int]:
        return {c.id: whole_number(self[reach_field(c)].data) for c in communities}


@dataclass(frozen=True)
class ReachGroup:
    """The counts for one group of communities, which the form shows folded away until they are needed."""

    group: CommunityGroup
    rows: list[tuple[Community, StringField]]

    @property
    def is_open(self) -> bool:
        """Shown open when it holds a number or an error (a saved activity, or the form shown again), so nothing
        typed or wrong is hidden."""
        return any((field.data or "").strip() or field.errors for _, field in self.rows)


def reach_field(community: Community) -> str:
    return f"reach_{community.id}"


def activity_form(communities: list[Community], **kwargs) -> ActivityForm:
    """An activity form with a count for each community, in its group, in the order administrators set."""
    fields = {
        reach_field(c): StringField(c.name, widget=GovTextInput(),
                                    validators=[OneLine(f"The number reached in \u2018{c.name}\u2019"),
                                                count_check(f"the number reached in \u2018{c.name}\u2019")])
        for c in communities
    }
    form = type("ActivityFormWithReach", (ActivityForm,), fields)(**kwargs)
    groups = [ReachGroup(group, [(c, form[reach_field(c)]) for c in communities if c.group is group])
              for group in CommunityGroup]
    form.reach_groups = [group for group in groups if group.rows]
    return form


class InsightForm(FlaskForm):
    text = TextAreaField("Insight", widget=GovTextArea(),
                         description="Do not include anyone\u2019s name: insights are anonymous by design.",
                         validators=[DataRequired("Write the insight"),
                                     Length(max=2000, message="The insight must be 2,000 characters or fewer")])
    lens = RadioField("Whose point of view does it come from?", widget=GovRadioInput(),
                      choices=[SelectChoice(lens.value, lens.label) for lens in Lens], validate_choice=False,
                      validators=[InputRequired("Choose whose point of view the insight comes from"),
                                  AnyOf([lens.value for lens in Lens],
                                        message="Choose whose point of view the insight comes from")])
    themes = SelectMultipleField("Themes", widget=GovCheckboxesInput(), validators=[Optional()])
    organisation = SelectField("Attributed to", widget=GovSelect(), validators=[Optional()])
    system_blocker = BooleanField("This is a system blocker", widget=GovCheckboxInput(),
                                  description="Something in the system that got in the way")
    submit = SubmitField("Add insight", widget=GovSubmitInput())


class ResultForm(FlaskForm):
    what_happened = TextAreaField("What happened?", widget=GovTextArea(),
                                  validators=[DataRequired("Say what happened"),
                                              Length(max=5000, message="What happened must be 5,000 characters "
                                                                       "or fewer")])
    what_it_showed = TextAreaField("What did it show?", widget=GovTextArea(),
                                   description="Compare it with what you said would show the idea works.",
                                   validators=[DataRequired("Say what it showed"),
                                               Length(max=5000, message="What it showed must be 5,000 characters "
                                                                        "or fewer")])
    submit = SubmitField("Save the result", widget=GovSubmitInput())


class DropForm(FlaskForm):
    reason = TextAreaField("Why are you dropping it?", widget=GovTextArea(),
                           validators=[DataRequired("Give the reason for dropping the test"),
                                       Length(max=2000, message="The reason must be 2,000 characters or fewer")])
    submit = SubmitField("Drop the test", widget=GovSubmitInput())
