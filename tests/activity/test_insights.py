"""Insights gathered in an activity: anonymous by design, with a lens, themes, an attributed organisation and
an optional system-blocker flag."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import select

from engage.activity.models import Activity, Insight
from engage.audit.models import AuditEvent
from engage.engagements.models import Lens
from engage.extensions import db
from engage.vocabularies.services import active_themes
from tests.activity.conftest import Scene, log, post


def _insights(activity: Activity) -> list[Insight]:
    db.session.expire_all()
    return list(db.session.scalars(select(Insight).where(Insight.activity_id == activity.id).order_by(Insight.id)))


def test_the_form_says_insights_carry_no_names_and_what_a_system_blocker_is(app, scene: Scene):
    activity = log(scene.engagement, scene.partner)
    client = scene.client_for(app, scene.partner)

    page = BeautifulSoup(client.get(f"{scene.base}/activity/{activity.id}/insights").get_data(as_text=True),
                         "html.parser")

    assert page.find(id="text-hint").get_text(strip=True) == (
        "Do not include anyone\u2019s name: insights are anonymous by design.")
    assert page.find(id="system_blocker-hint").get_text(strip=True) == "Something in the system that got in the way"
    assert [r["value"] for r in page.select("input[name=lens]")] == [lens.value for lens in Lens]
    assert len(page.select("input[name=themes]")) == len(active_themes())
    organisations = [o.get_text() for o in page.select("#organisation option")]
    assert organisations == ["Not one organisation", scene.lead.organisation.name, "Common Ground"]
    # The organisation that logged the activity is credited unless the partner says otherwise.
    assert page.select_one("#organisation option[selected]").get_text() == "Common Ground"


def test_an_insight_is_saved_with_its_lens_themes_organisation_and_blocker_flag(app, scene: Scene):
    activity = log(scene.engagement, scene.partner)
    themes = active_themes()[:2]
    client = scene.client_for(app, scene.partner)
    path = f"{scene.base}/activity/{activity.id}/insights"

    response = post(client, path, {"text": "The bus stops running at six, so evening clinics are out of reach.",
                                   "lens": "lived_experience", "themes": [str(t.id) for t in themes],
                                   "organisation": str(scene.lead.organisation_id), "system_blocker": "y"})
    post(client, path, {"text": "Carers want a say in timings.", "lens": "carers", "organisation": ""})

    assert response.status_code == 302
    assert response.headers["Location"] == f"{scene.base}/activity/{activity.id}#insights"
    first, second = _insights(activity)
    assert (first.text, first.lens, first.organisation_id, first.system_blocker, first.engagement_id) == (
        "The bus stops running at six, so evening clinics are out of reach.", Lens.LIVED_EXPERIENCE,
        scene.lead.organisation_id, True, scene.engagement.id)
    assert {t.id for t in first.themes} == {t.id for t in themes}
    assert (second.lens, second.organisation_id, second.system_blocker, second.themes) == (
        Lens.CARERS, None, False, [])
    page = BeautifulSoup(client.get(f"{scene.base}/activity/{activity.id}").get_data(as_text=True), "html.parser")
    shown = page.find(id="insights").find_next("div", class_="engage-item").get_text(" ", strip=True)
    assert "evening clinics are out of reach" in shown and "System blocker" in shown
    assert "People with lived experience" in shown and themes[0].name in shown
    db.session.expire_all()
    assert db.session.query(AuditEvent).filter_by(action="activity.insight_added").count() == 2


def test_an_insight_needs_text_and_a_lens_and_keeps_what_was_typed(app, scene: Scene):
    activity = log(scene.engagement, scene.partner)
    client = scene.client_for(app, scene.partner)
    path = f"{scene.base}/activity/{activity.id}/insights"

    empty = BeautifulSoup(post(client, path, {"text": "", "organisation": ""}).get_data(as_text=True),
                          "html.parser")
    long = BeautifulSoup(post(client, path, {"text": "z" * 2001, "lens": "workforce", "organisation": ""})
                         .get_data(as_text=True), "html.parser")
    odd = BeautifulSoup(post(client, path, {"text": "Fine", "lens": "astrology", "organisation": ""})
                        .get_data(as_text=True), "html.parser")

    assert [a.get_text(strip=True) for a in empty.select(".govuk-error-summary a")] == [
        "Write the insight", "Choose whose point of view the insight comes from"]
    assert [a.get_text(strip=True) for a in long.select(".govuk-error-summary a")] == [
        "The insight must be 2,000 characters or fewer"]
    assert long.find(id="text").get_text() == "z" * 2001
    assert long.select_one("input[name=lens][checked]")["value"] == "workforce"
    assert [a.get_text(strip=True) for a in odd.select(".govuk-error-summary a")] == [
        "Choose whose point of view the insight comes from"]
    assert _insights(activity) == []


def test_the_person_who_logged_it_removes_an_insight_within_the_window(app, scene: Scene):
    from engage.activity import services

    activity = log(scene.engagement, scene.partner)
    insight = services.add_insight(activity, actor=scene.partner, text="Remove me", lens=Lens.WORKFORCE, themes=[],
                                   organisation=None, system_blocker=False)
    db.session.commit()
    insight_id = insight.id
    client = scene.client_for(app, scene.partner)
    show = f"{scene.base}/activity/{activity.id}"
    page = BeautifulSoup(client.get(show).get_data(as_text=True), "html.parser")
    form = page.select_one("#insights ~ .engage-item form")
    assert form.button.get_text(" ", strip=True) == "Remove this insight"

    response = post(client, form["action"], token_from=show)

    assert response.status_code == 302
    assert _insights(activity) == []
    assert db.session.get(Insight, insight_id) is None
