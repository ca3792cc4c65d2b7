"""Forms for the workspace: one per part of a step, each field with its GOV.UK widget and message."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from engage.engagements.files import upload_hint
from engage.engagements.level_guide import DEFAULT_GUIDE, QUESTIONS
from engage.engagements.models import CollaboratorRole, Lens, Level, OutputKind
from engage.forms.dates import GovDateField
from engage.forms.money import pounds_check
from engage.text.markdown import MarkdownText
from engage.text.one_line import OneLine
from engage.text.web_addresses import web_address


class VersionedForm(FlaskForm):
    """Carries the version of the engagement the person started editing, to refuse a stale save."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class NewEngagementForm(FlaskForm):
    title = StringField("What is the engagement called?", widget=GovTextInput(),
                        description="A short name people will recognise, like \u2018Urgent care redesign\u2019.",
                        validators=[DataRequired("Enter a title for the engagement"), OneLine("Title"),
                                    Length(max=200)])
    submit = SubmitField("Open the engagement", widget=GovSubmitInput())


class ChallengeForm(VersionedForm):
    title = StringField("Title", widget=GovTextInput(),
                        validators=[DataRequired("Enter a title for the engagement"), OneLine("Title"),
                                    Length(max=200)])
    summary = TextAreaField("Plain-English summary", widget=GovTextArea(),
                            description="Two or three sentences a resident would understand.",
                            validators=[Optional(), Length(max=2000)])
    challenge_statement = TextAreaField("Challenge statement", widget=GovTextArea(),
                                        description="The question or problem the engagement is about.",
                                        validators=[Optional(), Length(max=5000)])
    why_now = TextAreaField("Why now?", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    area = SelectField("Area", widget=GovSelect(), validators=[Optional()])
    themes = SelectMultipleField("Themes", widget=GovCheckboxesInput(), validators=[Optional()])
    start_date = GovDateField("Start date", description="For example, 27 3 2027")
    end_date = GovDateField("End date")
    budget = StringField("Planned budget", widget=GovTextInput(), description="In pounds, for example 1500.00",
                         validators=[Optional(), OneLine("Planned budget"), Length(max=20),
                                     pounds_check("the budget")])
    submit = SubmitField("Save", widget=GovSubmitInput())


class HookForm(FlaskForm):
    title = StringField("Strategy, plan, service change or policy", widget=GovTextInput(),
                        description="For example, \u2018The borough\u2019s locality plan\u2019.",
                        validators=[DataRequired("Enter the strategy, plan, service change or policy"),
                                    OneLine("The strategy, plan, service change or policy"), Length(max=300)])
    url = StringField("Link (optional)", widget=GovTextInput(), description="A web address starting with https://",
                      validators=[Optional(), OneLine("Link"), Length(max=500),
                                  web_address])
    submit = SubmitField("Add hook", widget=GovSubmitInput())


YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


def _question_field(text: str, hint: str) -> RadioField:
    return RadioField(text, widget=GovRadioInput(), choices=YES_NO, description=hint,
                      validators=[InputRequired("Answer yes or no")])


class LevelForm(VersionedForm):
    level = RadioField("Level of engagement", widget=GovRadioInput(),
                       choices=[SelectChoice(level.value, level.label) for level in Level],
                       validators=[InputRequired("Choose the level of engagement")])
    rationale = TextAreaField("Rationale", widget=GovTextArea(),
                              description="Why this level is right. If it differs from the recommendation, say why.",
                              validators=[Optional(), Length(max=3000)])
    # Shows the guide's advice for the answers so far without saving (and without asking for a level yet).
    show_advice = SubmitField("Show the advice", widget=GovSubmitInput())
    submit = SubmitField("Save level", widget=GovSubmitInput())


# The page asks each question with the configured numbers (level_guide.questions()); these labels are
# the defaults, used only where a label is needed without a request.
for _question in QUESTIONS:
    _text = _question.text.format(weeks=DEFAULT_GUIDE[Level.CO_PRODUCE].min_weeks)
    setattr(LevelForm, _question.key, _question_field(_text, _question.hint))


class CollaboratorForm(FlaskForm):
    organisation = SelectField("Organisation", widget=GovSelect(),
                               validators=[DataRequired("Choose an organisation")])
    role = RadioField("Role in this engagement", widget=GovRadioInput(),
                      choices=[SelectChoice(role.value, role.label) for role in CollaboratorRole],
                      validators=[InputRequired("Choose the organisation's role")])
    submit = SubmitField("Add collaborator", widget=GovSubmitInput())


LENS_CHOICES = [SelectChoice("", "No particular lens")] + [SelectChoice(lens.value, lens.label) for lens in Lens]


class PerspectiveForm(FlaskForm):
    text = TextAreaField("Perspective", widget=GovTextArea(),
                         description="How the challenge looks from this point of view. No personal names.",
                         validators=[DataRequired("Describe the perspective"), Length(max=3000)])
    organisation = SelectField("Attributed to", widget=GovSelect(), validators=[Optional()])
    lens = SelectField("Lens", widget=GovSelect(), choices=LENS_CHOICES, validators=[Optional()])
    submit = SubmitField("Add perspective", widget=GovSubmitInput())


class IdeaForm(FlaskForm):
    text = TextAreaField("Idea", widget=GovTextArea(), validators=[DataRequired("Describe the idea"),
                                                                    Length(max=3000)])
    proposed_by = StringField("Who proposed it?", widget=GovTextInput(),
                              description="An organisation or a group, like \u2018Residents at the Kirkholt "
                                          "grassroot gathering\u2019. No personal names.",
                              validators=[DataRequired("Say who proposed the idea"), OneLine("Who proposed it"),
                                          Length(max=200)])
    organisation = SelectField("Organisation credited (optional)", widget=GovSelect(), validators=[Optional()])
    imagined_impact = TextAreaField("Imagined impact", widget=GovTextArea(),
                                    description="What would be different if this idea worked?",
                                    validators=[Optional(), Length(max=3000)])
    submit = SubmitField("Add idea", widget=GovSubmitInput())


class PlannedTestForm(FlaskForm):
    idea = SelectField("Which idea does it test?", widget=GovSelect(), validators=[Optional()])
    what = TextAreaField("What will you test?", widget=GovTextArea(),
                         validators=[DataRequired("Say what you will test"), Length(max=3000)])
    how = TextAreaField("How will you test it?", widget=GovTextArea(),
                        validators=[DataRequired("Say how you will test it"), Length(max=3000)])
    success_measure = TextAreaField("What would show it works?", widget=GovTextArea(),
                                    validators=[DataRequired("Say what would show it works"), Length(max=3000)])
    submit = SubmitField("Add test", widget=GovSubmitInput())


class UpdateForm(FlaskForm):
    body = TextAreaField("Progress update", widget=GovTextArea(),
                         description="A short note of what has happened. You can use Markdown. No personal names.",
                         validators=[DataRequired("Write the update"), Length(max=3000),
                                     MarkdownText("The update")])
    submit = SubmitField("Post update", widget=GovSubmitInput())


def _story_section(label: str) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(),
                         validators=[Optional(), Length(max=10000), MarkdownText(f"\u2018{label}\u2019")])


class StoryForm(VersionedForm):
    story_we_asked = _story_section("We asked")
    story_you_said = _story_section("You said")
    story_we_did = _story_section("We did")
    story_so_what = _story_section("So what?")
    story_what_now = _story_section("What now?")
    submit = SubmitField("Save story", widget=GovSubmitInput())


class GetInvolvedForm(VersionedForm):
    get_involved = TextAreaField("How residents can get involved", widget=GovTextArea(),
                                 description="Events, groups or contacts. Use an organisation's public details, "
                                             "not a person's.",
                                 validators=[Optional(), Length(max=5000),
                                             MarkdownText("How residents can get involved")])
    submit = SubmitField("Save", widget=GovSubmitInput())


class OutputForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(),
                        validators=[DataRequired("Enter a title for the output"), OneLine("Title"),
                                    Length(max=200)])
    kind = RadioField("What is it?", widget=GovRadioInput(),
                      choices=[SelectChoice(kind.value, kind.label) for kind in OutputKind],
                      validators=[InputRequired("Choose what kind of output it is")])
    description = TextAreaField("Description", widget=GovTextArea(),
                                description="What it is and who it is for. For a photo, describe what it shows.",
                                validators=[DataRequired("Describe the output"), Length(max=2000)])
    url = StringField("Link", widget=GovTextInput(), description="A web address starting with https://",
                      validators=[Optional(), OneLine("Link"), Length(max=500),
                                  web_address])
    upload = FileField("Or upload a file", widget=GovFileInput())
    submit = SubmitField("Add output", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The limit is configured per installation, so the hint is written when the form is made.
        self.upload.description = upload_hint()


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", widget=GovTextArea(), validators=[DataRequired("Give the reason"),
                                                                        Length(max=2000)])
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """Only the CSRF token: for buttons that change something."""


class MoveOnForm(FlaskForm):
    """The move-on button. It carries the step the page showed, so that a second press, or someone else's at
    the same moment, cannot move the engagement on twice."""

    from_step = HiddenField()


class StepBackForm(ReasonForm):
    from_step = HiddenField()


class HiddenIdForm(FlaskForm):
    item_id = HiddenField()
