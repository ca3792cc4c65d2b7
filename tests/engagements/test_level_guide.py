"""The level and budget guide: which level the answers recommend and why, the lead's choice, and warnings."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from engage.audit.models import AuditEvent
from engage.engagements import level_guide, services
from engage.engagements.level_guide import LevelGuide, recommend, warnings_for
from engage.engagements.models import Level
from engage.extensions import db
from tests.engagements.conftest import describe_challenge, post
from tests.factories import sign_in

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

KEYS = [q.key for q in level_guide.QUESTIONS]


def _answers(**yes: bool) -> dict[str, bool]:
    """Answers where the guide would recommend co-design, changed by `yes`."""
    answers = {"decision_made": False, "input_can_change": True, "specific_community": False,
               "partner_budget": True, "enough_time": True, "lived_experience_ready": False}
    answers.update(yes)
    return answers


def _expected(answers: dict[str, bool]) -> Level:
    """The table in the brief, written out independently of the implementation."""
    if answers["decision_made"] or not answers["input_can_change"]:
        return Level.INFORM
    if not answers["partner_budget"]:
        return Level.CONSULT
    if not answers["enough_time"]:
        return Level.ENGAGE
    if answers["specific_community"] and answers["lived_experience_ready"]:
        return Level.CO_PRODUCE
    return Level.CO_DESIGN


def test_the_guide_asks_six_yes_or_no_questions():
    assert KEYS == ["decision_made", "input_can_change", "specific_community", "partner_budget", "enough_time",
                    "lived_experience_ready"]
    assert all(q.text.endswith("?") and q.hint for q in level_guide.QUESTIONS)


@pytest.mark.parametrize(("answers", "level"), [
    pytest.param(_answers(decision_made=True), Level.INFORM, id="decision-made"),
    pytest.param(_answers(decision_made=True, specific_community=True, lived_experience_ready=True), Level.INFORM,
                 id="decision-made-beats-everything"),
    pytest.param(_answers(input_can_change=False), Level.INFORM, id="input-cannot-change"),
    pytest.param(_answers(partner_budget=False), Level.CONSULT, id="no-partner-budget"),
    pytest.param(_answers(partner_budget=False, enough_time=False), Level.CONSULT, id="no-budget-nor-time"),
    pytest.param(_answers(enough_time=False), Level.ENGAGE, id="not-enough-time"),
    pytest.param(_answers(enough_time=False, specific_community=True, lived_experience_ready=True), Level.ENGAGE,
                 id="not-enough-time-for-co-production"),
    pytest.param(_answers(specific_community=True, lived_experience_ready=True), Level.CO_PRODUCE, id="co-produce"),
    pytest.param(_answers(), Level.CO_DESIGN, id="time-and-budget"),
    pytest.param(_answers(specific_community=True), Level.CO_DESIGN, id="community-but-no-lived-experience-ready"),
    pytest.param(_answers(lived_experience_ready=True), Level.CO_DESIGN, id="lived-experience-but-no-community"),
])
def test_the_guide_recommends_a_level_and_explains_why(answers, level):
    recommendation = recommend(answers)

    assert recommendation.level is level
    assert len(recommendation.explanation.strip()) > 40


def test_every_combination_of_answers_follows_the_table():
    # One test over all 64 combinations: a table of pure answers needs no database per case.
    wrong = {}
    for combination in itertools.product([True, False], repeat=len(KEYS)):
        answers = dict(zip(KEYS, combination, strict=True))
        recommendation = recommend(answers)
        if recommendation.level is not _expected(answers) or not recommendation.explanation.strip():
            wrong[combination] = recommendation

    assert wrong == {}


def test_each_level_has_its_own_explanation():
    explanations = {recommend(a).explanation for a in [
        _answers(decision_made=True), _answers(partner_budget=False), _answers(enough_time=False),
        _answers(specific_community=True, lived_experience_ready=True), _answers()]}

    assert len(explanations) == 5


def test_choosing_the_level_keeps_the_answers_the_recommendation_and_the_choice(engagement_at):
    engagement = engagement_at()
    answers = _answers(specific_community=True, lived_experience_ready=True)

    recommendation = services.choose_level(engagement, actor=engagement.lead_user, expected_version=engagement.version,
                                           answers=answers, level=Level.CO_PRODUCE,
                                           rationale="  Carers are ready and there is a year.  ")
    db.session.commit()
    db.session.expire_all()

    assert recommendation.level is Level.CO_PRODUCE
    assert engagement.guide_answers == answers
    assert engagement.recommended_level is Level.CO_PRODUCE
    assert engagement.level is Level.CO_PRODUCE
    assert engagement.level_rationale == "Carers are ready and there is a year."
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "engagement.level_chosen"))
    assert event.data == {"level": "co-produce", "recommended": "co-produce"}


def test_a_different_level_from_the_recommendation_is_kept_with_its_reason(engagement_at):
    engagement = engagement_at()

    services.choose_level(engagement, actor=engagement.lead_user, expected_version=None,
                          answers=_answers(partner_budget=False), level=Level.ENGAGE,
                          rationale="A partner will fund its own outreach.")
    db.session.commit()
    db.session.expire_all()

    assert (engagement.recommended_level, engagement.level) == (Level.CONSULT, Level.ENGAGE)
    assert engagement.level_rationale == "A partner will fund its own outreach."


@pytest.mark.parametrize("rationale", ["", "   "])
def test_a_different_level_without_a_reason_is_refused(engagement_at, rationale):
    engagement = engagement_at()
    level_before, answers_before = engagement.level, dict(engagement.guide_answers)

    with pytest.raises(services.EngagementError) as refused:
        services.choose_level(engagement, actor=engagement.lead_user, expected_version=None,
                              answers=_answers(decision_made=True), level=Level.CO_PRODUCE, rationale=rationale)

    assert refused.value.field == "rationale"
    assert refused.value.message == "Explain why you chose a different level from the one the guide recommends"
    assert (engagement.level, engagement.guide_answers) == (level_before, answers_before)


def test_the_recommended_level_still_needs_a_rationale(engagement_at):
    engagement = engagement_at()

    with pytest.raises(services.EngagementError) as refused:
        services.choose_level(engagement, actor=engagement.lead_user, expected_version=None,
                              answers=_answers(), level=Level.CO_DESIGN, rationale="")

    assert refused.value.message == "Give the rationale for this level of engagement"


def test_the_level_page_explains_a_refusal_with_the_recommendation(engagement_at, client):
    engagement = engagement_at()
    sign_in(client, engagement.lead_user)
    path = f"/workspace/{engagement.slug}/level"

    response = post(client, path, {**{k: "yes" if v else "no" for k, v in _answers(decision_made=True).items()},
                                   "level": "co-produce", "rationale": "", "version": engagement.version})

    assert response.status_code == 200
    assert ("The guide recommends Inform. Explain why you chose a different level from the one the guide "
            "recommends") in response.get_data(as_text=True)


# Time and budget --------------------------------------------------------------------------------------

START = date(2027, 3, 1)


@pytest.mark.parametrize("level", list(Level))
def test_dates_and_budget_that_meet_the_guide_give_no_warning(level):
    guide = level_guide.guide_for(level)

    assert warnings_for(level, START, START + timedelta(weeks=guide.min_weeks), guide.min_budget_pence) == []


def test_dates_shorter_than_the_level_needs_are_warned_about():
    assert warnings_for(Level.CO_PRODUCE, START, START + timedelta(days=12 * 7 - 1), 500_000) == [
        "Co-produce usually needs at least 12 weeks; the dates allow 11 weeks."]
    assert warnings_for(Level.CONSULT, START, START + timedelta(days=8), 500_000) == [
        "Consult usually needs at least 6 weeks; the dates allow 1 week."]


def test_a_budget_below_the_level_needs_is_warned_about():
    assert warnings_for(Level.CO_DESIGN, None, None, 149_999) == [
        "Co-design usually needs a budget of at least £1,500; the planned budget is £1,499.99."]
    assert warnings_for(Level.ENGAGE, None, None, None) == [
        "Engage usually needs a budget of at least £1,000; the planned budget is £0.00."]


def test_short_dates_and_a_small_budget_both_warn():
    assert len(warnings_for(Level.CO_PRODUCE, START, START + timedelta(weeks=4), 10_000)) == 2


def test_no_level_or_no_dates_give_no_date_warning():
    assert warnings_for(None, START, START + timedelta(days=1), 0) == []
    assert warnings_for(Level.INFORM, None, None, None) == []


def test_the_guide_can_be_configured(app, monkeypatch):
    monkeypatch.setitem(app.config, "LEVEL_GUIDE", {
        "co-produce": LevelGuide(min_weeks=26, min_budget_pence=1_000_000, note="Six months and £10,000."),
    })

    assert level_guide.guide_for(Level.CO_PRODUCE).min_weeks == 26
    assert level_guide.guide_for(Level.CONSULT) == level_guide.DEFAULT_GUIDE[Level.CONSULT]
    assert warnings_for(Level.CO_PRODUCE, START, START + timedelta(weeks=12), 150_000) == [
        "Co-produce usually needs at least 26 weeks; the dates allow 12 weeks.",
        "Co-produce usually needs a budget of at least £10,000; the planned budget is £1,500.00."]


def test_the_level_page_shows_the_warnings_for_the_chosen_level(engagement_at, client):
    engagement = engagement_at()
    describe_challenge(engagement, engagement.lead_user)
    services.update_engagement(engagement, actor=engagement.lead_user, expected_version=None,
                               start_date=START, end_date=START + timedelta(weeks=3), budget_pence=20_000)
    db.session.commit()
    sign_in(client, engagement.lead_user)

    page = client.get(f"/workspace/{engagement.slug}/level").get_data(as_text=True)

    assert "Co-design usually needs at least 10 weeks; the dates allow 3 weeks." in page
    assert "Co-design usually needs a budget of at least £1,500; the planned budget is £200.00." in page


def test_the_level_page_keeps_and_shows_the_answers_the_recommendation_and_the_choice(engagement_at, client):
    engagement = engagement_at()
    sign_in(client, engagement.lead_user)
    path = f"/workspace/{engagement.slug}/level"
    answers = _answers(partner_budget=False)

    response = post(client, path, {**{k: "yes" if v else "no" for k, v in answers.items()}, "level": "engage",
                                   "rationale": "A partner will fund its own outreach.",
                                   "version": engagement.version})
    assert response.status_code == 302

    page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    assert "The guide recommends: Consult" in page.select_one("#recommendation").get_text()
    assert "Chosen level: Engage. This differs from the recommendation (Consult)." in " ".join(page.get_text().split())
    checked = {i["name"]: i["value"] for i in page.select("input[type=radio][checked]")}
    assert checked == {**{k: "yes" if v else "no" for k, v in answers.items()}, "level": "engage"}
    assert page.select_one("textarea[name=rationale]").get_text().strip() == "A partner will fund its own outreach."


def test_the_guide_can_be_configured_as_plain_json_values(app, monkeypatch):
    monkeypatch.setitem(app.config, "LEVEL_GUIDE", {"consult": {"min_weeks": 8}})

    guide = level_guide.guide_for(Level.CONSULT)

    assert guide.min_weeks == 8
    assert guide.min_budget_pence == level_guide.DEFAULT_GUIDE[Level.CONSULT].min_budget_pence


def test_the_time_question_names_the_configured_minimum_for_co_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "LEVEL_GUIDE", {"co-produce": {"min_weeks": 16}})

    asked = {q.key: q.text for q in level_guide.questions()}

    assert asked["enough_time"] == "Is there time for at least 16 weeks of engagement?"


# Advice before the choice ----------------------------------------------------------------------------

def test_the_advice_waits_for_every_answer():
    values = {k: "yes" if v else "no" for k, v in _answers().items()}
    del values["enough_time"]

    advice = level_guide.advice_for(values, None, START, START + timedelta(weeks=3), 20_000)

    assert (advice.still_to_answer, advice.recommendation, advice.warnings) == (1, None, [])


def test_the_advice_gives_the_reasons_and_warns_for_the_recommended_and_the_chosen_level():
    values = {k: "yes" if v else "no" for k, v in _answers().items()}

    advice = level_guide.advice_for(values, "co-produce", START, START + timedelta(weeks=11), 500_000)

    assert advice.recommendation.level is Level.CO_DESIGN
    assert "People with lived experience are not yet ready or able to take part." in advice.recommendation.reasons
    assert advice.warnings == []
    assert advice.chosen_differs
    assert advice.chosen_warnings == ["Co-produce usually needs at least 12 weeks; the dates allow 11 weeks."]


def test_each_level_says_what_it_usually_needs():
    assert level_guide.needs(Level.CO_DESIGN) == "Usually needs at least 10 weeks and a budget of at least £1,500."
    assert level_guide.needs(Level.INFORM) == "Usually needs at least 2 weeks and no set budget."
