"""Themes and areas: the defaults a new installation starts with, and the administrators' pages that change them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from engage.accounts.models import Role, User
from engage.audit.models import AuditEvent
from engage.engagements import services as engagements
from engage.extensions import db
from engage.vocabularies import defaults
from engage.vocabularies.models import Area, Theme
from engage.vocabularies.services import VocabularyError, active_areas, active_themes, load_defaults, save_area
from tests.databases import dispose, fresh_database, migrated_app
from tests.factories import Factories, csrf_token, sign_in

MIGRATION = (Path(__file__).resolve().parents[2] / "migrations" / "versions"
             / "af008a27e4cb_engagements_vocabularies_and_steps.py")

# The ten building blocks of the borough's prevention strategy, in the strategy's order.
BUILDING_BLOCKS = [
    "Having good relationships in a good home",
    "Meaningful occupation and sufficient income",
    "Culture and social life",
    "Education and learning",
    "Neighbourhood and environment",
    "Protection from hazards",
    "Good start and early years",
    "An active life",
    "Improving our internal thinking",
    "Having services that meet needs",
]
TOWNSHIPS = ["Rochdale", "Heywood", "Middleton", "Pennines"]

@pytest.fixture
def admin(client, make: Factories) -> User:
    admin = make.admin()
    assert sign_in(client, admin).status_code == 302
    return admin


def submit(client, path: str, **fields: str):
    return client.post(path, data={**fields, "csrf_token": csrf_token(client, path)})


def parsed(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def error_summary(page: BeautifulSoup) -> list[tuple[str, str]]:
    summary = page.select_one(".govuk-error-summary")
    assert summary is not None, "no error summary on the page"
    assert summary.select_one(".govuk-error-summary__title").get_text(strip=True) == "There is a problem"
    return [(link["href"], link.get_text(strip=True)) for link in summary.select(".govuk-error-summary__list a")]


def theme_named(name: str) -> Theme | None:
    db.session.expire_all()
    return db.session.scalar(select(Theme).where(Theme.name == name))


def saved_theme(theme_id: int) -> Theme:
    """The theme as the database now has it: the pages save in sessions of their own."""
    db.session.expire_all()
    return db.session.get(Theme, theme_id)


def area_named(name: str) -> Area | None:
    db.session.expire_all()
    return db.session.scalar(select(Area).where(Area.name == name))


def events(action: str, actor: User) -> list[AuditEvent]:
    """What this person did: loading the defaults records events too, with no one as the actor."""
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                            AuditEvent.actor_id == actor.id).order_by(AuditEvent.id)))


# Defaults ----------------------------------------------------------------------------------------------

def test_the_default_themes_are_the_ten_building_blocks_in_order():
    load_defaults()

    themes = active_themes()

    assert [theme.name for theme in themes] == BUILDING_BLOCKS
    assert [theme.position for theme in themes] == list(range(1, 11))
    assert themes[0].slug == "having-good-relationships-in-a-good-home"


def test_the_default_areas_are_the_four_townships_with_their_neighbourhoods_beneath():
    load_defaults()

    areas = active_areas()

    assert [area.name for area in areas if area.parent is None] == TOWNSHIPS
    assert area_named("Kirkholt").parent.name == "Rochdale"
    assert area_named("Kirkholt").label == "Kirkholt (Rochdale)"
    for township, neighbourhoods in defaults.AREAS.items():
        assert neighbourhoods, f"{township} has no neighbourhoods"
        assert {area.name for area in areas if area.parent and area.parent.name == township} == set(neighbourhoods)
    # Each township is followed by its own neighbourhoods, as the area list offers them.
    expected_order = [name for township, beneath in defaults.AREAS.items() for name in (township, *beneath)]
    assert [area.name for area in areas] == expected_order


def test_loading_the_defaults_again_adds_nothing():
    first = load_defaults()
    db.session.commit()
    themes = [(t.id, t.name, t.position) for t in active_themes()]
    areas = [(a.id, a.name, a.parent_id) for a in active_areas()]

    second = load_defaults()
    db.session.commit()

    assert first == {"themes": 10, "areas": 4 + sum(len(n) for n in defaults.AREAS.values())}
    assert second == {"themes": 0, "areas": 0}
    assert [(t.id, t.name, t.position) for t in active_themes()] == themes
    assert [(a.id, a.name, a.parent_id) for a in active_areas()] == areas


def test_the_default_themes_are_the_ones_the_issue_names():
    assert defaults.THEMES == BUILDING_BLOCKS
    assert list(defaults.AREAS) == TOWNSHIPS
    assert "Kirkholt" in defaults.AREAS["Rochdale"]


def test_the_migration_inserts_the_same_defaults_as_the_code():
    spec = importlib.util.spec_from_file_location("vocabulary_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    assert migration.DEFAULT_THEMES == defaults.THEMES
    assert migration.DEFAULT_AREAS == defaults.AREAS


def test_a_freshly_migrated_database_has_the_defaults_exactly_as_load_defaults_makes_them(database_url, tmp_path):
    load_defaults()
    db.session.commit()
    expected = _vocabularies()

    with fresh_database(database_url, tmp_path) as url:
        fresh = migrated_app(url)
        try:
            with fresh.app_context():
                migrated = _vocabularies()
        finally:
            dispose(fresh)

    assert migrated == expected


def _vocabularies() -> dict[str, list[tuple]]:
    themes = db.session.scalars(select(Theme).order_by(Theme.position))
    areas = db.session.scalars(select(Area).order_by(Area.position))
    return {"themes": [(t.name, t.slug, t.position, t.is_active) for t in themes],
            "areas": [(a.name, a.slug, a.parent.name if a.parent else None, a.position, a.is_active) for a in areas]}


# Who may use the administration pages ---------------------------------------------------------------------

ADMIN_PAGES = ["/admin/themes", "/admin/themes/new", "/admin/themes/{theme}", "/admin/areas", "/admin/areas/new",
               "/admin/areas/{area}"]


def _page(template: str) -> str:
    return template.format(theme=theme_named("An active life").id, area=area_named("Kirkholt").id)


@pytest.mark.parametrize("template", ADMIN_PAGES)
def test_a_signed_out_visitor_is_sent_to_sign_in(client, template):
    load_defaults()
    db.session.commit()
    path = _page(template)

    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next={path}"


@pytest.mark.parametrize("role", [Role.LEAD, Role.PARTNER])
@pytest.mark.parametrize("template", ADMIN_PAGES)
def test_leads_and_partners_are_refused(client, make, role, template):
    load_defaults()
    db.session.commit()
    sign_in(client, make.user(role=role))

    response = client.get(_page(template))

    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.LEAD, Role.PARTNER])
def test_a_lead_or_partner_cannot_change_a_theme_by_posting(client, make, role):
    load_defaults()
    db.session.commit()
    sign_in(client, make.user(role=role))
    theme = theme_named("An active life")
    token = csrf_token(client, "/account/")

    response = client.post(f"/admin/themes/{theme.id}", data={"name": "Renamed", "csrf_token": token})

    assert response.status_code == 403
    assert theme_named("An active life") is not None
    assert theme_named("Renamed") is None


@pytest.mark.parametrize("template", ADMIN_PAGES)
def test_an_administrator_may_open_every_vocabulary_page(client, admin, template):
    load_defaults()
    db.session.commit()

    assert client.get(_page(template)).status_code == 200


def test_the_theme_list_shows_every_theme_and_whether_it_is_offered(client, admin):
    load_defaults()
    theme_named("Protection from hazards").is_active = False
    db.session.commit()

    rows = [[cell.get_text(strip=True) for cell in row.select("td")]
            for row in parsed(client.get("/admin/themes")).select("tbody tr")]

    assert [row[0] for row in rows] == BUILDING_BLOCKS
    assert ["Protection from hazards", "No"] in rows
    assert ["An active life", "Yes"] in rows


# Themes ------------------------------------------------------------------------------------------------

def test_an_administrator_adds_a_theme_at_the_end(client, admin):
    load_defaults()
    db.session.commit()

    response = submit(client, "/admin/themes/new", name="  Digital inclusion ", is_active="y")

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/themes"
    theme = theme_named("Digital inclusion")
    assert (theme.slug, theme.position, theme.is_active) == ("digital-inclusion", 11, True)
    assert [t.name for t in active_themes()][-1] == "Digital inclusion"
    [event] = events("theme.created", admin)
    assert (event.actor_id, event.subject_type, event.subject_id) == (admin.id, "Theme", theme.id)
    assert event.data == {"name": "Digital inclusion"}
    assert "The theme has been saved." in client.get("/admin/themes").get_data(as_text=True)


def test_an_administrator_renames_a_theme_and_the_change_is_audited(client, admin):
    load_defaults()
    db.session.commit()
    theme = theme_named("Good start and early years")

    response = submit(client, f"/admin/themes/{theme.id}", name="Good start / early years", is_active="y")

    assert response.status_code == 302
    renamed = saved_theme(theme.id)
    assert (renamed.name, renamed.slug, renamed.position) == ("Good start / early years", "good-start-early-years", 7)
    [event] = events("theme.updated", admin)
    assert (event.actor_id, event.subject_id) == (admin.id, theme.id)
    assert event.data == {"name": {"from": "Good start and early years", "to": "Good start / early years"},
                          "active": {"from": True, "to": True}}


def test_the_edit_page_starts_with_the_saved_name(client, admin):
    load_defaults()
    db.session.commit()
    theme = theme_named("An active life")

    page = parsed(client.get(f"/admin/themes/{theme.id}"))

    assert page.select_one("#name")["value"] == "An active life"
    assert page.select_one("#is_active").has_attr("checked")


@pytest.mark.parametrize("typed", ["An active life", "  an ACTIVE life  "])
def test_a_duplicate_theme_name_is_refused_and_the_typed_value_kept(client, admin, typed):
    load_defaults()
    db.session.commit()

    response = submit(client, "/admin/themes/new", name=typed, is_active="y")

    assert response.status_code == 200
    page = parsed(response)
    assert error_summary(page) == [("#name", "A theme with this name already exists")]
    assert page.select_one("#name")["value"] == typed
    assert len(active_themes()) == 10
    assert events("theme.created", admin) == []


def test_renaming_a_theme_to_another_themes_name_is_refused(client, admin):
    load_defaults()
    db.session.commit()
    theme = theme_named("An active life")

    response = submit(client, f"/admin/themes/{theme.id}", name="Culture and social life", is_active="y")

    assert response.status_code == 200
    assert error_summary(parsed(response)) == [("#name", "A theme with this name already exists")]
    assert theme_named("An active life").id == theme.id


def test_a_name_that_differs_only_in_punctuation_is_refused_as_a_duplicate(client, admin):
    load_defaults()
    db.session.commit()

    response = submit(client, "/admin/themes/new", name="An active life!", is_active="y")

    assert response.status_code == 200
    assert error_summary(parsed(response)) == [("#name", "A theme with this name already exists")]
    assert theme_named("An active life!") is None


def test_renaming_a_theme_to_its_own_name_in_other_letters_is_allowed(client, admin):
    load_defaults()
    db.session.commit()
    theme = theme_named("An active life")

    response = submit(client, f"/admin/themes/{theme.id}", name="An Active Life", is_active="y")

    assert response.status_code == 302
    assert saved_theme(theme.id).name == "An Active Life"


def test_an_empty_theme_name_is_refused(client, admin):
    response = submit(client, "/admin/themes/new", name="   ", is_active="y")

    assert response.status_code == 200
    assert error_summary(parsed(response)) == [("#name", "Enter the theme's name")]


def test_an_unknown_theme_or_area_is_not_found(client, admin):
    assert client.get("/admin/themes/999999").status_code == 404
    assert client.get("/admin/areas/999999").status_code == 404


def _challenge_page_theme_names(client, engagement) -> list[str]:
    page = parsed(client.get(f"/workspace/{engagement.slug}/challenge"))
    return [page.select_one(f"label[for={box['id']}]").get_text(strip=True)
            for box in page.select("input[name=themes]")]


def test_a_deactivated_theme_is_no_longer_offered_on_the_challenge_form(app, client, make, admin):
    load_defaults()
    db.session.commit()
    theme = theme_named("Protection from hazards")

    response = submit(client, f"/admin/themes/{theme.id}", name="Protection from hazards")  # box left unticked

    assert response.status_code == 302
    assert saved_theme(theme.id).is_active is False
    assert "Protection from hazards" not in [t.name for t in active_themes()]
    lead = make.lead()
    engagement = engagements.open_engagement(title="Urgent care redesign", actor=lead)
    db.session.commit()
    lead_client = app.test_client()
    sign_in(lead_client, lead)
    offered = _challenge_page_theme_names(lead_client, engagement)
    assert offered == [name for name in BUILDING_BLOCKS if name != "Protection from hazards"]
    [event] = events("theme.updated", admin)
    assert event.data["active"] == {"from": True, "to": False}


def test_an_engagement_keeps_a_theme_that_is_no_longer_offered_when_its_challenge_is_saved(app, make):
    load_defaults()
    lead = make.lead()
    engagement = engagements.open_engagement(title="Urgent care redesign", actor=lead)
    kept, dropped_from_offer = theme_named("An active life"), theme_named("Protection from hazards")
    area = area_named("Kirkholt")
    engagement.themes = [kept, dropped_from_offer]
    engagement.area = area
    dropped_from_offer.is_active = False
    area.is_active = False
    db.session.commit()
    slug, engagement_id = engagement.slug, engagement.id

    client = app.test_client()
    sign_in(client, lead)
    path = f"/workspace/{slug}/challenge"
    page = parsed(client.get(path))
    # Submit the form as the browser shows it: every ticked box and the selected area.
    fields = {"title": "Urgent care redesign", "summary": "Shaping urgent care.", "budget": "",
              "challenge_statement": "How should urgent care work?", "why_now": "The programme starts.",
              "version": page.select_one("input[name=version]")["value"],
              "themes": [box["value"] for box in page.select("input[name=themes][checked]")],
              "area": page.select_one("select[name=area] option[selected]")["value"],
              "csrf_token": csrf_token(client, path)}
    response = client.post(path, data=fields)

    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(type(engagement), engagement_id)
    assert {t.name for t in saved.themes} == {"An active life", "Protection from hazards"}
    assert saved.area.name == "Kirkholt"


# Areas -------------------------------------------------------------------------------------------------

def test_an_administrator_adds_a_neighbourhood_beneath_a_township(client, admin):
    load_defaults()
    db.session.commit()
    heywood = area_named("Heywood")

    response = submit(client, "/admin/areas/new", name="West Heywood", parent=str(heywood.id), is_active="y")

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/areas"
    area = area_named("West Heywood")
    assert (area.parent_id, area.slug, area.is_active) == (heywood.id, "west-heywood", True)
    [event] = events("area.created", admin)
    assert (event.actor_id, event.subject_type, event.subject_id, event.data) == (
        admin.id, "Area", area.id, {"name": "West Heywood"})


def test_an_administrator_adds_a_township(client, admin):
    response = submit(client, "/admin/areas/new", name="Castleton", parent="", is_active="y")

    assert response.status_code == 302
    assert area_named("Castleton").parent is None


def test_the_parent_choices_are_only_townships(client, admin):
    load_defaults()
    db.session.commit()

    options = [option.get_text(strip=True) for option in parsed(client.get("/admin/areas/new")).select(
        "select[name=parent] option")]

    assert options == ["None: this is a township", "Heywood", "Middleton", "Pennines", "Rochdale"]


def test_a_neighbourhood_cannot_be_chosen_as_a_parent(client, admin):
    load_defaults()
    db.session.commit()
    kirkholt = area_named("Kirkholt")

    response = submit(client, "/admin/areas/new", name="Kirkholt Estate", parent=str(kirkholt.id), is_active="y")

    assert response.status_code == 200
    [(target, _message)] = error_summary(parsed(response))
    assert target == "#parent"
    assert parsed(response).select_one("#name")["value"] == "Kirkholt Estate"
    assert area_named("Kirkholt Estate") is None


def test_the_service_refuses_a_neighbourhood_as_a_parent():
    load_defaults()

    with pytest.raises(VocabularyError) as refused:
        save_area(None, name="Kirkholt Estate", parent=area_named("Kirkholt"))

    assert (refused.value.field, refused.value.message) == ("parent", "Choose a township as the parent, or none")


def test_an_area_cannot_be_its_own_parent():
    load_defaults()
    middleton = area_named("Middleton")
    db.session.query(Area).filter(Area.parent_id == middleton.id).delete()

    with pytest.raises(VocabularyError) as refused:
        save_area(middleton, name="Middleton", parent=middleton)

    assert refused.value.message == "Choose a township as the parent, or none"


def test_a_township_with_neighbourhoods_cannot_be_put_beneath_another_township(client, admin):
    load_defaults()
    db.session.commit()
    rochdale, heywood = area_named("Rochdale"), area_named("Heywood")

    response = submit(client, f"/admin/areas/{rochdale.id}", name="Rochdale", parent=str(heywood.id),
                      is_active="y")

    assert response.status_code == 200
    assert error_summary(parsed(response)) == [
        ("#parent", "Rochdale has neighbourhoods beneath it, so it must stay a township")]
    assert area_named("Rochdale").parent_id is None
    assert area_named("Kirkholt").parent.parent is None


def test_a_township_without_neighbourhoods_can_become_a_neighbourhood(client, admin):
    submit(client, "/admin/areas/new", name="Castleton", parent="", is_active="y")
    submit(client, "/admin/areas/new", name="Rochdale", parent="", is_active="y")
    castleton, rochdale = area_named("Castleton"), area_named("Rochdale")

    response = submit(client, f"/admin/areas/{castleton.id}", name="Castleton", parent=str(rochdale.id),
                      is_active="y")

    assert response.status_code == 302
    assert area_named("Castleton").parent.name == "Rochdale"
    [event] = events("area.updated", admin)
    assert event.actor_id == admin.id


def test_a_duplicate_area_name_is_refused_and_the_typed_value_kept(client, admin):
    load_defaults()
    db.session.commit()

    response = submit(client, "/admin/areas/new", name="kirkholt", parent=str(area_named("Rochdale").id),
                      is_active="y")

    assert response.status_code == 200
    page = parsed(response)
    assert error_summary(page) == [("#name", "An area with this name already exists")]
    assert page.select_one("#name")["value"] == "kirkholt"


def test_a_deactivated_area_is_no_longer_offered(client, admin):
    load_defaults()
    db.session.commit()
    hollin = area_named("Hollin")

    response = submit(client, f"/admin/areas/{hollin.id}", name="Hollin", parent=str(hollin.parent_id))

    assert response.status_code == 302
    assert "Hollin" not in [a.name for a in active_areas()]
    [event] = events("area.updated", admin)
    assert event.data["active"] == {"from": True, "to": False}


def test_an_administrator_adds_a_community_and_it_is_offered_when_logging_activity(client, make):
    from engage.activity.services import active_communities
    from engage.vocabularies.models import Community, CommunityGroup

    admin = make.admin()
    sign_in(client, admin)
    path = "/admin/communities/new"
    response = client.post(path, data={"name": "Deaf community network", "group": "network", "is_active": "y",
                                       "csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    db.session.expire_all()
    community = db.session.scalar(select(Community).where(Community.name == "Deaf community network"))
    assert community.group is CommunityGroup.NETWORK and community in active_communities()
    duplicate = client.post(path, data={"name": "deaf community network", "group": "network",
                                        "csrf_token": csrf_token(client, path)})
    assert "A community with this name already exists" in duplicate.get_data(as_text=True)
    assert [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "community.created"))] == ["community.created"]


@pytest.mark.parametrize("path", ["/admin/communities", "/admin/communities/new"])
def test_only_administrators_manage_communities(client, make, path):
    sign_in(client, make.lead())
    assert client.get(path).status_code == 403
