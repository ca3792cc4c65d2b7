"""The engagement services: slugs, money, collaborators, contributions, visibility, and the audit trail."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engage.audit.models import AuditEvent
from engage.engagements import services
from engage.engagements.models import CollaboratorRole, Engagement, Lens, Level, Step
from engage.extensions import db
from engage.forms.money import parse_pounds
from engage.organisations.models import OrganisationKind
from engage.vocabularies.services import active_areas, active_themes, load_defaults

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


def _actions(engagement: Engagement) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.subject_type == "Engagement", AuditEvent.subject_id == engagement.id).order_by(AuditEvent.id)))


def _last_event(engagement: Engagement) -> AuditEvent:
    return db.session.scalar(select(AuditEvent).where(
        AuditEvent.subject_type == "Engagement", AuditEvent.subject_id == engagement.id)
        .order_by(AuditEvent.id.desc()).limit(1))


# Slugs ---------------------------------------------------------------------------------------------------------

def test_titles_that_differ_only_in_unicode_form_case_or_width_get_distinct_slugs(make):
    lead = make.lead()
    # Composed, decomposed, upper case and full-width.
    titles = ["Caf\u00e9", "Cafe\u0301", "CAF\u00c9", "\uff23\uff41\uff46\uff45"]

    slugs = [services.open_engagement(title=title, actor=lead).slug for title in titles]
    db.session.commit()

    assert slugs == ["cafe", "cafe-2", "cafe-3", "cafe-4"]


@pytest.mark.parametrize(("title", "slug"), [
    ("Urgent care redesign", "urgent-care-redesign"),
    ("  Self-care: a borough policy!  ", "self-care-a-borough-policy"),
    ("\uff2d\uff45\uff4e\uff54\uff41\uff4c health", "mental-health"),
    ("Stra\u00dfe", "strasse"),
    ("\u2603\u2603", "engagement"),
])
def test_a_slug_is_plain_lower_case_ascii(title, slug):
    assert services.normalise_slug(title) == slug


def test_a_long_title_gives_a_slug_that_fits(make):
    engagement = services.open_engagement(title="word " * 40, actor=make.lead())  # 200 characters, the most

    assert len(engagement.slug) <= 100
    assert not engagement.slug.endswith("-")


# Opening --------------------------------------------------------------------------------------------------------

def test_opening_an_engagement_records_who_opened_it(make):
    lead = make.lead()

    engagement = services.open_engagement(title="  Urgent care redesign ", actor=lead)
    db.session.commit()

    assert (engagement.title, engagement.current_step) == ("Urgent care redesign", Step.CHALLENGE)
    assert (engagement.lead_organisation_id, engagement.lead_user_id) == (lead.organisation_id, lead.id)
    assert [(c.from_step, c.to_step, c.actor_id) for c in engagement.step_changes] == [(None, Step.CHALLENGE, lead.id)]
    event = _last_event(engagement)
    assert (event.action, event.actor_id, event.data) == ("engagement.opened", lead.id,
                                                          {"title": "Urgent care redesign"})


def test_someone_with_no_organisation_cannot_open_an_engagement(make):
    with pytest.raises(services.EngagementError):
        services.open_engagement(title="Urgent care", actor=make.admin())


# Money ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "pence"), [
    ("\u00a31,500.50", 150050),
    ("1500", 150000),
    ("1500.5", 150050),
    ("  \u00a3 12.05 ", 1205),
    ("0", 0),
    ("0.01", 1),
    ("", None),
    (None, None),
])
def test_budgets_are_read_as_whole_pence(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize("text", ["-5", "1.234", "abc", "1,5,0.0.0", "\u00a3", "1e3", "12.", "100000000.01"])
def test_budgets_that_are_not_pounds_and_pence_are_refused(text):
    if text == "\u00a3":
        assert parse_pounds(text) is None  # only the pound sign: nothing was entered
        return
    with pytest.raises(ValueError, match=r"."):
        parse_pounds(text)


def test_a_budget_up_to_100_million_is_accepted():
    assert parse_pounds("100,000,000") == 100_000_000_00


def test_the_challenge_keeps_the_budget_as_pence_and_its_dates(engagement_at):
    load_defaults()
    engagement = engagement_at()
    area, theme = active_areas()[0], active_themes()[0]

    services.update_challenge(engagement, actor=engagement.lead_user, expected_version=engagement.version,
                              title="Urgent care", summary="Summary", challenge_statement="Statement",
                              why_now="Now", area=area, themes=[theme], start_date=date(2027, 3, 1),
                              end_date=date(2027, 6, 1), budget_pence=parse_pounds("\u00a31,500.50"))
    db.session.commit()
    db.session.expire_all()

    assert (engagement.budget_pence, engagement.budget_pounds) == (150050, "\u00a31,500.50")
    assert (engagement.area, engagement.themes) == (area, [theme])
    assert (engagement.start_date, engagement.end_date) == (date(2027, 3, 1), date(2027, 6, 1))


def test_the_end_date_cannot_come_before_the_start(engagement_at):
    engagement = engagement_at()

    with pytest.raises(services.EngagementError) as refused:
        services.update_challenge(engagement, actor=engagement.lead_user, expected_version=None, title="Urgent care",
                                  summary="", challenge_statement="", why_now="", area=None, themes=[],
                                  start_date=date(2027, 3, 2), end_date=date(2027, 3, 1), budget_pence=None)

    assert refused.value.field == "end_date"


def test_a_stale_version_is_refused_with_what_was_saved(engagement_at):
    engagement = engagement_at()
    saved_version = engagement.version

    with pytest.raises(services.StaleEdit) as stale:
        services.update_engagement(engagement, actor=engagement.lead_user, expected_version=saved_version - 1,
                                   summary="Typed over", why_now="Also typed")

    assert stale.value.current_version == saved_version
    assert stale.value.saved == {"summary": engagement.summary, "why_now": engagement.why_now}
    assert engagement.summary != "Typed over"


# Collaborators --------------------------------------------------------------------------------------------------

def test_the_lead_organisation_cannot_be_its_own_collaborator(engagement_at):
    engagement = engagement_at()

    with pytest.raises(services.EngagementError) as refused:
        services.add_collaborator(engagement, actor=engagement.lead_user, organisation=engagement.lead_organisation,
                                  role=CollaboratorRole.PUBLIC_SECTOR_PARTNER)

    assert (refused.value.field, refused.value.message) == (
        "organisation", "The lead organisation is already part of the engagement")
    assert engagement.collaborators == []


def test_an_organisation_collaborates_once(engagement_at, make):
    engagement = engagement_at()
    charity = make.organisation(kind=OrganisationKind.VCFSE, name="Common Ground")
    services.add_collaborator(engagement, actor=engagement.lead_user, organisation=charity,
                              role=CollaboratorRole.VCFSE_PARTNER)
    db.session.commit()

    with pytest.raises(services.EngagementError) as refused:
        services.add_collaborator(engagement, actor=engagement.lead_user, organisation=charity,
                                  role=CollaboratorRole.COMMUNITY_GROUP)

    assert refused.value.message == "Common Ground is already a collaborator"
    assert [(c.organisation_id, c.role) for c in engagement.collaborators] == [
        (charity.id, CollaboratorRole.VCFSE_PARTNER)]


def test_adding_and_removing_a_collaborator_is_audited(engagement_at, make):
    engagement = engagement_at()
    lead = engagement.lead_user
    charity = make.organisation(kind=OrganisationKind.VCFSE)

    collaborator = services.add_collaborator(engagement, actor=lead, organisation=charity,
                                             role=CollaboratorRole.HEALTHWATCH)
    db.session.commit()
    assert (_last_event(engagement).action, _last_event(engagement).data) == (
        "engagement.collaborator_added", {"organisation_id": charity.id, "role": "healthwatch"})

    services.remove_collaborator(engagement, collaborator, actor=lead)
    db.session.commit()
    assert (_last_event(engagement).action, _last_event(engagement).data) == (
        "engagement.collaborator_removed", {"organisation_id": charity.id})
    assert engagement.collaborators == []


# Time together --------------------------------------------------------------------------------------------------

def test_a_perspective_must_say_whose_it_is(engagement_at):
    engagement = engagement_at(Step.FRAME)

    with pytest.raises(services.EngagementError) as refused:
        services.add_perspective(engagement, actor=engagement.lead_user, text="People wait too long.",
                                 organisation=None, lens=None)

    assert (refused.value.field, refused.value.message) == (
        "organisation", "Say whose perspective this is: an organisation, a lens, or both")
    assert engagement.perspectives == []


@pytest.mark.parametrize("attribution", ["organisation", "lens", "both"])
def test_a_perspective_is_attributed_to_an_organisation_a_lens_or_both(engagement_at, attribution):
    engagement = engagement_at(Step.FRAME)
    partner = engagement.collaborators[0].organisation
    organisation = partner if attribution in ("organisation", "both") else None
    lens = Lens.CARERS if attribution in ("lens", "both") else None

    perspective = services.add_perspective(engagement, actor=engagement.lead_user, text="  Carers are not asked. ",
                                           organisation=organisation, lens=lens)
    db.session.commit()

    assert perspective.text == "Carers are not asked."
    assert perspective.attribution == {"organisation": partner.name, "lens": "People who love and care for them",
                                       "both": f"{partner.name}, People who love and care for them"}[attribution]


def test_contributions_are_credited_only_to_organisations_in_the_engagement(engagement_at, make):
    engagement = engagement_at(Step.FRAME)
    stranger = make.organisation(kind=OrganisationKind.VCFSE)

    with pytest.raises(services.EngagementError):
        services.add_perspective(engagement, actor=engagement.lead_user, text="x", organisation=stranger, lens=None)
    with pytest.raises(services.EngagementError):
        services.add_idea(engagement, actor=engagement.lead_user, text="x", proposed_by="y", organisation=stranger,
                          imagined_impact="")


def test_a_test_can_be_planned_for_an_idea_added_moments_before(engagement_at):
    engagement = engagement_at(Step.FRAME)
    lead = engagement.lead_user

    idea = services.add_idea(engagement, actor=lead, text="An evening clinic", proposed_by="Residents",
                             organisation=None, imagined_impact="Fewer A&E visits")
    test = services.add_planned_test(engagement, actor=lead, idea=idea, what="Two evenings", how="A pilot",
                                     success_measure="Fewer walk-ins")
    db.session.commit()

    assert test.idea_id == idea.id


def test_a_test_cannot_be_planned_for_another_engagements_idea(engagement_at):
    engagement = engagement_at(Step.FRAME, title="Urgent care")
    other = engagement_at(Step.TEST, title="Self-care")

    with pytest.raises(services.EngagementError) as refused:
        services.add_planned_test(engagement, actor=engagement.lead_user, idea=other.ideas[0], what="x", how="y",
                                  success_measure="z")

    assert refused.value.message == "Choose one of this engagement's ideas"


def test_every_change_to_an_engagement_is_audited(engagement_at, make):
    engagement = engagement_at()
    lead = engagement.lead_user
    charity = make.organisation(kind=OrganisationKind.VCFSE)
    before = len(_actions(engagement))
    made = {}
    changes = [  # each committed on its own, as each page does
        lambda: services.update_engagement(engagement, actor=lead, expected_version=None, summary="A new summary"),
        lambda: services.update_engagement(engagement, actor=lead, expected_version=None, summary="A new summary"),
        lambda: made.update(hook=services.add_hook(engagement, actor=lead, title="Locality plan",
                                                   url="https://example.org/plan")),
        lambda: services.remove_hook(engagement, made["hook"], actor=lead),
        lambda: services.choose_level(engagement, actor=lead, expected_version=None, answers={"decision_made": True},
                                      level=Level.INFORM, rationale="Decided"),
        lambda: services.add_collaborator(engagement, actor=lead, organisation=charity,
                                          role=CollaboratorRole.VCFSE_PARTNER),
        lambda: made.update(perspective=services.add_perspective(engagement, actor=lead, text="p", organisation=None,
                                                                 lens=Lens.WORKFORCE)),
        lambda: made.update(idea=services.add_idea(engagement, actor=lead, text="i", proposed_by="Staff",
                                                   organisation=charity, imagined_impact="")),
        lambda: made.update(test=services.add_planned_test(engagement, actor=lead, idea=made["idea"], what="w",
                                                           how="h", success_measure="s")),
        lambda: services.remove_contribution(engagement, made["test"], actor=lead),
        lambda: services.remove_contribution(engagement, made["idea"], actor=lead),
        lambda: services.remove_contribution(engagement, made["perspective"], actor=lead),
        lambda: services.post_update(engagement, actor=lead, body="We met carers."),
        lambda: services.set_held_back(engagement, actor=lead, held_back=True, reason="Sensitive until the board"),
        lambda: services.set_held_back(engagement, actor=lead, held_back=False),
    ]
    for change in changes:
        change()
        db.session.commit()

    assert _actions(engagement)[before:] == [
        "engagement.updated", "engagement.hook_added", "engagement.hook_removed",
        "engagement.updated", "engagement.level_chosen",  # choosing the level saves its fields, then says why
        "engagement.collaborator_added", "engagement.perspective_added", "engagement.idea_added",
        "engagement.test_planned", "engagement.plannedtest_removed", "engagement.idea_removed",
        "engagement.perspective_removed", "engagement.update_posted", "engagement.held_back", "engagement.released"]
    actors = set(db.session.scalars(select(AuditEvent.actor_id).where(
        AuditEvent.subject_type == "Engagement", AuditEvent.subject_id == engagement.id)))
    assert actors == {lead.id}


def test_an_update_records_which_fields_changed(engagement_at):
    engagement = engagement_at()

    changed = services.update_engagement(engagement, actor=engagement.lead_user, expected_version=None,
                                         summary="New summary", why_now=engagement.why_now)
    db.session.commit()

    assert changed == ["summary"]
    assert _last_event(engagement).data == {"fields": ["summary"]}


# Visibility -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["", "   "])
def test_holding_back_from_public_view_needs_a_reason(engagement_at, reason):
    engagement = engagement_at(Step.COLLABORATORS)

    with pytest.raises(services.EngagementError) as refused:
        services.set_held_back(engagement, actor=engagement.lead_user, held_back=True, reason=reason)

    assert refused.value.message == "Give the reason for holding the engagement back from public view"
    assert engagement.held_back is False


def test_holding_back_and_releasing_keep_the_reason_only_while_held_back(engagement_at):
    engagement = engagement_at(Step.COLLABORATORS)
    lead = engagement.lead_user

    services.set_held_back(engagement, actor=lead, held_back=True, reason=" Sensitive until the board meets ")
    db.session.commit()
    assert (engagement.held_back, engagement.held_back_reason) == (True, "Sensitive until the board meets")
    assert _last_event(engagement).data == {"reason": "Sensitive until the board meets"}

    services.set_held_back(engagement, actor=lead, held_back=False, reason="ignored")
    db.session.commit()
    assert (engagement.held_back, engagement.held_back_reason) == (False, "")


@pytest.mark.parametrize("url", ["javascript://example.com/%0Aalert(1)", "data:text/html,hi", "ftp://example.org/x",
                                 "https://user:pw@example.org", "https://localhost/x"])
def test_hooks_and_outputs_refuse_addresses_that_are_not_plain_web_addresses(engagement_at, url):
    from engage.engagements.models import OutputKind

    engagement = engagement_at()
    lead = engagement.lead_user
    with pytest.raises(services.EngagementError) as refused:
        services.add_hook(engagement, actor=lead, title="A plan", url=url)
    assert refused.value.field == "url"
    with pytest.raises(services.EngagementError):
        services.add_output(engagement, actor=lead, title="A report", kind=OutputKind.REPORT, description="d",
                            url=url)
