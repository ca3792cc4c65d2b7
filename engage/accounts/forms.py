from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from engage.accounts.models import Role
from engage.accounts.passwords import MAX_LENGTH
from engage.text.one_line import OneLine


class SignInForm(FlaskForm):
    email = EmailField("E-mail address", widget=GovTextInput(),
                       validators=[DataRequired("Enter your e-mail address"), OneLine("E-mail address"),
                                   Length(max=320)])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[DataRequired("Enter your password"), Length(max=MAX_LENGTH)])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    code = StringField("Code", widget=GovTextInput(),
                       validators=[DataRequired("Enter the code"), OneLine("Code"),
                                   Length(max=20, message="Enter the code")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class RecoveryCodeForm(FlaskForm):
    code = StringField("Recovery code", widget=GovTextInput(),
                       validators=[DataRequired("Enter one of your recovery codes"), OneLine("Recovery code"),
                                   Length(max=40)])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change something."""


def _passwords_match(form, field):
    if field.data != form.password.data:
        raise ValidationError("The passwords do not match")


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "Create a password", widget=GovPasswordInput(),
        description="Use 8 characters or more. Three or four random words make a strong password you can remember.",
        validators=[DataRequired("Enter a password"),
                    Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer")],
    )
    confirm = PasswordField("Confirm your password", widget=GovPasswordInput(),
                            validators=[DataRequired("Confirm your password"), _passwords_match])
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", widget=GovPasswordInput(),
                            validators=[DataRequired("Enter your current password"), Length(max=MAX_LENGTH)])
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail address", widget=GovTextInput(),
                       validators=[DataRequired("Enter your e-mail address"), OneLine("E-mail address"),
                                   Email("Enter an e-mail address in the correct format, like name@example.org"),
                                   Length(max=320)])
    submit = SubmitField("Send a reset link", widget=GovSubmitInput())


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField("Your password", widget=GovPasswordInput(),
                             validators=[DataRequired("Enter your password"), Length(max=MAX_LENGTH)])
    submit = SubmitField("Turn off two-factor sign-in", widget=GovSubmitInput())


# Tuple choices are deprecated in WTForms 3.3 and warn on every form built from them.
ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class InviteUserForm(FlaskForm):
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the person's full name"), OneLine("Full name"),
                                   Length(max=200)])
    email = EmailField("E-mail address", widget=GovTextInput(),
                       validators=[DataRequired("Enter the person's e-mail address"), OneLine("E-mail address"),
                                   Email("Enter an e-mail address in the correct format, like name@example.org"),
                                   Length(max=320)])
    role = RadioField("Role", widget=GovRadioInput(), choices=ROLE_CHOICES,
                      validators=[InputRequired("Select a role")])
    organisation = SelectField("Organisation", widget=GovSelect(), validators=[Length(max=20)])
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ChangeRoleForm(FlaskForm):
    role = RadioField("Role", widget=GovRadioInput(), choices=ROLE_CHOICES,
                      validators=[InputRequired("Select a role")])
    organisation = SelectField("Organisation", widget=GovSelect(), validators=[Length(max=20)])
    submit = SubmitField("Save role", widget=GovSubmitInput())
