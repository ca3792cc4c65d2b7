"""The preferences form: one question per kind of e-mail, asked with the kinds the service has."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from engage.notifications.kinds import KINDS, TITLES, describe
from engage.notifications.models import Frequency


class _PreferencesForm(FlaskForm):
    submit = SubmitField("Save your choices", widget=GovSubmitInput())

    def kind_fields(self) -> list[RadioField]:
        return [self[kind] for kind in KINDS]


def preferences_form(current: dict[str, Frequency]) -> _PreferencesForm:
    """A form asking about every kind, answered with the person's current choices until they post theirs.

    Built per request because the questions' wording depends on the service's settings (numbers of days).
    """

    class PreferencesForm(_PreferencesForm):
        pass

    for kind in KINDS:
        setattr(PreferencesForm, kind, RadioField(
            TITLES[kind], description=describe(kind), widget=GovRadioInput(),
            choices=[SelectChoice(frequency.value, frequency.label) for frequency in Frequency],
            validators=[InputRequired("Choose when to get e-mails about this")]))
    return PreferencesForm(data={kind: frequency.value for kind, frequency in current.items()})
