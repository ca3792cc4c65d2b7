"""Every change to an engagement: its rules, its step history and its audit entries.

Views parse forms and call these functions; the caller commits, so a change and its audit entry
land together or not at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from engage import events
from engage.accounts.models import User
from engage.audit.services import record
from engage.engagements import files, level_guide, public_save, steps
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
    StepChange,
    StoryOutput,
)
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.security.outbound import OutboundRefused, check_url_without_lookup
from engage.text.markdown import markdown_problem
from engage.text.one_line import one_line_problem
from engage.text.web_addresses import is_web_address
from engage.vocabularies.models import Area, Theme


class EngagementError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class GateClosed(Exception):
    """The engagement cannot leave its step yet: `items` say what is missing (each with the part of the task list
    that does it), `missing` the same in plain English."""

    def __init__(self, items: list[steps.Missing]):
        self.items = items
        self.missing = [item.text for item in items]
        super().__init__("\n".join(self.missing))


@dataclass
class StaleEdit(Exception):
    """Someone saved the engagement after this form was opened. Both versions are kept for the page."""

    saved: dict[str, Any]
    current_version: int


# Slugs ------------------------------------------------------------------------------------------

def normalise_slug(text: str) -> str:
    """A URL slug that is the same for texts that differ only in Unicode form, case or accents."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    # Trim hyphens again after cutting to length, so a long title does not leave a slug ending in '-'.
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:100].rstrip("-") or "engagement"


def _unique_slug(title: str) -> str:
    base = normalise_slug(title)
    slug, n = base, 2
    while db.session.scalar(select(Engagement.id).where(Engagement.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


# Opening and editing -------------------------------------------------------------------------------

# The engagement's own fields written in Markdown, with the name a message gives each.
MARKDOWN_FIELDS = {**{field: f"\u2018{label}\u2019" for field, label in steps.STORY_SECTIONS},
                   "get_involved": "How residents can get involved"}


def _check_markdown(field: str, text: str, name: str) -> None:
    # The forms refuse it too; this is for text that arrives by any other route.
    problem = markdown_problem(text, name)
    if problem:
        raise EngagementError(field, problem)


def _check_title(title: str) -> None:
    # The forms refuse these too: a title goes into e-mail subjects, headings and feeds, where a line break breaks
    # what is built from it.
    problem = one_line_problem(title, "Title")
    if problem:
        raise EngagementError("title", problem)


def open_engagement(*, title: str, actor: User) -> Engagement:
    if actor.organisation is None:
        raise EngagementError("title", "Only members of a public-sector organisation can open an engagement")
    _check_title(title)
    engagement = Engagement(title=title.strip(), slug=_unique_slug(title), lead_organisation=actor.organisation,
                            lead_user=actor, current_step=Step.CHALLENGE)
    db.session.add(engagement)
    db.session.flush()
    db.session.add(StepChange(engagement_id=engagement.id, from_step=None, to_step=Step.CHALLENGE,
                              actor_id=actor.id, reason="Opened"))
    record("engagement.opened", actor=actor, subject=engagement, title=engagement.title)
    return engagement


def _check_version(engagement: Engagement, expected_version: int | None, fields: dict[str, Any]) -> None:
    if expected_version is not None and expected_version != engagement.version:
        saved = {name: getattr(engagement, name) for name in fields}
        raise StaleEdit(saved=saved, current_version=engagement.version)


def update_engagement(engagement: Engagement, *, actor: User, expected_version: int | None,
                      public_reason: str | None = None,
                      shown_findings: Collection[str] | None = None, **fields: Any) -> list[str]:
    """Save plain fields of the engagement. Refuses a stale save, and personal data in public text (see
    `public_save.checked_on_save`: `public_reason` accepts it). Returns the names of changed fields."""
    with public_save.checked_on_save(engagement, actor=actor, public_reason=public_reason,
                                      shown_findings=shown_findings):
        return _set_fields(engagement, actor=actor, expected_version=expected_version, **fields)


def _set_fields(engagement: Engagement, *, actor: User, expected_version: int | None, **fields: Any) -> list[str]:
    _check_version(engagement, expected_version, fields)
    for name, value in fields.items():
        if name in MARKDOWN_FIELDS:
            _check_markdown(name, value, MARKDOWN_FIELDS[name])
    changed = []
    for name, value in fields.items():
        if getattr(engagement, name) != value:
            setattr(engagement, name, value)
            changed.append(name)
    if changed:
        record("engagement.updated", actor=actor, subject=engagement, fields=changed)
    return changed


def update_challenge(engagement: Engagement, *, actor: User, expected_version: int | None, title: str,
                     summary: str, challenge_statement: str, why_now: str, area: Area | None,
                     themes: list[Theme], start_date: date | None, end_date: date | None,
                     budget_pence: int | None, public_reason: str | None = None,
                     shown_findings: Collection[str] | None = None) -> None:
    if start_date and end_date and end_date < start_date:
        raise EngagementError("end_date", "The end date must be the same as or after the start date")
    if budget_pence is not None and budget_pence < 0:
        raise EngagementError("budget", "The budget must be £0 or more")
    _check_title(title)
    with public_save.checked_on_save(engagement, actor=actor, public_reason=public_reason,
                                      shown_findings=shown_findings):
        fields = {"title": title.strip(), "summary": summary.strip(),
                  "challenge_statement": challenge_statement.strip(), "why_now": why_now.strip(),
                  "area_id": area.id if area else None, "start_date": start_date, "end_date": end_date,
                  "budget_pence": budget_pence}
        changed = _set_fields(engagement, actor=actor, expected_version=expected_version, **fields)
        engagement.area = area  # keep the relationship in step with area_id for anything built in this session
        if {t.id for t in engagement.themes} != {t.id for t in themes}:
            engagement.themes = list(themes)
            # A change to the themes alone must still bump the version, so concurrent edits are detected.
            flag_modified(engagement, "title")
            if not changed:
                record("engagement.updated", actor=actor, subject=engagement, fields=["themes"])


def choose_level(engagement: Engagement, *, actor: User, expected_version: int | None, answers: dict[str, bool],
                 level: Level, rationale: str, public_reason: str | None = None,
                 shown_findings: Collection[str] | None = None) -> level_guide.Recommendation:
    """Keep the guide's answers and recommendation and the lead's choice. A choice that differs from
    the recommendation needs a reason."""
    recommendation = level_guide.recommend(answers)
    rationale = rationale.strip()
    if not rationale:
        message = ("Explain why you chose a different level from the one the guide recommends"
                   if level is not recommendation.level else "Give the rationale for this level of engagement")
        raise EngagementError("rationale", message)
    update_engagement(engagement, actor=actor, expected_version=expected_version, public_reason=public_reason,
                      shown_findings=shown_findings,
                      guide_answers=dict(answers), recommended_level=recommendation.level, level=level,
                      level_rationale=rationale)
    record("engagement.level_chosen", actor=actor, subject=engagement, level=level.value,
           recommended=recommendation.level.value)
    return recommendation


PRIVATE_LINK_MESSAGE = ("The address is on a private network, so residents could not open it: "
                        "give a public web address")


def _check_url(url: str) -> str:
    """A link people will follow from the public record: a web address, and not one into a private network
    (the outbound guard's rule, without a DNS lookup: the link check asks again whenever it follows it)."""
    url = url.strip()
    if not url:
        return url
    try:
        check_url_without_lookup(url)
    except OutboundRefused as refusal:
        if refusal.reason == "private":
            raise EngagementError("url", PRIVATE_LINK_MESSAGE) from None
    if not is_web_address(url):
        raise EngagementError("url", "Enter a web address starting with https://")
    return url


def add_hook(engagement: Engagement, *, actor: User, title: str, url: str = "",
             public_reason: str | None = None,
             shown_findings: Collection[str] | None = None) -> Hook:
    _check_url(url)
    with public_save.checked_on_save(engagement, actor=actor, public_reason=public_reason,
                                      shown_findings=shown_findings):
        hook = Hook(engagement=engagement, title=title.strip(), url=url.strip())
        db.session.add(hook)
        record("engagement.hook_added", actor=actor, subject=engagement, title=hook.title)
    return hook


def remove_hook(engagement: Engagement, hook: Hook, *, actor: User) -> None:
    engagement.hooks.remove(hook)
    record("engagement.hook_removed", actor=actor, subject=engagement, title=hook.title)


# Collaborators ----------------------------------------------------------------------------------------

def add_collaborator(engagement: Engagement, *, actor: User, organisation: Organisation,
                     role: CollaboratorRole) -> Collaborator:
    if organisation.id == engagement.lead_organisation_id:
        raise EngagementError("organisation", "The lead organisation is already part of the engagement")
    if organisation.id in engagement.collaborating_organisation_ids():
        raise EngagementError("organisation", f"{organisation.name} is already a collaborator")
    collaborator = Collaborator(engagement=engagement, organisation=organisation, role=role, added_by_id=actor.id)
    db.session.add(collaborator)
    record("engagement.collaborator_added", actor=actor, subject=engagement, organisation_id=organisation.id,
           role=role.value)
    return collaborator


def remove_collaborator(engagement: Engagement, collaborator: Collaborator, *, actor: User) -> None:
    engagement.collaborators.remove(collaborator)
    record("engagement.collaborator_removed", actor=actor, subject=engagement,
           organisation_id=collaborator.organisation_id)


# Time together --------------------------------------------------------------------------------------

def _contributing_organisation(engagement: Engagement, organisation: Organisation | None) -> None:
    if organisation is None:
        return
    allowed = engagement.collaborating_organisation_ids() | {engagement.lead_organisation_id}
    if organisation.id not in allowed:
        raise EngagementError("organisation", "Choose the lead organisation or one of the collaborators")


def add_perspective(engagement: Engagement, *, actor: User, text: str, organisation: Organisation | None,
                    lens: Lens | None) -> Perspective:
    if organisation is None and lens is None:
        raise EngagementError("organisation", "Say whose perspective this is: an organisation, a lens, or both")
    _contributing_organisation(engagement, organisation)
    perspective = Perspective(engagement_id=engagement.id, text=text.strip(), organisation=organisation, lens=lens,
                              author_id=actor.id)
    engagement.perspectives.append(perspective)
    record("engagement.perspective_added", actor=actor, subject=engagement)
    return perspective


def add_idea(engagement: Engagement, *, actor: User, text: str, proposed_by: str, organisation: Organisation | None,
             imagined_impact: str) -> Idea:
    _contributing_organisation(engagement, organisation)
    idea = Idea(text=text.strip(), proposed_by=proposed_by.strip(), organisation=organisation,
                imagined_impact=imagined_impact.strip(), author_id=actor.id)
    engagement.ideas.append(idea)
    record("engagement.idea_added", actor=actor, subject=engagement)
    return idea


def add_planned_test(engagement: Engagement, *, actor: User, idea: Idea | None, what: str, how: str,
                     success_measure: str) -> PlannedTest:
    # Compare membership, not ids: an idea added in the same unit of work has no engagement_id until a flush.
    if idea is not None and idea not in engagement.ideas:
        raise EngagementError("idea", "Choose one of this engagement's ideas")
    test = PlannedTest(idea=idea, what=what.strip(), how=how.strip(), success_measure=success_measure.strip(),
                       author_id=actor.id)
    engagement.planned_tests.append(test)
    record("engagement.test_planned", actor=actor, subject=engagement)
    return test


def remove_contribution(engagement: Engagement, item: Perspective | Idea | PlannedTest, *, actor: User) -> None:
    kind = type(item).__name__.lower()
    collection = {"perspective": engagement.perspectives, "idea": engagement.ideas,
                  "plannedtest": engagement.planned_tests}[kind]
    collection.remove(item)
    record(f"engagement.{kind}_removed", actor=actor, subject=engagement)


def post_update(engagement: Engagement, *, actor: User, body: str, public_reason: str | None = None,
                shown_findings: Collection[str] | None = None
                ) -> ProgressUpdate:
    _check_markdown("body", body, "The update")
    with public_save.checked_on_save(engagement, actor=actor, public_reason=public_reason,
                                      shown_findings=shown_findings):
        update = ProgressUpdate(body=body.strip(), author_id=actor.id, organisation_id=actor.organisation_id)
        engagement.updates.append(update)
        record("engagement.update_posted", actor=actor, subject=engagement)
    return update


UPDATES_FROZEN = ("The engagement is completed: its progress updates are part of the published record and can no "
                  "longer be removed")


def updates_removable(engagement: Engagement) -> bool:
    """Progress updates can be taken back while the engagement runs. Once it is completed they are part of the
    record it was published with."""
    return engagement.current_step is not Step.COMPLETED


def remove_update(engagement: Engagement, update: ProgressUpdate, *, actor: User) -> None:
    """Delete the update (who may is `permissions.can_remove_update`).

    The row is deleted, not marked removed: an update is most often taken back because it says something that
    should not be public, which a hidden copy would keep, and the audit entry already says who posted it, when,
    and who removed it. Nothing published holds it, as an update can only be removed before publication."""
    if not updates_removable(engagement):
        raise EngagementError("update", UPDATES_FROZEN)
    engagement.updates.remove(update)
    record("engagement.update_removed", actor=actor, subject=engagement, update_id=update.id,
           posted_by=update.author_id, organisation_id=update.organisation_id,
           posted_at=update.created_at.isoformat() if update.created_at else None)


# Steps ------------------------------------------------------------------------------------------------

class StepChangedMeanwhile(Exception):
    """The engagement is no longer at the step the person was shown: someone moved it on or back since."""

    def __init__(self, now: Step):
        self.now = now
        self.message = (f"Someone else changed this engagement\u2019s step a moment ago: it is now at "
                        f"\u2018{now.label}\u2019.")
        super().__init__(self.message)


def _still_at(engagement: Engagement, from_step: Step | None) -> None:
    if from_step is not None and engagement.current_step is not from_step:
        raise StepChangedMeanwhile(engagement.current_step)


def move_on(engagement: Engagement, *, actor: User, from_step: Step | None = None) -> Step:
    """Move on to the next step. `from_step` is the step the person was shown: refused if it has changed."""
    _still_at(engagement, from_step)
    # What the gates read (the publication check's record, the names it looks for) is read once for the move:
    # the first publication on arrival at `completed` checks and publishes the same record.
    with steps.reading_together([engagement]):
        missing = steps.missing_items(engagement)
        if missing:
            raise GateClosed(missing)
        return _change_step(engagement, engagement.current_step.next, actor=actor, reason="")


def step_back(engagement: Engagement, *, actor: User, reason: str, from_step: Step | None = None,
              public_reason: str | None = None,
              shown_findings: Collection[str] | None = None) -> Step:
    _still_at(engagement, from_step)
    reason = reason.strip()
    if engagement.current_step is Step.CHALLENGE:
        raise EngagementError("reason", "The engagement is at the first step: there is no step to go back to")
    if engagement.current_step is Step.COMPLETED:
        raise EngagementError("reason", "A completed engagement is corrected, not stepped back")
    if not reason:
        raise EngagementError("reason", "Give the reason for stepping back")
    # The reason is published in the step history.
    with public_save.checked_on_save(engagement, actor=actor, public_reason=public_reason,
                                      shown_findings=shown_findings):
        step = _change_step(engagement, engagement.current_step.previous, actor=actor, reason=reason)
    return step


def _change_step(engagement: Engagement, to_step: Step | None, *, actor: User, reason: str) -> Step:
    assert to_step is not None
    from_step = engagement.current_step
    engagement.current_step = to_step
    engagement.step_changes.append(StepChange(from_step=from_step, to_step=to_step, reason=reason,
                                              actor_id=actor.id))
    record("engagement.step_changed", actor=actor, subject=engagement, from_step=from_step.value,
           to_step=to_step.value, reason=reason)
    events.step_changed.send(engagement, from_step=from_step, to_step=to_step)
    if to_step.number > from_step.number:
        steps.arrived(engagement, to_step, actor)
    return to_step


def set_held_back(engagement: Engagement, *, actor: User, held_back: bool, reason: str = "") -> None:
    reason = reason.strip()
    if held_back and not reason:
        raise EngagementError("reason", "Give the reason for holding the engagement back from public view")
    engagement.held_back = held_back
    engagement.held_back_reason = reason if held_back else ""
    record("engagement.held_back" if held_back else "engagement.released", actor=actor, subject=engagement,
           reason=reason)


# Outputs ---------------------------------------------------------------------------------------------

def add_output(engagement: Engagement, *, actor: User, title: str, kind: OutputKind, description: str,
               url: str = "", upload: files.StoredFile | None = None) -> StoryOutput:
    """Attach a link or an already stored file. The caller deletes the stored file if the commit fails."""
    url = _check_url(url)
    if not url and upload is None:
        raise EngagementError("url", "Give a link or choose a file")
    output = StoryOutput(title=title.strip(), kind=kind, description=description.strip(), url=url,
                         author_id=actor.id)
    if upload is not None:
        output.stored_name = upload.stored_name
        output.original_filename = upload.original_filename
        output.content_type = upload.content_type
        output.size_bytes = upload.size_bytes
    engagement.outputs.append(output)
    record("engagement.output_added", actor=actor, subject=engagement, title=output.title, kind=kind.value)
    return output


def remove_output(engagement: Engagement, output: StoryOutput, *, actor: User) -> str | None:
    """Remove the output; returns the stored file's name so the caller can delete it after committing."""
    engagement.outputs.remove(output)
    record("engagement.output_removed", actor=actor, subject=engagement, title=output.title)
    return output.stored_name
