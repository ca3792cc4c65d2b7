"""Forms of the publication check that go with other pages' forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovTextArea
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import Length, Optional


class PublicTextForm(FlaskForm):
    """Shown inside a form whose save found personal data in text that is public at once: the person confirms it
    is public information and says why (which accepts the findings), or removes it and saves again."""

    class Meta:
        csrf = False  # part of the page's own form, which carries the token

    confirmed = BooleanField("This is public information, and it is right to publish it", widget=GovCheckboxInput())
    reason = TextAreaField("Why is it right to publish this?", widget=GovTextArea(),
                           description="For example: it is the organisation\u2019s public phone number",
                           validators=[Optional(), Length(max=2000, message="The reason must be 2,000 characters "
                                                                            "or fewer")])

    # The fingerprints of the findings the person was shown, so that confirming accepts those and no others: a
    # text changed to hold other personal data before saving again is shown again, not accepted with the old reason.
    shown = HiddenField()

    def public_reason(self) -> str | None:
        """The reason to pass to the service: None unless the person confirmed it is public information."""
        return (self.reason.data or "") if self.confirmed.data else None

    def shown_findings(self) -> frozenset[str]:
        return frozenset((self.shown.data or "").split())

    def show(self, findings) -> None:
        """Carry the findings now shown to the person into the form's next submission."""
        self.shown.data = " ".join(finding.fingerprint for finding in findings)
