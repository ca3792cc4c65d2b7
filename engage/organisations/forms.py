from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from engage.organisations.models import OrganisationKind
from engage.text.one_line import OneLine
from engage.text.web_addresses import web_address


class OrganisationForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the organisation's name"), OneLine("Name"), Length(max=200)])
    kind = RadioField("Kind of organisation", widget=GovRadioInput(),
                      choices=[SelectChoice(kind.value, kind.label) for kind in OrganisationKind],
                      validators=[InputRequired("Select the kind of organisation")])
    description = TextAreaField("Description", widget=GovTextArea(),
                                description="What the organisation does and who it works with.",
                                validators=[Optional(), Length(max=5000)])
    website = StringField("Website", widget=GovTextInput(), description="For example https://www.example.org",
                          validators=[Optional(), OneLine("Website"), Length(max=500),
                                      web_address])
    submit = SubmitField("Save organisation", widget=GovSubmitInput())
