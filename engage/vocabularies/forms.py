from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional


class ThemeForm(FlaskForm):
    name = StringField("Theme", widget=GovTextInput(),
                       validators=[DataRequired("Enter the theme's name"), Length(max=160)])
    is_active = BooleanField("Offer this theme for new and edited engagements", widget=GovCheckboxInput(),
                             default=True)
    submit = SubmitField("Save theme", widget=GovSubmitInput())


class AreaForm(FlaskForm):
    name = StringField("Area", widget=GovTextInput(),
                       validators=[DataRequired("Enter the area's name"), Length(max=120)])
    parent = SelectField("Township", widget=GovSelect(), description="Leave as none for a township itself.",
                         validators=[Optional()])
    is_active = BooleanField("Offer this area for new and edited engagements", widget=GovCheckboxInput(),
                             default=True)
    submit = SubmitField("Save area", widget=GovSubmitInput())
