"""The workspace's pages for an engagement: one page per part of each step (the task list is in `views`).

Views check who may do what (engagements.permissions), parse the form, call a service and commit. They sit
above the domains because a save of public text may be refused by the publication check, whose findings,
and the confirmation that accepts them, these pages show.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from engage.accounts.permissions import signed_in
from engage.audit.refusals import refuse
from engage.engagements import files, level_guide, permissions, services, steps
from engage.engagements.access import load_engagement, part_of
from engage.engagements.forms import (
    ChallengeForm,
    CollaboratorForm,
    ConfirmForm,
    GetInvolvedForm,
    HookForm,
    IdeaForm,
    LevelForm,
    MoveOnForm,
    NewEngagementForm,
    OutputForm,
    PerspectiveForm,
    PlannedTestForm,
    ReasonForm,
    StepBackForm,
    StoryForm,
    UpdateForm,
)
from engage.engagements.models import (
    Collaborator,
    CollaboratorRole,
    Engagement,
    Hook,
    Idea,
    Lens,
    Level,
    OutputKind,
    Perspective,
    PlannedTest,
    ProgressUpdate,
    Step,
    StoryOutput,
)
from engage.engagements.public_save import PersonalDataFound
from engage.extensions import db
from engage.forms.money import parse_pounds, pounds_from_pence
from engage.organisations.models import Organisation
from engage.publication import places, public_texts
from engage.publication.forms import PublicTextForm
from engage.publication.record import in_progress_record
from engage.vocabularies.models import Area, Theme
from engage.vocabularies.services import active_areas, active_themes
from engage.workspace import tasks

bp = Blueprint("workspace", __name__, url_prefix="/workspace")


# Loading and permission checks ------------------------------------------------------------------

def _editable(slug: str) -> Engagement:
    return load_engagement(slug, permissions.can_edit)


def _contributable(slug: str) -> Engagement:
    return load_engagement(slug, permissions.can_contribute)


def _workspace(engagement: Engagement) -> str:
    return url_for("workspace.task_list", slug=engagement.slug)


def _organisation_choices(engagement: Engagement, *, blank: str) -> list[SelectChoice]:
    organisations = [engagement.lead_organisation] + [c.organisation for c in engagement.collaborators]
    return [SelectChoice("", blank)] + [SelectChoice(str(o.id), o.name) for o in organisations]


def _organisation(value: str | None) -> Organisation | None:
    return db.session.get(Organisation, int(value)) if value and value.isdigit() else None


def _posted_version(form) -> int:
    """The version the person started from. A form posted without one is treated as stale (versions
    start at 1), so a save can never skip the check."""
    return form.version.data if form.version.data is not None else 0


def _stale_response(template: str, form, engagement: Engagement, stale: services.StaleEdit, **context):
    """Refuse a stale save but keep what was typed, and show what someone else saved meanwhile."""
    # The hidden field renders what was posted (raw_data) before its data: replace both, so that saving again
    # after comparing carries the saved version and is not refused once more.
    form.version.data = stale.current_version
    form.version.raw_data = [str(stale.current_version)]
    page_errors = [{"text": "Someone else saved changes to this engagement while you were editing. Your changes "
                            "have not been saved: compare them with the saved version, then save again.",
                    "href": "#saved-version"}]
    return render_template(template, form=form, engagement=engagement, stale=stale.saved, page_errors=page_errors,
                           **context), 409


def _public_confirmation() -> dict[str, Any]:
    """What the person confirmed is public information (see PublicTextForm): the reason, if they confirmed, and
    the findings they were shown, which are all it accepts."""
    form = PublicTextForm(prefix="public")
    return {"public_reason": form.public_reason(), "shown_findings": form.shown_findings()}


def _finding_error(item: places.InContext, number: int) -> dict[str, str]:
    """A refused save's error for one finding, named by its place: linked to the field on this page that holds
    it, or else to the finding in the list of what was found (a new update or hook, a step back's reason)."""
    on_this_page = item.place.field_id and item.place.endpoint == request.endpoint
    return {"text": item.instruction,
            "href": f"#{item.place.field_id}" if on_this_page else f"#public-finding-{number}"}


def _personal_data_response(template: str, form, engagement: Engagement, found: PersonalDataFound, **context):
    """Refuse a save that would publish personal data nobody has accepted, and show the form again as typed,
    with what the publication check found and the choice to confirm it is public information."""
    # Quoted from what was typed, so read before the change is rolled back.
    shown = public_texts.in_context(engagement, found.findings)
    db.session.rollback()
    g.findings_in_context = shown  # each field holding a finding quotes it in its hint (`with_finding`)
    public_form = PublicTextForm(prefix="public")
    public_form.show(found.findings)
    page_errors = [_finding_error(item, number) for number, item in enumerate(shown, start=1)]
    if found.reason_error:
        public_form.reason.errors = [found.reason_error]
        page_errors.append({"text": found.reason_error, "href": "#public-reason"})
    return render_template(template, form=form, engagement=engagement, page_errors=page_errors,
                           public_form=public_form, public_findings=shown, **context)


# Opening an engagement -----------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@signed_in
def new():
    if not permissions.can_create_engagement(g.user):
        refuse(None, "cannot open engagements")
        abort(403)
    form = NewEngagementForm()
    if form.validate_on_submit():
        engagement = services.open_engagement(title=form.title.data, actor=g.user)
        db.session.commit()
        flash(f"\u2018{engagement.title}\u2019 is open. Start by describing the challenge.", "success")
        return redirect(_workspace(engagement))
    return render_template("engagements/new.html", form=form)


def _shown_step(form: MoveOnForm | StepBackForm) -> Step | None:
    """The step the page showed, if the form says (a form sent without it is not checked)."""
    try:
        return Step(form.from_step.data) if form.from_step.data else None
    except ValueError:
        return None


@bp.route("/<slug>/move-on", methods=["POST"])
@signed_in
def move_on(slug: str):
    engagement = _editable(slug)
    form = MoveOnForm()
    if form.validate_on_submit():
        try:
            step = services.move_on(engagement, actor=g.user, from_step=_shown_step(form))
        except services.StepChangedMeanwhile as moved:
            db.session.rollback()
            flash(moved.message, "error")
        except services.GateClosed as closed:
            db.session.rollback()
            # A list, each linked to the task that does it (the base layout shows it as an error summary).
            flash({"title": f"You cannot move on to \u2018{engagement.current_step.next.label}\u2019 yet",
                   "errors": [{"text": item.text, "href": item.href} if item.href else {"text": item.text}
                              for item in tasks.still_to_do(engagement, closed.items)]}, "error_list")
        else:
            db.session.commit()
            flash(f"The engagement has moved on to \u2018{step.label}\u2019.", "success")
    return redirect(_workspace(engagement))


@bp.route("/<slug>/going-public")
@signed_in
def going_public(slug: str):
    """Before the first move on, which makes the engagement public: what residents will see, and anything the
    publication check found in it."""
    engagement = _editable(slug)
    if engagement.current_step is not Step.CHALLENGE:
        return redirect(_workspace(engagement))
    return render_template("engagements/going_public.html", engagement=engagement,
                           record=in_progress_record(engagement),
                           findings=public_texts.unresolved_in_context(engagement),
                           missing=tasks.still_to_do(engagement),
                           move_form=MoveOnForm(from_step=engagement.current_step.value))


@bp.route("/<slug>/step-back", methods=["GET", "POST"])
@signed_in
def step_back(slug: str):
    engagement = _editable(slug)
    form = StepBackForm(from_step=engagement.current_step.value)
    if form.validate_on_submit():
        try:
            step = services.step_back(engagement, actor=g.user, reason=form.reason.data,
                                      from_step=_shown_step(form), **_public_confirmation())
        except services.StepChangedMeanwhile as moved:
            flash(moved.message, "error")
            return redirect(_workspace(engagement))
        except PersonalDataFound as found:
            return _personal_data_response("engagements/step_back.html", form, engagement, found)
        except services.EngagementError as error:
            form.reason.errors.append(error.message)
        else:
            db.session.commit()
            flash(f"The engagement has stepped back to \u2018{step.label}\u2019.", "success")
            return redirect(_workspace(engagement))
    return render_template("engagements/step_back.html", form=form, engagement=engagement)


@bp.route("/<slug>/history")
@signed_in
def history(slug: str):
    engagement = load_engagement(slug, permissions.can_view_workspace)
    return render_template("engagements/history.html", engagement=engagement)


@bp.route("/<slug>/visibility", methods=["GET", "POST"])
@signed_in
def visibility(slug: str):
    engagement = _editable(slug)
    form = ReasonForm()
    release_form = ConfirmForm(prefix="release")
    if request.method == "POST" and request.form.get("action") == "release":
        if release_form.validate_on_submit():
            services.set_held_back(engagement, actor=g.user, held_back=False)
            db.session.commit()
            flash("The engagement is no longer held back from public view.", "success")
            return redirect(_workspace(engagement))
    elif form.validate_on_submit():
        try:
            services.set_held_back(engagement, actor=g.user, held_back=True, reason=form.reason.data)
        except services.EngagementError as error:
            form.reason.errors.append(error.message)
        else:
            db.session.commit()
            flash("The engagement is held back from public view. Administrators can see your reason.", "success")
            return redirect(_workspace(engagement))
    return render_template("engagements/visibility.html", form=form, release_form=release_form,
                           engagement=engagement)


# Step 1: the challenge ------------------------------------------------------------------------------

@bp.route("/<slug>/challenge", methods=["GET", "POST"])
@signed_in
def challenge(slug: str):
    engagement = _editable(slug)
    if request.method == "GET":
        form = ChallengeForm(data={
            "version": engagement.version, "title": engagement.title, "summary": engagement.summary,
            "challenge_statement": engagement.challenge_statement, "why_now": engagement.why_now,
            "area": str(engagement.area_id or ""), "themes": [str(t.id) for t in engagement.themes],
            "start_date": engagement.start_date, "end_date": engagement.end_date,
            "budget": pounds_from_pence(engagement.budget_pence),
        })
    else:
        form = ChallengeForm()
    # An engagement keeps an area or theme that is no longer offered: leaving it out of the choices would
    # drop it in silence the next time anything on this page is saved.
    areas = active_areas()
    if engagement.area is not None and engagement.area not in areas:
        areas.append(engagement.area)
    themes = active_themes()
    themes += [theme for theme in engagement.themes if theme not in themes]
    form.area.choices = [SelectChoice("", "Borough-wide or not yet known")] + [
        SelectChoice(str(a.id), a.label) for a in areas]
    form.themes.choices = [SelectChoice(str(t.id), t.name) for t in themes]
    if form.validate_on_submit():
        area = db.session.get(Area, int(form.area.data)) if form.area.data else None
        themes = list(db.session.scalars(select(Theme).where(Theme.id.in_([int(t) for t in form.themes.data]))))
        try:
            services.update_challenge(
                engagement, actor=g.user, expected_version=_posted_version(form), title=form.title.data,
                summary=form.summary.data or "", challenge_statement=form.challenge_statement.data or "",
                why_now=form.why_now.data or "", area=area, themes=themes, start_date=form.start_date.data,
                end_date=form.end_date.data, budget_pence=parse_pounds(form.budget.data),
                **_public_confirmation(),
            )
        except services.StaleEdit as stale:
            db.session.rollback()
            return _stale_response("engagements/challenge.html", form, engagement, stale)
        except PersonalDataFound as found:
            return _personal_data_response("engagements/challenge.html", form, engagement, found, stale=None)
        except services.EngagementError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash("The challenge has been saved.", "success")
            return redirect(_workspace(engagement))
    return render_template("engagements/challenge.html", form=form, engagement=engagement, stale=None)


@bp.route("/<slug>/hooks", methods=["GET", "POST"])
@signed_in
def hooks(slug: str):
    engagement = _editable(slug)
    form = HookForm()
    if form.validate_on_submit():
        try:
            services.add_hook(engagement, actor=g.user, title=form.title.data, url=form.url.data or "",
                              **_public_confirmation())
        except PersonalDataFound as found:
            return _personal_data_response("engagements/hooks.html", form, engagement, found,
                                           remove_form=ConfirmForm())
        except services.EngagementError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash("The hook has been added.", "success")
            return redirect(url_for("workspace.hooks", slug=slug))
    return render_template("engagements/hooks.html", form=form, engagement=engagement, remove_form=ConfirmForm())


@bp.route("/<slug>/hooks/<int:hook_id>/remove", methods=["POST"])
@signed_in
def remove_hook(slug: str, hook_id: int):
    engagement = _editable(slug)
    hook = part_of(engagement, db.session.get(Hook, hook_id), owner=engagement)
    if ConfirmForm().validate_on_submit():
        services.remove_hook(engagement, hook, actor=g.user)
        db.session.commit()
        flash("The hook has been removed.", "success")
    return redirect(url_for("workspace.hooks", slug=slug))


@bp.route("/<slug>/level", methods=["GET", "POST"])
@signed_in
def level(slug: str):
    engagement = _editable(slug)
    if request.method == "GET":
        data = {"version": engagement.version, "rationale": engagement.level_rationale,
                "level": engagement.level.value if engagement.level else None}
        data.update({key: "yes" if value else "no" for key, value in (engagement.guide_answers or {}).items()})
        form = LevelForm(data=data)
    else:
        form = LevelForm()
    context = {"guide": _guide_rows(), "questions": level_guide.questions(),
               "needs": {lvl: level_guide.needs(lvl) for lvl in Level}}
    if form.show_advice.data:
        # Advice only: nothing is saved, and only the questions are asked for (the page's script asks for this
        # too as answers change, and reads just the advice from the page).
        for question in level_guide.QUESTIONS:
            if getattr(form, question.key).data not in ("yes", "no"):
                getattr(form, question.key).errors = ["Answer yes or no"]
        return render_template("engagements/level.html", form=form, engagement=engagement, stale=None,
                               advice=_level_advice(form, engagement), **context)
    if form.validate_on_submit():
        answers = {q.key: getattr(form, q.key).data == "yes" for q in level_guide.QUESTIONS}
        recommendation = level_guide.recommend(answers)
        try:
            services.choose_level(engagement, actor=g.user, expected_version=_posted_version(form), answers=answers,
                                  level=Level(form.level.data), rationale=form.rationale.data or "",
                                  **_public_confirmation())
        except services.StaleEdit as stale:
            db.session.rollback()
            return _stale_response("engagements/level.html", form, engagement, stale,
                                   advice=_level_advice(form, engagement), **context)
        except PersonalDataFound as found:
            return _personal_data_response("engagements/level.html", form, engagement, found, stale=None,
                                           advice=_level_advice(form, engagement), **context)
        except services.EngagementError as error:
            form.rationale.errors.append(
                f"The guide recommends {recommendation.level.label}. {error.message}"
                if Level(form.level.data) is not recommendation.level else error.message)
        else:
            db.session.commit()
            flash(f"The level of engagement is {engagement.level.label}.", "success")
            return redirect(url_for("workspace.level", slug=slug))
    return render_template("engagements/level.html", form=form, engagement=engagement, stale=None,
                           advice=_level_advice(form, engagement), **context)


def _level_advice(form: LevelForm, engagement: Engagement) -> level_guide.Advice:
    """The guide's advice for the answers and level as they stand in the form (saved or just typed)."""
    return level_guide.advice_for({q.key: getattr(form, q.key).data for q in level_guide.QUESTIONS},
                                  form.level.data, engagement.start_date, engagement.end_date,
                                  engagement.budget_pence)


def _guide_rows() -> list[tuple[Level, level_guide.LevelGuide]]:
    return [(lvl, level_guide.guide_for(lvl)) for lvl in Level]


# Step 2: collaborators ----------------------------------------------------------------------------------

@bp.route("/<slug>/collaborators", methods=["GET", "POST"])
@signed_in
def collaborators(slug: str):
    engagement = _editable(slug)
    form = CollaboratorForm()
    taken = engagement.collaborating_organisation_ids() | {engagement.lead_organisation_id}
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.organisation.choices = [SelectChoice("", "Choose an organisation")] + [
        SelectChoice(str(o.id), f"{o.name} ({o.kind.label})") for o in organisations if o.id not in taken]
    if form.validate_on_submit():
        organisation = _organisation(form.organisation.data)
        if organisation is None:
            form.organisation.errors.append("Choose an organisation")
        else:
            try:
                services.add_collaborator(engagement, actor=g.user, organisation=organisation,
                                          role=CollaboratorRole(form.role.data))
            except services.EngagementError as error:
                form.organisation.errors.append(error.message)
            else:
                db.session.commit()
                flash(f"{organisation.name} is now a collaborator.", "success")
                return redirect(url_for("workspace.collaborators", slug=slug))
    return render_template("engagements/collaborators.html", form=form, engagement=engagement,
                           remove_form=ConfirmForm(), missing=steps.missing_to_leave(engagement, Step.COLLABORATORS))


@bp.route("/<slug>/collaborators/<int:collaborator_id>/remove", methods=["POST"])
@signed_in
def remove_collaborator(slug: str, collaborator_id: int):
    engagement = _editable(slug)
    collaborator = part_of(engagement, db.session.get(Collaborator, collaborator_id), owner=engagement)
    if ConfirmForm().validate_on_submit():
        name = collaborator.organisation.name
        services.remove_collaborator(engagement, collaborator, actor=g.user)
        db.session.commit()
        flash(f"{name} is no longer a collaborator.", "success")
    return redirect(url_for("workspace.collaborators", slug=slug))


# Step 3: time together ------------------------------------------------------------------------------------

@bp.route("/<slug>/perspectives", methods=["GET", "POST"])
@signed_in
def perspectives(slug: str):
    engagement = _contributable(slug)
    form = PerspectiveForm()
    form.organisation.choices = _organisation_choices(engagement, blank="Not one organisation")
    if form.validate_on_submit():
        try:
            services.add_perspective(engagement, actor=g.user, text=form.text.data,
                                     organisation=_organisation(form.organisation.data),
                                     lens=Lens(form.lens.data) if form.lens.data else None)
        except services.EngagementError as error:
            form.organisation.errors.append(error.message)
        else:
            db.session.commit()
            flash("The perspective has been added.", "success")
            return redirect(url_for("workspace.perspectives", slug=slug))
    return render_template("engagements/perspectives.html", form=form, engagement=engagement,
                           remove_form=ConfirmForm(), can_edit=permissions.can_edit(g.user, engagement))


@bp.route("/<slug>/ideas", methods=["GET", "POST"])
@signed_in
def ideas(slug: str):
    engagement = _contributable(slug)
    form = IdeaForm()
    form.organisation.choices = _organisation_choices(engagement, blank="None")
    if form.validate_on_submit():
        try:
            services.add_idea(engagement, actor=g.user, text=form.text.data, proposed_by=form.proposed_by.data,
                              organisation=_organisation(form.organisation.data),
                              imagined_impact=form.imagined_impact.data or "")
        except services.EngagementError as error:
            form.organisation.errors.append(error.message)
        else:
            db.session.commit()
            flash("The idea has been added.", "success")
            return redirect(url_for("workspace.ideas", slug=slug))
    return render_template("engagements/ideas.html", form=form, engagement=engagement,
                           remove_form=ConfirmForm(), can_edit=permissions.can_edit(g.user, engagement))


@bp.route("/<slug>/tests", methods=["GET", "POST"])
@signed_in
def planned_tests(slug: str):
    engagement = _contributable(slug)
    form = PlannedTestForm()
    form.idea.choices = [SelectChoice("", "Not linked to one idea")] + [
        SelectChoice(str(i.id), i.text[:80]) for i in engagement.ideas]
    if form.validate_on_submit():
        idea = db.session.get(Idea, int(form.idea.data)) if form.idea.data else None
        try:
            services.add_planned_test(engagement, actor=g.user, idea=idea, what=form.what.data, how=form.how.data,
                                      success_measure=form.success_measure.data)
        except services.EngagementError as error:
            form.idea.errors.append(error.message)
        else:
            db.session.commit()
            flash("The test has been planned.", "success")
            return redirect(url_for("workspace.planned_tests", slug=slug))
    return render_template("engagements/planned_tests.html", form=form, engagement=engagement,
                           remove_form=ConfirmForm(), can_edit=permissions.can_edit(g.user, engagement))


_CONTRIBUTIONS = {"perspectives": Perspective, "ideas": Idea, "tests": PlannedTest}


@bp.route("/<slug>/<any(perspectives, ideas, tests):kind>/<int:item_id>/remove", methods=["POST"])
@signed_in
def remove_contribution(slug: str, kind: str, item_id: int):
    engagement = _contributable(slug)
    item = part_of(engagement, db.session.get(_CONTRIBUTIONS[kind], item_id), owner=engagement)
    # The lead organisation may tidy anything; a collaborator may only take back their own contribution.
    if not (permissions.can_edit(g.user, engagement) or item.author_id == g.user.id):
        refuse(engagement, "not the author")
        abort(403)
    if ConfirmForm().validate_on_submit():
        services.remove_contribution(engagement, item, actor=g.user)
        db.session.commit()
        flash("It has been removed.", "success")
    endpoint = {"perspectives": "perspectives", "ideas": "ideas", "tests": "planned_tests"}[kind]
    return redirect(url_for(f"workspace.{endpoint}", slug=slug))


# Step 5: the story; and working out loud -------------------------------------------------------------

@bp.route("/<slug>/story", methods=["GET", "POST"])
@signed_in
def story(slug: str):
    engagement = _contributable(slug)
    fields = [name for name, _ in steps.STORY_SECTIONS]
    if request.method == "GET":
        form = StoryForm(data={"version": engagement.version, **{f: getattr(engagement, f) for f in fields}})
    else:
        form = StoryForm()
    if form.validate_on_submit():
        try:
            services.update_engagement(engagement, actor=g.user, expected_version=_posted_version(form),
                                       **{f: (getattr(form, f).data or "").strip() for f in fields})
        except services.StaleEdit as stale:
            db.session.rollback()
            return _stale_response("engagements/story.html", form, engagement, stale)
        except services.EngagementError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash("The story has been saved.", "success")
            return redirect(_workspace(engagement))
    return render_template("engagements/story.html", form=form, engagement=engagement, stale=None)


@bp.route("/<slug>/get-involved", methods=["GET", "POST"])
@signed_in
def get_involved(slug: str):
    engagement = _editable(slug)
    if request.method == "GET":
        form = GetInvolvedForm(data={"version": engagement.version, "get_involved": engagement.get_involved})
    else:
        form = GetInvolvedForm()
    if form.validate_on_submit():
        try:
            services.update_engagement(engagement, actor=g.user, expected_version=_posted_version(form),
                                       **_public_confirmation(),
                                       get_involved=(form.get_involved.data or "").strip())
        except services.StaleEdit as stale:
            db.session.rollback()
            return _stale_response("engagements/get_involved.html", form, engagement, stale)
        except PersonalDataFound as found:
            return _personal_data_response("engagements/get_involved.html", form, engagement, found, stale=None)
        except services.EngagementError as error:
            db.session.rollback()
            form.get_involved.errors.append(error.message)
        else:
            db.session.commit()
            flash("How to get involved has been saved.", "success")
            return redirect(_workspace(engagement))
    return render_template("engagements/get_involved.html", form=form, engagement=engagement, stale=None)


@bp.route("/<slug>/updates", methods=["GET", "POST"])
@signed_in
def updates(slug: str):
    engagement = _contributable(slug)
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            services.post_update(engagement, actor=g.user, body=form.body.data, **_public_confirmation())
        except PersonalDataFound as found:
            return _personal_data_response("engagements/updates.html", form, engagement, found,
                                           removable=_removable_updates(engagement))
        except services.EngagementError as error:
            form.body.errors.append(error.message)
        else:
            db.session.commit()
            flash("Your update has been posted.", "success")
            return redirect(url_for("workspace.updates", slug=slug))
    return render_template("engagements/updates.html", form=form, engagement=engagement,
                           removable=_removable_updates(engagement))


def _removable_updates(engagement: Engagement) -> set[int]:
    """The updates the signed-in person may take back now, to offer them a link to each."""
    if not services.updates_removable(engagement):
        return set()
    return {u.id for u in engagement.updates if permissions.can_remove_update(g.user, engagement, u)}


@bp.route("/<slug>/updates/<int:update_id>/remove", methods=["GET", "POST"])
@signed_in
def remove_update(slug: str, update_id: int):
    """Asks "Are you sure?" first; the button on that page posts back here."""
    engagement = _contributable(slug)
    update = part_of(engagement, db.session.get(ProgressUpdate, update_id), owner=engagement)
    if not permissions.can_remove_update(g.user, engagement, update):
        refuse(engagement, "not the author")
        abort(403)
    if not services.updates_removable(engagement):
        flash(services.UPDATES_FROZEN + ".", "error")
        return redirect(url_for("workspace.updates", slug=slug))
    form = ConfirmForm()
    if form.validate_on_submit():
        services.remove_update(engagement, update, actor=g.user)
        db.session.commit()
        flash("The update has been removed. It is no longer on the public record.", "success")
        return redirect(url_for("workspace.updates", slug=slug))
    return render_template("engagements/remove_update.html", form=form, engagement=engagement, update=update)


@bp.route("/<slug>/outputs", methods=["GET", "POST"])
@signed_in
def outputs(slug: str):
    engagement = _contributable(slug)
    form = OutputForm()
    if form.validate_on_submit():
        upload = None
        uploaded = form.upload.data
        try:
            if uploaded and getattr(uploaded, "filename", ""):
                upload = files.store(uploaded.stream, uploaded.filename)
            services.add_output(engagement, actor=g.user, title=form.title.data, kind=OutputKind(form.kind.data),
                                description=form.description.data, url=form.url.data or "", upload=upload)
            db.session.commit()
        except files.FileRefused as refused:
            form.upload.errors.append(str(refused))
        except services.EngagementError as error:
            form.url.errors.append(error.message)
        except Exception:
            db.session.rollback()
            files.delete(upload.stored_name if upload else None)
            raise
        else:
            flash("The output has been added.", "success")
            return redirect(url_for("workspace.outputs", slug=slug))
    return render_template("engagements/outputs.html", form=form, engagement=engagement,
                           remove_form=ConfirmForm(), can_edit=permissions.can_edit(g.user, engagement))


def _output_or_404(engagement: Engagement, output_id: int) -> StoryOutput:
    return part_of(engagement, db.session.get(StoryOutput, output_id), owner=engagement)


@bp.route("/<slug>/outputs/<int:output_id>/file")
@signed_in
def output_file(slug: str, output_id: int):
    engagement = _contributable(slug)
    output = _output_or_404(engagement, output_id)
    if not output.stored_name:
        abort(404)
    path = files.path_of(output.stored_name)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=output.content_type, as_attachment=True,
                     download_name=output.original_filename or path.name, max_age=0)


@bp.route("/<slug>/outputs/<int:output_id>/remove", methods=["POST"])
@signed_in
def remove_output(slug: str, output_id: int):
    engagement = _contributable(slug)
    output = _output_or_404(engagement, output_id)
    if not (permissions.can_edit(g.user, engagement) or output.author_id == g.user.id):
        refuse(engagement, "not the author")
        abort(403)
    if ConfirmForm().validate_on_submit():
        stored_name = services.remove_output(engagement, output, actor=g.user)
        db.session.commit()
        files.delete(stored_name)
        flash("The output has been removed.", "success")
    return redirect(url_for("workspace.outputs", slug=slug))
