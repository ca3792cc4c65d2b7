"""Activity, insight and test results in an engagement's workspace.

Views check who may do what, parse the form, call a service and commit. Someone outside the engagement is
told it does not exist, and every refusal is audited.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from engage.accounts.permissions import signed_in
from engage.activity import permissions as activity_permissions
from engage.activity import services
from engage.activity.forms import (
    ActivityForm,
    DropForm,
    InsightForm,
    ResultForm,
    activity_form,
    hours_from_minutes,
    minutes_from_hours,
    reach_field,
    whole_number,
)
from engage.activity.models import Activity, ActivityKind, Insight
from engage.agreements.services import signed_with
from engage.audit.refusals import refuse
from engage.engagements import permissions
from engage.engagements.access import load_engagement, part_of
from engage.engagements.forms import ConfirmForm
from engage.engagements.models import Engagement, Lens, PlannedTest
from engage.extensions import db
from engage.forms.money import parse_pounds, pounds_from_pence
from engage.templating import format_datetime
from engage.vocabularies.models import Area, Community, Theme
from engage.vocabularies.services import active_areas, active_themes

bp = Blueprint("activity", __name__, url_prefix="/workspace")


# Loading and permission checks ------------------------------------------------------------------

def _activity(engagement: Engagement, activity_id: int) -> Activity:
    return part_of(engagement, db.session.get(Activity, activity_id), owner=engagement)


def _own_activity(slug: str, activity_id: int) -> tuple[Engagement, Activity]:
    """The activity, for the person who logged it: anyone else is refused (403)."""
    engagement = load_engagement(slug)
    activity = _activity(engagement, activity_id)
    if not activity_permissions.is_logger(g.user, activity):
        refuse(engagement, "not the person who logged it")
        abort(403)
    return engagement, activity


def _activity_url(activity: Activity, slug: str) -> str:
    return url_for("activity.show", slug=slug, activity_id=activity.id)


def _locked_message(activity: Activity) -> str:
    ends = activity_permissions.edit_window_ends(activity)
    return (f"You can no longer change this activity: you could change it until {format_datetime(ends)}. "
            "Ask an administrator to unlock it if something needs correcting.")


# The activity log -------------------------------------------------------------------------------

@bp.route("/<slug>/activity")
@signed_in
def index(slug: str):
    engagement = load_engagement(slug)
    activities = db.session.scalars(
        select(Activity).where(Activity.engagement_id == engagement.id)
        .order_by(Activity.occurred_on.desc(), Activity.id.desc())
    ).unique().all()
    return render_template("activity/index.html", engagement=engagement, activities=activities,
                           can_log=activity_permissions.can_log(g.user, engagement))


def _communities(activity: Activity | None) -> list[Community]:
    # A count against a community no longer offered stays shown, so that it is not lost or hidden on a change.
    communities = services.active_communities()
    if activity is not None:
        communities += [r.community for r in activity.reach if r.community not in communities]
    return communities


def _set_choices(form: ActivityForm, engagement: Engagement, activity: Activity | None) -> None:
    areas = active_areas()
    if activity is not None and activity.area is not None and activity.area not in areas:
        areas.append(activity.area)
    form.area.choices = [SelectChoice("", "Borough-wide or not one area")] + [
        SelectChoice(str(a.id), a.label) for a in areas]
    milestones = [(m, a) for a in signed_with(engagement) for m in a.milestones]
    if activity is not None and activity.milestone is not None and \
            activity.milestone.id not in {m.id for m, _ in milestones}:
        milestones.append((activity.milestone, activity.milestone.agreement))
    form.milestone.choices = [SelectChoice("", "None")] + [
        SelectChoice(str(m.id), f"{m.title} (agreement with {a.vcfse_organisation.name}, due "
                                f"{m.due_date.day} {m.due_date:%B %Y})") for m, a in milestones]
    form.planned_test.choices = [SelectChoice("", "None")] + [
        SelectChoice(str(t.id), t.what[:100]) for t in engagement.planned_tests]


def _activity_input(form: ActivityForm, communities: list[Community]) -> services.ActivityInput:
    return services.ActivityInput(
        occurred_on=form.occurred_on.data, kind=ActivityKind(form.kind.data), title=form.title.data,
        description=form.description.data or "",
        area=db.session.get(Area, int(form.area.data)) if form.area.data else None,
        participants=whole_number(form.participants.data),
        volunteer_minutes=minutes_from_hours(form.volunteer_hours.data),
        staff_minutes=minutes_from_hours(form.staff_hours.data),
        spend_pence=parse_pounds(form.spend.data) or 0,
        milestone_id=int(form.milestone.data) if form.milestone.data else None,
        planned_test_id=int(form.planned_test.data) if form.planned_test.data else None,
        reach=form.reach(communities),
    )


def _show_error(form: ActivityForm, communities: list[Community], error: services.ActivityError) -> None:
    if error.field == "reach" and communities:
        form[reach_field(communities[0])].errors.append(error.message)
    else:
        field = form._fields.get(error.field, form.title)
        field.errors = [*field.errors, error.message]


@bp.route("/<slug>/activity/new", methods=["GET", "POST"])
@signed_in
def log(slug: str):
    engagement = load_engagement(slug, activity_permissions.can_log)
    communities = _communities(None)
    form = activity_form(communities)
    _set_choices(form, engagement, None)
    if request.method == "GET" and request.args.get("test", "").isdigit():
        form.planned_test.data = request.args["test"]
    if form.validate_on_submit():
        try:
            activity = services.log_activity(engagement, actor=g.user, data=_activity_input(form, communities))
        except services.ActivityError as error:
            db.session.rollback()
            _show_error(form, communities, error)
        else:
            db.session.commit()
            flash("The activity has been logged. Add the insights it gathered.", "success")
            return redirect(_activity_url(activity, slug))
    return render_template("activity/form.html", form=form, engagement=engagement, activity=None)


@bp.route("/<slug>/activity/<int:activity_id>")
@signed_in
def show(slug: str, activity_id: int):
    engagement = load_engagement(slug)
    activity = _activity(engagement, activity_id)
    return render_template("activity/show.html", engagement=engagement, activity=activity,
                           can_edit=activity_permissions.can_edit(g.user, activity),
                           is_logger=activity_permissions.is_logger(g.user, activity),
                           window_ends=activity_permissions.edit_window_ends(activity),
                           locked=activity_permissions.is_locked(activity),
                           can_unlock=activity_permissions.can_unlock(g.user),
                           edit_window_days=activity_permissions.EDIT_WINDOW.days, confirm_form=ConfirmForm())


@bp.route("/<slug>/activity/<int:activity_id>/change", methods=["GET", "POST"])
@signed_in
def change(slug: str, activity_id: int):
    engagement, activity = _own_activity(slug, activity_id)
    if request.method == "GET" and not activity_permissions.can_edit(g.user, activity):
        flash(_locked_message(activity), "error")
        return redirect(_activity_url(activity, slug))
    communities = _communities(activity)
    if request.method == "GET":
        counts = {r.community_id: r.count for r in activity.reach}
        form = activity_form(communities, data={
            "occurred_on": activity.occurred_on, "kind": activity.kind.value, "title": activity.title,
            "description": activity.description, "area": str(activity.area_id or ""),
            "participants": str(activity.participants),
            "volunteer_hours": hours_from_minutes(activity.volunteer_minutes),
            "staff_hours": hours_from_minutes(activity.staff_minutes),
            "spend": pounds_from_pence(activity.spend_pence, blank_zero=True),
            "milestone": str(activity.milestone_id or ""), "planned_test": str(activity.planned_test_id or ""),
            **{reach_field(c): str(counts[c.id]) if counts.get(c.id) else "" for c in communities},
        })
    else:
        form = activity_form(communities)
    _set_choices(form, engagement, activity)
    if form.validate_on_submit():
        try:
            services.update_activity(activity, engagement, actor=g.user, data=_activity_input(form, communities))
        except services.ActivityLocked:
            db.session.commit()  # the refusal's audit event
            flash(_locked_message(activity), "error")
            return redirect(_activity_url(activity, slug))
        except services.ActivityError as error:
            db.session.rollback()
            _show_error(form, communities, error)
        else:
            db.session.commit()
            flash("Your changes to the activity have been saved.", "success")
            return redirect(_activity_url(activity, slug))
    return render_template("activity/form.html", form=form, engagement=engagement, activity=activity)


@bp.route("/<slug>/activity/<int:activity_id>/unlock", methods=["POST"])
@signed_in
def unlock(slug: str, activity_id: int):
    engagement = load_engagement(slug, activity_permissions.can_unlock)
    activity = _activity(engagement, activity_id)
    if ConfirmForm().validate_on_submit():
        services.unlock(activity, actor=g.user)
        db.session.commit()
        flash(f"The activity is unlocked: {activity.logged_by.name} can change it for "
              f"{activity_permissions.EDIT_WINDOW.days} days.", "success")
    return redirect(_activity_url(activity, slug))


# Insights ---------------------------------------------------------------------------------------------

@bp.route("/<slug>/activity/<int:activity_id>/insights", methods=["GET", "POST"])
@signed_in
def add_insight(slug: str, activity_id: int):
    engagement, activity = _own_activity(slug, activity_id)
    if request.method == "GET" and not activity_permissions.can_edit(g.user, activity):
        flash(_locked_message(activity), "error")
        return redirect(_activity_url(activity, slug))
    form = InsightForm()
    if request.method == "GET":
        form.organisation.data = str(activity.organisation_id)
    organisations = [engagement.lead_organisation] + [c.organisation for c in engagement.collaborators]
    form.organisation.choices = [SelectChoice("", "Not one organisation")] + [
        SelectChoice(str(o.id), o.name) for o in organisations]
    form.themes.choices = [SelectChoice(str(t.id), t.name) for t in active_themes()]
    if form.validate_on_submit():
        organisation = next((o for o in organisations if str(o.id) == form.organisation.data), None)
        themes = list(db.session.scalars(select(Theme).where(Theme.id.in_([int(t) for t in form.themes.data]))))
        try:
            services.add_insight(activity, actor=g.user, text=form.text.data, lens=Lens(form.lens.data),
                                 themes=themes, organisation=organisation,
                                 system_blocker=bool(form.system_blocker.data))
        except services.ActivityLocked:
            db.session.commit()  # the refusal's audit event
            flash(_locked_message(activity), "error")
            return redirect(_activity_url(activity, slug))
        except services.ActivityError as error:
            db.session.rollback()
            form.text.errors.append(error.message)
        else:
            db.session.commit()
            flash("The insight has been added.", "success")
            return redirect(_activity_url(activity, slug) + "#insights")
    return render_template("activity/insight.html", form=form, engagement=engagement, activity=activity)


@bp.route("/<slug>/activity/<int:activity_id>/insights/<int:insight_id>/remove", methods=["POST"])
@signed_in
def remove_insight(slug: str, activity_id: int, insight_id: int):
    engagement, activity = _own_activity(slug, activity_id)
    insight = part_of(engagement, db.session.get(Insight, insight_id), owner=activity, via="activity_id")
    if ConfirmForm().validate_on_submit():
        try:
            services.remove_insight(activity, insight, actor=g.user)
        except services.ActivityLocked:
            db.session.commit()  # the refusal's audit event
            flash(_locked_message(activity), "error")
        else:
            db.session.commit()
            flash("The insight has been removed.", "success")
    return redirect(_activity_url(activity, slug) + "#insights")


# Test results -------------------------------------------------------------------------------------------

@bp.route("/<slug>/tests/<int:test_id>/result", methods=["GET", "POST"])
@signed_in
def test_result(slug: str, test_id: int):
    engagement = load_engagement(slug, permissions.can_contribute)
    test = part_of(engagement, db.session.get(PlannedTest, test_id), owner=engagement)
    dropping = request.method == "POST" and request.form.get("action") == "drop"
    if request.method == "GET":
        result_form = ResultForm(data={"what_happened": test.result_what_happened,
                                       "what_it_showed": test.result_what_it_showed})
        drop_form = DropForm(data={"reason": test.dropped_reason})
    else:
        # Only the form that was sent is read, so the other is not shown as wrong.
        result_form = ResultForm(formdata=None if dropping else request.form)
        drop_form = DropForm(formdata=request.form if dropping else None)
    form = drop_form if dropping else result_form
    if request.method == "POST" and form.validate():
        try:
            if dropping:
                services.drop_test(test, actor=g.user, reason=drop_form.reason.data)
            else:
                services.record_test_result(test, actor=g.user, what_happened=result_form.what_happened.data,
                                            what_it_showed=result_form.what_it_showed.data)
        except services.ActivityError as error:
            db.session.rollback()
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash("The test has been dropped." if dropping else "The result has been saved.", "success")
            return redirect(url_for("workspace.planned_tests", slug=slug) + f"#test-{test.id}")
    activities = db.session.scalars(
        select(Activity).where(Activity.planned_test_id == test.id).order_by(Activity.occurred_on.desc())
    ).unique().all()
    return render_template("activity/test_result.html", engagement=engagement, test=test, form=form,
                           result_form=result_form, drop_form=drop_form, activities=activities)

