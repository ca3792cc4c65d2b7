"""The lead's side of publishing, in the workspace: the publication check's findings (each removed from the
text, or accepted with a reason) and corrections to a published record, each a new numbered version."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from engage.accounts.permissions import signed_in
from engage.engagements import permissions
from engage.engagements.access import load_engagement
from engage.engagements.models import Engagement, Step
from engage.extensions import db
from engage.publication import check, places, services
from engage.publication.models import AcceptedFinding, PublishedVersion
from engage.publication.record import build_record, latest_version
from engage.text.personal_data import Finding

bp = Blueprint("publishing", __name__, url_prefix="/workspace")

# The check looks at what would be published: from the story step on, when there is a story to publish.
CHECKED_STEPS = (Step.STORY, Step.COMPLETED)


class AcceptFindingForm(FlaskForm):
    reason = TextAreaField("Why is it right to publish this?", widget=GovTextArea(),
                           validators=[DataRequired("Give the reason it is right to publish this"),
                                       Length(max=2000, message="The reason must be 2,000 characters or fewer")])
    submit = SubmitField("Accept and publish it", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    change_note = TextAreaField("What has changed?", widget=GovTextArea(),
                                validators=[DataRequired("Say what changed in this version"),
                                            Length(max=2000, message="The change note must be 2,000 characters "
                                                                     "or fewer")])
    # The latest version the person was shown: a correction is refused if another was published since.
    based_on = HiddenField()
    submit = SubmitField("Publish the correction", widget=GovSubmitInput())

    def based_on_number(self) -> int | None:
        value = (self.based_on.data or "").strip()
        return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class PublishingSummary:
    """What the task list shows about publishing."""

    checked: bool
    unresolved: int
    latest_version: int | None


def summary(engagement: Engagement) -> PublishingSummary:
    if engagement.current_step not in CHECKED_STEPS:
        return PublishingSummary(checked=False, unresolved=0, latest_version=None)
    latest = latest_version(engagement.id)
    return PublishingSummary(checked=True, unresolved=len(services.unresolved_findings(engagement)),
                             latest_version=latest.number if latest else None)


def _in_context(engagement: Engagement, findings: list[Finding] | None = None) -> list[places.InContext]:
    """The findings in what would be published now (or these of them), each with its place and excerpt."""
    record = build_record(engagement, version=None, published_at=None)
    found = check.findings_in(record) if findings is None else findings
    return places.in_context(found, record, dict(check.texts_of(record)))


# The finding a link from the check (or a gate) asks a workspace page to show in its text ------------------------

@bp.app_template_global()
def finding_in_context(engagement: Engagement) -> places.InContext | None:
    """The finding named by the page's `?finding=` (a fingerprint), if it is one not yet accepted and its place is
    on this page: the page quotes it, marked, by its field or at the top."""
    fingerprint = request.args.get("finding", "")
    if not fingerprint or not isinstance(engagement, Engagement) or engagement.id is None:
        return None
    if g.get("user") is None or not permissions.can_view_workspace(g.user, engagement):
        return None  # a workspace page's own highlight: nothing is worked out for residents' pages
    cache = g.setdefault("finding_in_context", {})
    if fingerprint not in cache:
        found = [f for f in services.unresolved_findings(engagement) if f.fingerprint == fingerprint]
        shown = _in_context(engagement, found[:1]) if found else []
        cache[fingerprint] = shown[0] if shown and shown[0].place.endpoint == request.endpoint else None
    return cache[fingerprint]


@bp.app_template_global()
def with_finding(engagement: Engagement, field, params: dict | None = None) -> dict:
    """A field's params with the finding of its text quoted in its hint: the finding a refused save found in what
    was typed (`g.findings_in_context`), or the one the page was linked to show."""
    shown = g.get("findings_in_context") or [finding_in_context(engagement)]
    here = [item for item in shown if item is not None and item.place.field_id == field.id]
    params = dict(params or {})
    if here:
        description = field.description or None
        hint = here[0].hint(description)
        for more in here[1:]:
            hint = more.hint(hint)
        params["hint"] = {"html": hint}
        # Reached by a link to the field, the page scrolls so the label and the quoting hint above it show too.
        params["classes"] = " ".join(filter(None, [params.get("classes"), "engage-field-with-finding"]))
    return params


def _checked_engagement(slug: str) -> Engagement:
    engagement = load_engagement(slug, permissions.can_edit)
    if engagement.current_step not in CHECKED_STEPS:
        abort(404)
    return engagement


def _accepted(engagement: Engagement) -> list[AcceptedFinding]:
    return list(db.session.scalars(db.select(AcceptedFinding).where(AcceptedFinding.engagement_id == engagement.id)
                                   .order_by(AcceptedFinding.accepted_at)))


@bp.route("/<slug>/publication-check")
@signed_in
def publication_check(slug: str):
    engagement = _checked_engagement(slug)
    findings = _in_context(engagement)
    accepted = {a.fingerprint: a for a in _accepted(engagement)}
    unresolved = [f for f in findings if f.finding.fingerprint not in accepted]
    still_accepted = [(f, accepted[f.finding.fingerprint]) for f in findings if f.finding.fingerprint in accepted]
    return render_template("publishing/check.html", engagement=engagement, unresolved=unresolved,
                           accepted=still_accepted)


def _finding(engagement: Engagement, fingerprint: str) -> Finding | None:
    return next((f for f in services.unresolved_findings(engagement) if f.fingerprint == fingerprint), None)


@bp.route("/<slug>/publication-check/<fingerprint>", methods=["GET", "POST"])
@signed_in
def accept_finding(slug: str, fingerprint: str):
    # At any step: before the story step, for what the first move on would make public (see `going_public`).
    engagement = load_engagement(slug, permissions.can_edit)
    if engagement.current_step in CHECKED_STEPS:
        back, back_text = url_for("publishing.publication_check", slug=slug), "Back to the publication check"
    else:
        back, back_text = url_for("workspace.going_public", slug=slug), "Back to what will be public"
    finding = _finding(engagement, fingerprint)
    shown = _in_context(engagement, [finding])[0] if finding is not None else None
    if finding is None:
        # Removed from the text, or accepted already (perhaps in another tab): nothing is left to accept.
        flash("That finding is no longer there to accept: it has been removed or accepted already.")
        return redirect(back)
    form = AcceptFindingForm()
    if form.validate_on_submit():
        try:
            services.accept_finding(engagement, finding, actor=g.user, reason=form.reason.data)
        except services.PublicationError as error:
            form.reason.errors.append(error.message)
        else:
            db.session.commit()
            flash(f"You accepted {finding.label} in {shown.place.words}.", "success")
            return redirect(back)
    return render_template("publishing/accept.html", engagement=engagement, finding=finding, shown=shown, form=form,
                           back=back, back_text=back_text)


# What a version records about its own publication, rather than about the engagement.
_ABOUT_THE_VERSION = ("version", "published_at", "versions")


def _unchanged_since(engagement: Engagement, latest: PublishedVersion | None) -> bool:
    if latest is None:
        return False
    now = build_record(engagement, version=None, published_at=None)
    return all(now.get(key) == latest.record.get(key) for key in set(now) | set(latest.record)
               if key not in _ABOUT_THE_VERSION)


@bp.route("/<slug>/correction", methods=["GET", "POST"])
@signed_in
def correction(slug: str):
    engagement = load_engagement(slug, permissions.can_edit)
    if engagement.current_step is not Step.COMPLETED:
        abort(404)
    latest = latest_version(engagement.id)
    form = CorrectionForm()
    status = 200
    if form.validate_on_submit():
        based_on = form.based_on_number()
        if based_on is None:
            # A form from before versions were carried, or tampered with: show it again as it is now.
            form.change_note.errors.append("Check the version published now, then publish your correction again")
        elif based_on == (latest.number if latest else 0) and _unchanged_since(engagement, latest):
            form.change_note.errors.append(f"Nothing in the record has changed since version {latest.number}: "
                                           "make the correction first, then publish it")
        else:
            try:
                version = services.publish(engagement, actor=g.user, change_note=form.change_note.data,
                                           based_on=based_on)
                number = version.number
                db.session.commit()
            except services.PublishedMeanwhile as error:
                db.session.rollback()
                form.change_note.errors.append(error.message)
                status = 409
                latest = latest_version(engagement.id)
            except services.PublicationError as error:
                db.session.rollback()
                form.change_note.errors.append(error.message)
            else:
                flash(f"Version {number} of the public record is published.", "success")
                return redirect(url_for("workspace.task_list", slug=slug))
    # Always the version shown on this page, so publishing again is judged against what the person now sees.
    form.based_on.data = str(latest.number if latest else 0)
    # Worked out only for the page: `publish` checks again, under its lock, when it is asked to publish.
    return render_template("publishing/correction.html", engagement=engagement, form=form, latest=latest,
                           unresolved=services.unresolved_findings(engagement)), status
