"""Where each text of the public record is written in the workspace, in the words people know it by.

The publication check names a finding by the path its text sits at in the record (`check.texts_of`: "story.you_said",
"outputs[2].description"), and that path is part of the finding's fingerprint, so acceptances already stored
keep holding. People never see the path: every page that shows a finding asks here for its `Place`, which says
what the text is ("the \u2018You said\u2019 part of the story", "the description of the output \u2018Annual
report\u2019"), which workspace page it is changed on, and the field on that page that holds it. This is the one
mapping from paths to places; tests/publishing/test_places.py checks that every path a full record gives has one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from markupsafe import Markup

from engage.agreements.models import CONTENT_FIELDS
from engage.clock import LONDON
from engage.engagements.models import Step
from engage.templating import format_date
from engage.text.lengths import shortened
from engage.text.personal_data import Finding, normalise

# The id of the inset a page shows the finding in when the text is not in one of its fields (a list of updates,
# the step history): where a link to such a place goes.
IN_CONTEXT_ID = "publication-finding"
# How much of an item's own text names it ("the idea \u2018Open the centre on\u2026\u2019").
NAME_LENGTH = 40
# How much text either side of a finding the excerpt quotes.
EXCERPT_CONTEXT = 40

Record = dict[str, Any]


@dataclass(frozen=True)
class Place:
    """Where a text of the record is written: in words, and the workspace page and field it is changed in."""

    words: str
    endpoint: str
    # The id of the field on the page that holds the text, when the page offers it in a field; None when the page
    # lists the text (a progress update, a hook), and shows the finding above what it lists instead.
    field_id: str | None = None

    @property
    def anchor(self) -> str:
        return self.field_id or IN_CONTEXT_ID

    def href(self, slug: str, finding: Finding | None = None) -> str:
        """The page and field, with the finding to highlight there when one is given."""
        extra = {"finding": finding.fingerprint} if finding is not None else {}
        return f"{url_for(self.endpoint, slug=slug, **extra)}#{self.anchor}"


# Reading the record ------------------------------------------------------------------------------------------------

def _item(record: Record, key: str, number: str) -> dict[str, Any]:
    """The record's item at a path's (1-based) number, or an empty one."""
    items = record.get(key) or []
    index = int(number) - 1
    return items[index] if 0 <= index < len(items) and isinstance(items[index], dict) else {}


def _nth(values: Any, number: str) -> Any:
    """The (1-based) number'th of a list in the record, or None."""
    values = values if isinstance(values, list) else []
    index = int(number) - 1
    return values[index] if 0 <= index < len(values) else None


def _quoted(text: Any) -> str:
    return f"\u2018{shortened(' '.join(str(text or '').split()), NAME_LENGTH, at_word=True)}\u2019"


def _day(value: Any) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(LONDON)
    return format_date(moment.date())


def _step_label(value: Any) -> str:
    try:
        return Step(value).label
    except ValueError:
        return str(value)


def _step_change(change: dict[str, Any]) -> str:
    on = f" on {_day(change.get('at'))}" if change.get("at") else ""
    try:
        back = change.get("from") is not None and Step(change["to"]).number < Step(change["from"]).number
    except (KeyError, ValueError):
        back = False
    return f"{'stepping back' if back else 'moving on'} to \u2018{_step_label(change.get('to'))}\u2019{on}"


_AGREEMENT_LABELS = dict(CONTENT_FIELDS)
_STORY_PARTS = {"we_asked": "We asked", "you_said": "You said", "we_did": "We did", "so_what": "So what?",
                "what_now": "What now?"}


# The mapping --------------------------------------------------------------------------------------------------------

Words = Callable[[re.Match[str], Record], str]


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    endpoint: str
    field_id: Callable[[re.Match[str]], str | None]
    words: Words


def _rule(pattern: str, endpoint: str, words: Words | str, field_id: str | Callable[[re.Match[str]], str] | None = None
          ) -> _Rule:
    said = words if callable(words) else (lambda _match, _record, text=words: text)
    field = field_id if callable(field_id) else (lambda _match, name=field_id: name)
    return _Rule(re.compile(pattern + r"\Z"), endpoint, field, said)


def _of(key: str, words: Callable[[dict[str, Any]], str]) -> Words:
    """Words for a text of the record's `key`[n] item (`key` may go through a part: "agreement.milestones"),
    named from the item."""
    *parts, last = key.split(".")

    def said(match: re.Match[str], record: Record) -> str:
        for part in parts:
            record = record.get(part) or {}
        return words(_item(record, last, match["n"]))

    return said


def _commitment_update(match: re.Match[str], record: Record) -> str:
    commitment = _item(record, "commitments", match["n"])
    update = _item(commitment, "updates", match["m"])
    on = f" of {_day(update.get('on'))}" if update.get("on") else ""
    return f"the progress update{on} to the commitment {_quoted(commitment.get('action'))}"


_RULES: list[_Rule] = [
    # The challenge, the level and how to get involved: each in a field of its page.
    _rule(r"title", "workspace.challenge", "the engagement\u2019s title", "title"),
    _rule(r"summary", "workspace.challenge", "the plain-English summary", "summary"),
    _rule(r"challenge\.statement", "workspace.challenge", "the challenge statement", "challenge_statement"),
    _rule(r"challenge\.why_now", "workspace.challenge", "\u2018Why now?\u2019 in the challenge", "why_now"),
    _rule(r"area", "workspace.challenge", "the area of the engagement"),
    _rule(r"themes\[(?P<n>\d+)\]", "workspace.challenge",
          lambda match, record: f"the theme {_quoted(_nth(record.get('themes'), match['n']))}"),
    _rule(r"level_rationale", "workspace.level", "the rationale for the level of engagement"),
    _rule(r"get_involved", "workspace.get_involved", "how to get involved", "get_involved"),
    _rule(r"story\.(?P<part>we_asked|you_said|we_did|so_what|what_now)", "workspace.story",
          lambda match, _record: f"the \u2018{_STORY_PARTS[match['part']]}\u2019 part of the story",
          lambda match: f"story_{match['part']}"),
    # Organisations, hooks, progress updates and the step history: listed on their pages.
    _rule(r"lead_organisation\.name", "workspace.collaborators", "the name of the lead organisation"),
    _rule(r"collaborators\[(?P<n>\d+)\]\.name", "workspace.collaborators",
          _of("collaborators", lambda c: f"the name of the collaborator {_quoted(c.get('name'))}")),
    _rule(r"hooks\[(?P<n>\d+)\]\.title", "workspace.hooks",
          _of("hooks", lambda h: f"the hook {_quoted(h.get('title'))}")),
    _rule(r"hooks\[(?P<n>\d+)\]\.url", "workspace.hooks",
          _of("hooks", lambda h: f"the web address of the hook {_quoted(h.get('title'))}")),
    _rule(r"updates\[(?P<n>\d+)\]\.text", "workspace.updates",
          _of("updates", lambda u: f"the progress update of {_day(u.get('at'))}")),
    _rule(r"updates\[(?P<n>\d+)\]\.organisation", "workspace.updates",
          _of("updates", lambda u: f"the organisation named on the progress update of {_day(u.get('at'))}")),
    _rule(r"steps\[(?P<n>\d+)\]\.reason", "workspace.history",
          _of("steps", lambda s: f"the step history reason for {_step_change(s)}")),
    _rule(r"steps\[(?P<n>\d+)\]\.(?:from|to)", "workspace.history",
          _of("steps", lambda s: f"the step history entry for {_step_change(s)}")),
    # The expectation agreement: signed, so changed only by varying it.
    _rule(r"agreement\.parties\[(?P<n>\d+)\]\.name", "agreements.index",
          "the name of a party to the expectation agreement"),
    _rule(r"agreement\.commitments\.(?P<field>\w+)", "agreements.index",
          lambda match, _record: f"\u2018{_AGREEMENT_LABELS.get(match['field'], match['field'])}\u2019 in the "
                                 "expectation agreement"),
    _rule(r"agreement\.milestones\[(?P<n>\d+)\]\.title", "agreements.index",
          _of("agreement.milestones",
              lambda m: f"the milestone {_quoted(m.get('title'))} of the expectation agreement")),
    # Time together.
    _rule(r"perspectives\[(?P<n>\d+)\]\.text", "workspace.perspectives",
          _of("perspectives", lambda p: f"the perspective {_quoted(p.get('text'))}")),
    _rule(r"perspectives\[(?P<n>\d+)\]\.attributed_to", "workspace.perspectives",
          _of("perspectives", lambda p: f"who the perspective {_quoted(p.get('text'))} is attributed to")),
    _rule(r"ideas\[(?P<n>\d+)\]\.text", "workspace.ideas",
          _of("ideas", lambda i: f"the idea {_quoted(i.get('text'))}")),
    _rule(r"ideas\[(?P<n>\d+)\]\.proposed_by", "workspace.ideas",
          _of("ideas", lambda i: f"who proposed the idea {_quoted(i.get('text'))}")),
    _rule(r"ideas\[(?P<n>\d+)\]\.organisation", "workspace.ideas",
          _of("ideas", lambda i: f"the organisation of the idea {_quoted(i.get('text'))}")),
    _rule(r"ideas\[(?P<n>\d+)\]\.imagined_impact", "workspace.ideas",
          _of("ideas", lambda i: f"the imagined impact of the idea {_quoted(i.get('text'))}")),
    _rule(r"tests\[(?P<n>\d+)\]\.what", "workspace.planned_tests",
          _of("tests", lambda t: f"the planned test {_quoted(t.get('what'))}")),
    _rule(r"tests\[(?P<n>\d+)\]\.how", "workspace.planned_tests",
          _of("tests", lambda t: f"how the test {_quoted(t.get('what'))} will be run")),
    _rule(r"tests\[(?P<n>\d+)\]\.success_measure", "workspace.planned_tests",
          _of("tests", lambda t: f"what would show the test {_quoted(t.get('what'))} works")),
    _rule(r"tests\[(?P<n>\d+)\]\.what_happened", "workspace.planned_tests",
          _of("tests", lambda t: f"what happened in the test {_quoted(t.get('what'))}")),
    _rule(r"tests\[(?P<n>\d+)\]\.what_it_showed", "workspace.planned_tests",
          _of("tests", lambda t: f"what the test {_quoted(t.get('what'))} showed")),
    _rule(r"tests\[(?P<n>\d+)\]\.dropped_reason", "workspace.planned_tests",
          _of("tests", lambda t: f"the reason the test {_quoted(t.get('what'))} was dropped")),
    # Activity and insight.
    _rule(r"activity_summary\.reach\[(?P<n>\d+)\]\.community", "activity.index",
          _of("activity_summary.reach",
              lambda r: f"the community {_quoted(r.get('community'))} in the activity\u2019s reach")),
    _rule(r"insights\[(?P<n>\d+)\]\.text", "activity.index",
          _of("insights", lambda i: f"the insight {_quoted(i.get('text'))}")),
    _rule(r"insights\[(?P<n>\d+)\]\.themes\[(?P<m>\d+)\]", "activity.index",
          _of("insights", lambda i: f"a theme of the insight {_quoted(i.get('text'))}")),
    _rule(r"insights\[(?P<n>\d+)\]\.attributed_to", "activity.index",
          _of("insights", lambda i: f"who the insight {_quoted(i.get('text'))} is attributed to")),
    # The story's outputs.
    _rule(r"outputs\[(?P<n>\d+)\]\.title", "workspace.outputs",
          _of("outputs", lambda o: f"the title of the output {_quoted(o.get('title'))}")),
    _rule(r"outputs\[(?P<n>\d+)\]\.description", "workspace.outputs",
          _of("outputs", lambda o: f"the description of the output {_quoted(o.get('title'))}")),
    _rule(r"outputs\[(?P<n>\d+)\]\.url", "workspace.outputs",
          _of("outputs", lambda o: f"the web address of the output {_quoted(o.get('title'))}")),
    # What happens next.
    _rule(r"commitments\[(?P<n>\d+)\]\.action", "commitments.index",
          _of("commitments", lambda c: f"the commitment {_quoted(c.get('action'))}")),
    _rule(r"commitments\[(?P<n>\d+)\]\.responsible_organisation\.name", "commitments.index",
          _of("commitments", lambda c: f"the organisation responsible for the commitment {_quoted(c.get('action'))}")),
    _rule(r"commitments\[(?P<n>\d+)\]\.reason", "commitments.index",
          _of("commitments", lambda c: f"the reason the commitment {_quoted(c.get('action'))} is not going ahead")),
    _rule(r"commitments\[(?P<n>\d+)\]\.updates\[(?P<m>\d+)\]\.text", "commitments.index", _commitment_update),
]

# A path no rule knows (a part added to the record without a place here): still not shown as a path.
_ELSEWHERE = Place("another part of the engagement\u2019s record", "workspace.task_list")


def known(where: str) -> bool:
    """Whether a rule names this path (tests check every path a full record gives is known)."""
    return any(rule.pattern.match(where) for rule in _RULES)


def place_of(where: str, record: Record) -> Place:
    """The place of the text at `where` in `record` (the record the finding was found in, which names its items)."""
    for rule in _RULES:
        match = rule.pattern.match(where)
        if match:
            return Place(rule.words(match, record), rule.endpoint, rule.field_id(match))
    return _ELSEWHERE


def link(slug: str, finding: Finding) -> str:
    """The page and field where a finding's text is changed, asking the page to show the finding there."""
    return place_of(finding.where, {}).href(slug, finding)


def instruction_at(finding: Finding, place: Place) -> str:
    """What the lead is asked to do about a finding, in the same words wherever it is shown."""
    return f"Remove or accept {finding.label} in {place.words}: \u201c{finding.value}\u201d"


def instruction(finding: Finding, record: Record) -> str:
    return instruction_at(finding, place_of(finding.where, record))


# The finding in its text ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Excerpt:
    """The words around a finding in its text, to quote with the finding marked."""

    before: str
    found: str
    after: str

    def marked(self) -> Markup:
        return Markup("\u201c{}<mark class=\"engage-finding-mark\">{}</mark>{}\u201d").format(
            self.before, self.found, self.after)


def excerpt(text: str, value: str, context: int = EXCERPT_CONTEXT) -> Excerpt:
    """The finding's value in its text with up to `context` characters either side, cut between words. The text
    is read as the check read it (normalised), so a value the check found is always there to mark."""
    text = " ".join(normalise(text).split())
    value = " ".join(normalise(value).split())
    start = text.casefold().find(value.casefold())
    if start < 0:
        return Excerpt("", value, "")
    end = start + len(value)
    before, after = text[:start], text[end:]
    if len(before) > context:
        tail = before[-context:]
        if not before[-context - 1].isspace() and " " in tail:
            tail = tail[tail.index(" "):]  # begin at a word, not part of one
        before = "\u2026" + tail.lstrip()
    if len(after) > context:
        after = shortened(after, context, at_word=True)
    return Excerpt(before, text[start:end], after)


@dataclass(frozen=True)
class InContext:
    """A finding with its place and the excerpt that shows it, for a page to highlight."""

    finding: Finding
    place: Place
    excerpt: Excerpt

    @property
    def instruction(self) -> str:
        return instruction_at(self.finding, self.place)

    def hint(self, description: str | None = None) -> Markup:
        """A field's hint that quotes the finding in its text, after the field's own hint."""
        own = Markup("{}<br>").format(description) if description else Markup("")
        return own + Markup("<strong class=\"engage-finding-hint\">The publication check found {} here:</strong> {}"
                            ).format(self.finding.label, self.excerpt.marked())


def in_context(findings: list[Finding], record: Record, texts: dict[str, str]) -> list[InContext]:
    """Each finding with its place in `record` and its excerpt from `texts` (the record's texts by path)."""
    return [InContext(finding, place_of(finding.where, record), excerpt(texts.get(finding.where, ""), finding.value))
            for finding in findings]


