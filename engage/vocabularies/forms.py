from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from engage.text.one_line import OneLine
from engage.vocabularies.models import CommunityGroup


class ThemeForm(FlaskForm):
    name = StringField("Theme", widget=GovTextInput(),
                       validators=[DataRequired("Enter the theme's name"), OneLine("Theme"), Length(max=160)])
    is_active = BooleanField("Offer this theme for new and edited engagements", widget=GovCheckboxInput(),
                             default=True)
    submit = SubmitField("Save theme", widget=GovSubmitInput())


class AreaForm(FlaskForm):
    name = StringField("Area", widget=GovTextInput(),
                       validators=[DataRequired("Enter the area's name"), OneLine("Area"), Length(max=120)])
    parent = SelectField("Township", widget=GovSelect(), description="Leave as none for a township itself.",
                         validators=[Optional()])
    is_active = BooleanField("Offer this area for new and edited engagements", widget=GovCheckboxInput(),
                             default=True)
    submit = SubmitField("Save area", widget=GovSubmitInput())


class CommunityForm(FlaskForm):
    name = StringField("Community", widget=GovTextInput(),
                       validators=[DataRequired("Enter the community's name"), OneLine("Community"),
                                   Length(max=160)])
    group = RadioField("Kind of community", widget=GovRadioInput(),
                       choices=[SelectChoice(g.value, g.label) for g in CommunityGroup],
                       validators=[InputRequired("Choose the kind of community")])
    is_active = BooleanField("Count reach for this community on new and edited activities",
                             widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save community", widget=GovSubmitInput())
