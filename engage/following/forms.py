from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import EmailField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from engage.text.one_line import OneLine


class FollowForm(FlaskForm):
    email = EmailField("E-mail address", widget=GovTextInput(),
                       description="We will send you a link to confirm. We use your address only for these e-mails.",
                       validators=[DataRequired("Enter your e-mail address"), OneLine("E-mail address"),
                                   Email("Enter an e-mail address in the correct format, like name@example.org"),
                                   Length(max=320, message="Enter an e-mail address of 320 characters or fewer")])
    submit = SubmitField("Get e-mails", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField("Confirm", widget=GovSubmitInput())
