"""The level and budget guide (BRIEF §3): a few yes/no questions recommend a level of engagement,
and a configurable table gives the realistic time and budget each level needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask import current_app

from engage.engagements.models import Level
from engage.forms.money import format_pounds, whole_pounds


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    hint: str


QUESTIONS = [
    Question("decision_made", "Has the decision already been made?",
             "For example, a service change that has been agreed and now needs explaining."),
    Question("input_can_change", "Can people's input change what happens?",
             "Is there still something real for people to shape or decide?"),
    Question("specific_community", "Is it a service that a specific community uses?",
             "For example, people who use urgent care, or carers of people with dementia."),
    Question("partner_budget", "Is there budget for partners?",
             "Money for the VCFSE partner's time, venues, travel, childcare and thanks for participants."),
    Question("enough_time", "Is there time for at least {weeks} weeks of engagement?",
             "Co-design and co-production need time to build relationships and trust."),
    Question("lived_experience_ready", "Are people with lived experience ready and able to take part?",
             "For example, through a network or group the VCFSE partner already supports."),
]


def questions() -> list[Question]:
    """The questions as asked: the time question names the configured minimum for co-production."""
    weeks = guide_for(Level.CO_PRODUCE).min_weeks
    return [Question(q.key, q.text.format(weeks=weeks), q.hint) for q in QUESTIONS]


@dataclass(frozen=True)
class LevelGuide:
    min_weeks: int
    min_budget_pence: int
    note: str


# Realistic minimums for each level; an installation may override them with LEVEL_GUIDE in its config.
DEFAULT_GUIDE: dict[Level, LevelGuide] = {
    Level.INFORM: LevelGuide(2, 0, "Clear, accessible information through channels people already use."),
    Level.CONSULT: LevelGuide(6, 50_000, "At least six weeks for people to respond, and feedback on what changed."),
    Level.ENGAGE: LevelGuide(8, 100_000, "Conversations with communities, usually through VCFSE partners."),
    Level.CO_DESIGN: LevelGuide(10, 150_000, "Time together to design with people, with a VCFSE resource line."),
    Level.CO_PRODUCE: LevelGuide(12, 150_000,
                                 "At least 12 weeks and a VCFSE resource line: people share power and delivery."),
}


@dataclass(frozen=True)
class Recommendation:
    level: Level
    explanation: str
    # The answers that decided the level, in plain words, so the lead can see which answer to revisit.
    reasons: tuple[str, ...] = ()


# What each answer means for the level, said as a statement (yes, no).
_STATEMENTS: dict[str, tuple[str, str]] = {
    "decision_made": ("The decision has already been made.", "The decision has not been made yet."),
    "input_can_change": ("People's input can change what happens.", "People's input cannot change what happens."),
    "specific_community": ("A specific community uses the service.",
                           "It is not a service that a specific community uses."),
    "partner_budget": ("There is budget for partners.", "There is no budget for partners."),
    "enough_time": ("There is time for the longer engagement co-design and co-production need.",
                    "There is not enough time for co-design or co-production."),
    "lived_experience_ready": ("People with lived experience are ready and able to take part.",
                               "People with lived experience are not yet ready or able to take part."),
}


def _because(answers: dict[str, bool], *keys: str) -> tuple[str, ...]:
    return tuple(_STATEMENTS[key][0 if answers.get(key) else 1] for key in keys)


def recommend(answers: dict[str, bool]) -> Recommendation:
    """The highest level the answers support, with the reason in plain English."""
    if answers.get("decision_made") or not answers.get("input_can_change"):
        deciding = [key for key, blocks in (("decision_made", answers.get("decision_made")),
                                            ("input_can_change", not answers.get("input_can_change"))) if blocks]
        return Recommendation(Level.INFORM,
                              "The decision has already been made, or people's input cannot change what happens, "
                              "so the honest thing is to inform people clearly and say why.",
                              _because(answers, *deciding))
    if not answers.get("partner_budget"):
        return Recommendation(Level.CONSULT,
                              "People's input can change what happens, but without budget for partners a "
                              "well-run consultation is the realistic level.",
                              _because(answers, "input_can_change", "partner_budget"))
    if not answers.get("enough_time"):
        return Recommendation(Level.ENGAGE,
                              "There is budget for partners but less than 12 weeks: engage communities through "
                              "VCFSE partners rather than promising co-design you cannot deliver.",
                              _because(answers, "input_can_change", "partner_budget", "enough_time"))
    if answers.get("lived_experience_ready") and answers.get("specific_community"):
        return Recommendation(Level.CO_PRODUCE,
                              "A specific community uses the service, people with lived experience are ready to "
                              "take part, and there is time and budget: share power and delivery with them.",
                              _because(answers, "input_can_change", "partner_budget", "enough_time",
                                       "specific_community", "lived_experience_ready"))
    missing = [key for key in ("specific_community", "lived_experience_ready") if not answers.get(key)]
    return Recommendation(Level.CO_DESIGN,
                          "There is time and budget for partners, so design the change with people; co-production "
                          "needs people with lived experience of a specific service ready to take part.",
                          _because(answers, "input_can_change", "partner_budget", "enough_time", *missing))


def guide_for(level: Level) -> LevelGuide:
    """The configured guide for the level (LEVEL_GUIDE, e.g. from the LEVEL_GUIDE_JSON environment
    variable), falling back to the default for anything not configured."""
    configured = current_app.config.get("LEVEL_GUIDE") or {}
    entry = configured.get(level.value)
    if entry is None:
        return DEFAULT_GUIDE[level]
    if isinstance(entry, LevelGuide):
        return entry
    default = DEFAULT_GUIDE[level]
    return LevelGuide(min_weeks=int(entry.get("min_weeks", default.min_weeks)),
                      min_budget_pence=int(entry.get("min_budget_pence", default.min_budget_pence)),
                      note=str(entry.get("note", default.note)))


def warnings_for(level: Level | None, start: date | None, end: date | None, budget_pence: int | None) -> list[str]:
    """Where the engagement's dates or budget fall below the guide for its level."""
    if level is None:
        return []
    guide = guide_for(level)
    warnings = []
    if start and end and (end - start).days < guide.min_weeks * 7:
        weeks = (end - start).days // 7
        warnings.append(f"{level.label} usually needs at least {guide.min_weeks} weeks; "
                        f"the dates allow {weeks} week{'s' if weeks != 1 else ''}.")
    if guide.min_budget_pence and (budget_pence or 0) < guide.min_budget_pence:
        warnings.append(f"{level.label} usually needs a budget of at least "
                        f"{whole_pounds(guide.min_budget_pence)}; the planned budget is "
                        f"{format_pounds(budget_pence or 0)}.")
    return warnings


def needs(level: Level) -> str:
    """The time and budget the level usually needs, as the page says it beside each level."""
    guide = guide_for(level)
    budget = (f"a budget of at least {whole_pounds(guide.min_budget_pence)}" if guide.min_budget_pence
              else "no set budget")
    return f"Usually needs at least {guide.min_weeks} weeks and {budget}."


@dataclass(frozen=True)
class Advice:
    """What the guide says about the answers given so far, before anything is saved."""

    still_to_answer: int
    recommendation: Recommendation | None
    # Where the engagement's dates or budget fall below the recommended level, and below a chosen level
    # that differs from it (empty when the chosen level is the recommended one or none is chosen).
    warnings: list[str]
    chosen: Level | None
    chosen_warnings: list[str]

    @property
    def chosen_differs(self) -> bool:
        return (self.recommendation is not None and self.chosen is not None
                and self.chosen is not self.recommendation.level)


def answers_from(values: Mapping[str, str | None]) -> dict[str, bool | None]:
    """The answers as the form sends them ("yes", "no", or nothing yet), keyed by question."""
    return {q.key: {"yes": True, "no": False}.get(values.get(q.key) or "") for q in QUESTIONS}


def advice_for(values: Mapping[str, str | None], chosen: str | None, start: date | None, end: date | None,
               budget_pence: int | None) -> Advice:
    """The advice for answers and a choice as typed: no recommendation until every question is answered,
    since an unanswered question would otherwise count as "no" and could recommend too low a level."""
    answers = answers_from(values)
    unanswered = sum(answer is None for answer in answers.values())
    level = next((lvl for lvl in Level if lvl.value == chosen), None)
    if unanswered:
        return Advice(unanswered, None, [], level, [])
    recommendation = recommend({key: bool(answer) for key, answer in answers.items()})
    chosen_warnings = (warnings_for(level, start, end, budget_pence)
                       if level is not None and level is not recommendation.level else [])
    return Advice(0, recommendation, warnings_for(recommendation.level, start, end, budget_pence), level,
                  chosen_warnings)
