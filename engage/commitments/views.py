"""The lead's commitment pages in the workspace of a completed engagement, under /workspace/<slug>/commitments.

Everyone in the engagement can read them; only the lead organisation and administrators change them
(`engagements.permissions.can_edit`). Each change publishes a new version of the public record in the same
transaction: if anything refuses (the rules, the publication check, the database), the whole change is rolled
back and the form is shown again with what was typed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from wtforms.fields.choices import SelectChoice

from engage.accounts.permissions import signed_in
from engage.activity.models import Insight
from engage.clock import today
from engage.commitments import services
from engage.commitments.forms import CommitmentForm, UpdateForm
from engage.commitments.models import Commitment, CommitmentStatus
from engage.engagements import permissions
from engage.engagements.access import load_engagement, part_of
from engage.engagements.models import Engagement, Idea, Step
from engage.extensions import db
from engage.text.lengths import shortened

bp = Blueprint("commitments", __name__, url_prefix="/workspace")

# GOV.UK tag colours for each status, on the workspace and the public record.
STATUS_TAG_CLASSES = {"planned": "govuk-tag--grey", "in_progress": "govuk-tag--blue", "done": "govuk-tag--green",
                      "not_going_ahead": "govuk-tag--orange"}


@bp.record_once
def _labels(state: BlueprintSetupState) -> None:
    # Globals, so the public record's partial can show the stored values in words too.
    state.app.jinja_env.globals.update(
        commitment_status_labels={status.value: status.label for status in CommitmentStatus},
        commitment_tag_classes=STATUS_TAG_CLASSES)


def _completed(slug: str, allowed=permissions.can_view_workspace) -> Engagement:
    engagement = load_engagement(slug, allowed)
    if engagement.current_step is not Step.COMPLETED:
        abort(404)  # commitments are what happens after publication
    return engagement


def _commitment(engagement: Engagement, commitment_id: int) -> Commitment:
    return part_of(engagement, db.session.get(Commitment, commitment_id), owner=engagement)


def _list_url(engagement: Engagement) -> str:
    return url_for("commitments.index", slug=engagement.slug)


def _saved(engagement: Engagement, message: str) -> Any | None:
    """Commit the change and its new version; on a database refusal roll it all back and say so."""
    try:
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        current_app.logger.warning("Commitment change on engagement %s not saved: %s", engagement.id,
                                   type(error).__name__)
        return None
    flash(message, "success")
    return redirect(_list_url(engagement))


NOT_SAVED = [{"text": "The change could not be saved because something else changed at the same moment. Nothing "
                      "has been published: check the commitments, then save again.", "href": "#main-content"}]


def _refused(form, error: Exception, engagement: Engagement) -> list[dict[str, str]]:
    """Roll the change back; put the message against its field, or at the top of the page."""
    db.session.rollback()
    if isinstance(error, services.CommitmentError) and error.field in form:
        form[error.field].errors.append(error.message)
        return []
    if isinstance(error, services.RecordRefused):
        return [{"text": f"The public record could not be published again: {error.message}. Nothing has been "
                         "saved.", "href": url_for("publishing.publication_check", slug=engagement.slug)}]
    return [{"text": str(error), "href": "#main-content"}]


def _choices(form: CommitmentForm, engagement: Engagement, commitment: Commitment | None = None) -> None:
    organisations = [engagement.lead_organisation] + [c.organisation for c in engagement.collaborators]
    if commitment is not None and commitment.responsible_organisation not in organisations:
        # No longer a collaborator: still shown, so the page says why it cannot stay rather than dropping it.
        organisations.append(commitment.responsible_organisation)
    form.responsible_organisation.choices = [SelectChoice("", "Choose an organisation")] + [
        SelectChoice(str(o.id), o.name) for o in organisations]
    insights = db.session.scalars(select(Insight).where(Insight.engagement_id == engagement.id)
                                  .order_by(Insight.id))
    form.insights.choices = [_answer_choice(i) for i in insights]
    form.ideas.choices = [_answer_choice(i) for i in engagement.ideas]


def _answer_choice(item: Insight | Idea) -> SelectChoice:
    # A checkbox label shows the start of a long insight or idea.
    return SelectChoice(str(item.id), shortened(item.text, 160))


def _ids(values: list[str] | None) -> list[int]:
    return [int(value) for value in values or [] if value.isdigit()]


def _posted_version(form) -> int:
    # A form posted without its version is treated as stale (versions start at 1): a save never skips the check.
    return form.version.data if form.version.data is not None else 0


def _stale(template: str, form, stale: services.StaleCommitment, **context):
    """Refuse a stale save but keep what was typed, and show what someone else saved meanwhile."""
    db.session.rollback()
    form.version.data = stale.current_version
    form.version.raw_data = [str(stale.current_version)]
    page_errors = [{"text": "Someone else changed this commitment while you were working on it. Your changes have "
                            "not been saved: compare them with the saved version, then save again.",
                    "href": "#saved-version"}]
    return render_template(template, form=form, stale=stale.saved, page_errors=page_errors, **context), 409


# Pages ------------------------------------------------------------------------------------------------

@bp.route("/<slug>/commitments")
@signed_in
def index(slug: str):
    engagement = _completed(slug)
    return render_template("commitments/index.html", engagement=engagement,
                           commitments=services.commitments_of(engagement), today=today(),
                           can_edit=permissions.can_edit(g.user, engagement))


@bp.route("/<slug>/commitments/new", methods=["GET", "POST"])
@signed_in
def new(slug: str):
    engagement = _completed(slug, permissions.can_edit)
    form = CommitmentForm()
    _choices(form, engagement)
    page_errors: list[dict[str, str]] = []
    if form.validate_on_submit():
        try:
            commitment = services.add_commitment(
                engagement, actor=g.user, action=form.action.data,
                responsible_organisation_id=int(form.responsible_organisation.data),
                due_date=form.due_date.data, insight_ids=_ids(form.insights.data), idea_ids=_ids(form.ideas.data),
                progress_percent=form.progress_percent.data)
            action = commitment.action
        except services.CommitmentError as error:
            page_errors = _refused(form, error, engagement)
        else:
            done = _saved(engagement, f"\u2018{action}\u2019 is added, and a new version of the public record "
                                      "is published.")
            if done is not None:
                return done
            page_errors = NOT_SAVED
    return render_template("commitments/form.html", form=form, engagement=engagement, commitment=None, stale=None,
                           page_errors=page_errors)


@bp.route("/<slug>/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(slug: str, commitment_id: int):
    engagement = _completed(slug, permissions.can_edit)
    commitment = _commitment(engagement, commitment_id)
    if request.method == "GET":
        form = CommitmentForm(data={
            "version": commitment.version, "action": commitment.action,
            "responsible_organisation": str(commitment.responsible_organisation_id),
            "due_date": commitment.due_date, "insights": [str(i.id) for i in commitment.insights],
            "ideas": [str(i.id) for i in commitment.ideas]})
    else:
        form = CommitmentForm()
    del form.progress_percent  # progress moves with an update, which says why
    _choices(form, engagement, commitment)
    page_errors: list[dict[str, str]] = []
    context = {"engagement": engagement, "commitment": commitment}
    if form.validate_on_submit():
        try:
            changed = services.edit_commitment(
                commitment, actor=g.user, action=form.action.data,
                responsible_organisation_id=int(form.responsible_organisation.data), due_date=form.due_date.data,
                insight_ids=_ids(form.insights.data), idea_ids=_ids(form.ideas.data),
                expected_version=_posted_version(form))
        except services.StaleCommitment as stale:
            return _stale("commitments/form.html", form, stale, **context)
        except services.CommitmentError as error:
            page_errors = _refused(form, error, engagement)
        else:
            if not changed:
                flash("Nothing had changed, so nothing was published.")
                return redirect(_list_url(engagement))
            done = _saved(engagement, "The commitment is saved, and a new version of the public record is published.")
            if done is not None:
                return done
            page_errors = NOT_SAVED
    return render_template("commitments/form.html", form=form, stale=None, page_errors=page_errors, **context)


@bp.route("/<slug>/commitments/<int:commitment_id>/update", methods=["GET", "POST"])
@signed_in
def update(slug: str, commitment_id: int):
    engagement = _completed(slug, permissions.can_edit)
    commitment = _commitment(engagement, commitment_id)
    form = UpdateForm(data={"version": commitment.version, "occurred_on": today(),
                            "progress_percent": commitment.progress_percent}) \
        if request.method == "GET" else UpdateForm()
    form.offer_statuses(commitment.status)
    page_errors: list[dict[str, str]] = []
    context = {"engagement": engagement, "commitment": commitment, "today": today()}
    if form.validate_on_submit():
        try:
            services.record_update(
                commitment, actor=g.user, occurred_on=form.occurred_on.data, body=form.body.data,
                status=form.chosen_status(), reason=form.reason.data or "",
                progress_percent=form.progress_percent.data, expected_version=_posted_version(form))
            message = f"Your update is posted, and a new version of the public record is published. " \
                      f"\u2018{commitment.action}\u2019 is {commitment.status.label.lower()}."
        except services.StaleCommitment as stale:
            return _stale("commitments/update.html", form, stale, **context)
        except services.CommitmentError as error:
            page_errors = _refused(form, error, engagement)
        else:
            done = _saved(engagement, message)
            if done is not None:
                return done
            page_errors = NOT_SAVED
    return render_template("commitments/update.html", form=form, stale=None, page_errors=page_errors, **context)
