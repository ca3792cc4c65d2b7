"""The level and budget guide (BRIEF §3): a few yes/no questions recommend a level of engagement,
and a configurable table gives the realistic time and budget each level needs."""

from __future__ import annotations

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


def recommend(answers: dict[str, bool]) -> Recommendation:
    """The highest level the answers support, with the reason in plain English."""
    if answers.get("decision_made") or not answers.get("input_can_change"):
        return Recommendation(Level.INFORM,
                              "The decision has already been made, or people's input cannot change what happens, "
                              "so the honest thing is to inform people clearly and say why.")
    if not answers.get("partner_budget"):
        return Recommendation(Level.CONSULT,
                              "People's input can change what happens, but without budget for partners a "
                              "well-run consultation is the realistic level.")
    if not answers.get("enough_time"):
        return Recommendation(Level.ENGAGE,
                              "There is budget for partners but less than 12 weeks: engage communities through "
                              "VCFSE partners rather than promising co-design you cannot deliver.")
    if answers.get("lived_experience_ready") and answers.get("specific_community"):
        return Recommendation(Level.CO_PRODUCE,
                              "A specific community uses the service, people with lived experience are ready to "
                              "take part, and there is time and budget: share power and delivery with them.")
    return Recommendation(Level.CO_DESIGN,
                          "There is time and budget for partners, so design the change with people; co-production "
                          "needs people with lived experience of a specific service ready to take part.")


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
