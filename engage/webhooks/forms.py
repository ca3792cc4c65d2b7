from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import SelectChoice, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from engage.text.one_line import OneLine
from engage.webhooks.models import EVENT_TYPES


class SubscriptionForm(FlaskForm):
    url = StringField("Receiver's web address", widget=GovTextInput(),
                      description="Where events are sent, for example https://hooks.example.org/engage. "
                                  "It must be a public address.",
                      validators=[DataRequired("Enter the receiver's web address"), OneLine("The web address"),
                                  Length(max=500, message="The address must be 500 characters or fewer")])
    description = StringField("Description", widget=GovTextInput(), description="Who receives it and why.",
                              validators=[Optional(), OneLine("Description"),
                                          Length(max=200, message="Use 200 characters or fewer")])
    events = SelectMultipleField("Events", widget=GovCheckboxesInput(),
                                 choices=[SelectChoice(name, f"{name}: {text}") for name, text in EVENT_TYPES.items()],
                                 validators=[DataRequired("Select at least one event")])
    submit = SubmitField("Save webhook", widget=GovSubmitInput())
