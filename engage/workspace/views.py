"""What gathers several domains for the people doing the work: "Your engagements" at /dashboard, and each
engagement's task list at /workspace/<slug>/.

The task list stays on the engagements' `workspace` blueprint, so its address and endpoint are those of the rest
of the workspace; it is defined here because it reads activity and publication as well as the engagement.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template

from engage.accounts.permissions import signed_in
from engage.activity.services import figures as activity_figures
from engage.engagements import permissions, steps
from engage.engagements.access import load_engagement
from engage.engagements.forms import MoveOnForm
from engage.publication.views import summary as publishing_summary
from engage.publication.visibility import residents_can_open
from engage.workspace import tasks
from engage.workspace.dashboard import partner_dashboard, your_engagements
from engage.workspace.engagement_views import bp

dashboard_bp = Blueprint("dashboard", __name__)


# Dashboard ---------------------------------------------------------------------------------------------

@dashboard_bp.route("/dashboard")
@signed_in
def dashboard():
    return render_template("engagements/dashboard.html", rows=your_engagements(g.user),
                           can_open=permissions.can_create_engagement(g.user),
                           partner=partner_dashboard(g.user))


# The task list ---------------------------------------------------------------------------------------

@bp.route("/<slug>/")
@signed_in
def task_list(slug: str):
    engagement = load_engagement(slug, permissions.can_view_workspace)
    # The gates and the publication summary read the engagement's record once between them.
    with steps.reading_together([engagement]):
        return render_template("engagements/task_list.html", engagement=engagement,
                               sections=tasks.sections(engagement), missing=tasks.still_to_do(engagement),
                               figures=activity_figures(engagement),
                               can_edit=permissions.can_edit(g.user, engagement),
                               move_form=MoveOnForm(from_step=engagement.current_step.value),
                               publishing=publishing_summary(engagement),
                               residents_can_open=residents_can_open(engagement))
