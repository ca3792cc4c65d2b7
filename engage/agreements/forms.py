"""Agreement forms. Only content fields are declared: state (status, hash, signer, parties) is never
read from a form, so extra fields someone adds to a request are ignored."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from engage.agreements.models import MilestoneStatus
from engage.forms.dates import GovDateField
from engage.forms.money import pounds_check
from engage.text.one_line import OneLine


def _text(label: str, hint: str = "") -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), description=hint, validators=[Optional(), Length(max=5000)])


class AgreementForm(FlaskForm):
    purpose = _text("Purpose",
                    "The real change sought in the arena chosen: the strategy, plan or service it can change.")
    vcfse_deliverables = _text("What the VCFSE partner will deliver", "A short programme of engagement.")
    reach = _text("Who it will reach", "The communities and people, and roughly how many.")
    criteria = _text("How we will know it has been delivered")
    public_commitments = _text("What the public-sector partner commits")
    funding = StringField("Funding for the VCFSE partner", widget=GovTextInput(),
                          description="In pounds, for example 1500.00. Enter 0 if there is none.",
                          validators=[Optional(), OneLine("Funding"), Length(max=20),
                                      pounds_check("the funding")])
    payment_schedule = _text("When the funding is paid")
    decision_maker_access = _text("Access to decision-makers")
    feedback_commitment = _text("Feeding back how insight was used")
    timescales = _text("Realistic timescales")
    reporting = _text("How activity is reported")
    data_protection = _text("Data protection, consent, anonymity and safeguarding")
    publication = _text("Publication", "The agreement becomes part of the public record, without personal contact "
                                       "details.")
    disagreements = _text("How disagreements are settled")
    review_date = GovDateField("Review date")
    public_signatory = SelectField("Signatory for the public-sector partner", widget=GovSelect(),
                                   validators=[Optional()])
    vcfse_signatory = SelectField("Signatory for the VCFSE partner", widget=GovSelect(), validators=[Optional()])
    submit = SubmitField("Save draft", widget=GovSubmitInput())


class NewAgreementForm(FlaskForm):
    organisation = SelectField("VCFSE partner", widget=GovSelect(),
                               validators=[DataRequired("Choose the VCFSE partner")])
    submit = SubmitField("Start a draft", widget=GovSubmitInput())


class MilestoneForm(FlaskForm):
    title = StringField("Milestone", widget=GovTextInput(),
                        validators=[DataRequired("Describe the milestone"), OneLine("Milestone"), Length(max=300)])
    due_date = GovDateField("Due date", validators=[InputRequired("Enter the due date as a real date, like 27 3 2027")])
    submit = SubmitField("Add milestone", widget=GovSubmitInput())


class SignForm(FlaskForm):
    typed_name = StringField("Type your full name to sign", widget=GovTextInput(),
                             validators=[DataRequired("Type your full name to sign"), OneLine("Your name"),
                                         Length(max=200)])
    # What the person read: a signature only counts for the content they were shown.
    content_hash = HiddenField()
    submit = SubmitField("Sign the agreement", widget=GovSubmitInput())


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", widget=GovTextArea(),
                           validators=[DataRequired("Give the reason"), Length(max=2000)])
    submit = SubmitField("Close the agreement", widget=GovSubmitInput())


class MilestoneStatusForm(FlaskForm):
    status = RadioField("Status", widget=GovRadioInput(),
                        choices=[SelectChoice(s.value, s.label) for s in MilestoneStatus],
                        validators=[InputRequired("Choose a status")])
    submit = SubmitField("Save status", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""
