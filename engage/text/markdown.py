"""Markdown written by people, rendered to HTML and then sanitised with an allow-list.

Two rules keep any stored text from breaking a page. Markdown with lists or quotes nested more than
`MAX_NESTING` levels deep is refused when saved (`MarkdownText` for forms, `markdown_problem` for services):
Python-Markdown parses nesting by recursion, so `"- " * 500` raises RecursionError, and nobody writes such
nesting on purpose. And rendering is total: whatever is already stored (saved before the rule, typed into a
published version, or arriving by another route) renders, as Markdown when the library can read it in
reasonable time and otherwise as escaped plain text, never as an error.
"""

from __future__ import annotations

import logging
import re

import markdown as markdown_lib
import nh3
from markupsafe import Markup, escape
from wtforms import Field, Form
from wtforms.validators import ValidationError

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3", "h4", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# GOV.UK classes added after sanitising, so that people cannot add classes of their own.
_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<h4>": '<h4 class="govuk-heading-s">',
    "<a ": '<a class="govuk-link" ',
    "<blockquote>": '<blockquote class="govuk-inset-text">',
}

# Deeper than anyone writes on purpose, and far below where Python-Markdown runs out of stack.
MAX_NESTING = 10
# Twice the longest Markdown field a form takes: anything longer did not come through a form, and is shown
# as plain text rather than spending seconds of a request on it.
MAX_RENDERED_LENGTH = 20_000
# Python-Markdown reads some things by looking ahead from where they open to where they close, and to the end
# when they never close, so text full of unclosed ones costs time in proportion to the square of its length
# (10,000 unclosed "[" or 2,500 "[x](": most of a minute, or seconds). This many characters scanned is a few
# tenths of a second; a paragraph with a handful of stray brackets stays far below it.
MAX_SCAN = 200_000

_log = logging.getLogger(__name__)

# Python-Markdown reads a tab as four spaces, and four spaces of indentation as one level of a list.
_TAB = 4
_LIST_MARKER = re.compile(r"(?:[*+-]|\d{1,9}[.)])(?:[ \t]+|$)")
# A line of three or more -, * or _ is a horizontal rule (Python-Markdown reads it before lists), not a list.
_RULE = re.compile(r" {0,3}(?:(?:-+ {0,2}){3,}|(?:\*+ {0,2}){3,}|(?:_+ {0,2}){3,}) *")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_LINK_TEXT = re.compile(r"[\[\]]")
_LINK_ADDRESS = re.compile(r"\]\(|[()]")
_TAG_START = re.compile(r"<[A-Za-z]")
# C0 controls (but tab and line breaks) and DEL: nothing a person means to write, and NUL, STX and ETX would
# reach Python-Markdown, which uses the last two as markers of its own. Lone surrogates cannot be sent as UTF-8.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _line_nesting(line: str) -> int:
    line = line.expandtabs(_TAB)
    if _RULE.fullmatch(line):
        return 0
    rest = line.lstrip(" ")
    indentation = (len(line) - len(rest)) // _TAB
    depth = 0
    while rest:
        if rest[0] == ">":
            depth += 1
            rest = rest[1:].lstrip(" \t")
            continue
        marker = _LIST_MARKER.match(rest)
        if marker is None:
            break
        depth += 1
        rest = rest[marker.end():]
    # Indentation nests only a list item or a quote: an indented line of anything else is code, or more of the
    # paragraph or item above, which Python-Markdown reads without going a level deeper.
    return indentation + depth if depth else 0


def nesting_depth(text: str | None) -> int:
    """How deeply lists and quotes are nested in `text`, counted as Python-Markdown reads them: each list
    marker or '>' at the start of a line, one after another, and each four spaces of indentation before them."""
    if not text:
        return 0
    return max(_line_nesting(line) for line in text.splitlines() or [""])


def markdown_problem(text: str | None, name: str) -> str | None:
    """Why `text` cannot be saved in the Markdown field called `name` ("The update"), or None when it can."""
    if nesting_depth(text) > MAX_NESTING:
        return (f"{name} has lists or quotes inside each other more than {MAX_NESTING} levels deep. "
                f"Use {MAX_NESTING} levels or fewer")
    return None


class MarkdownText:
    """A form validator for a field written in Markdown, naming it in its message: `MarkdownText("The update")`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, form: Form, field: Field) -> None:
        problem = markdown_problem(field.data if isinstance(field.data, str) else None, self.name)
        if problem:
            raise ValidationError(problem)


def _scan_to_close(text: str, pattern: re.Pattern[str], opening: tuple[str, ...], counted: str) -> int:
    """Characters read from each `counted` opening that `pattern` finds in `text` to the closing that matches it
    (any other match that is not an `opening`), or to the end of `text` when none does."""
    scanned = 0
    opened: list[tuple[int, bool]] = []
    for match in pattern.finditer(text):
        if match.group() in opening:
            opened.append((match.end(), match.group() == counted))
        elif opened:
            position, counts = opened.pop()
            scanned += match.start() - position if counts else 0
    return scanned + sum(len(text) - position for position, counts in opened if counts)


def _scan_cost(text: str) -> int:
    """Roughly how many characters Python-Markdown reads ahead in `text`: from each "[" to its "]" (a link's
    text) and from each "](" to its ")" (a link's address), or to the end of the paragraph when there is none;
    and from each "<" and letter after the last ">" (an HTML tag that never ends) to the end of the text."""
    scanned = 0
    for paragraph in _PARAGRAPH_BREAK.split(text):
        scanned += _scan_to_close(paragraph, _LINK_TEXT, ("[",), "[")
        scanned += _scan_to_close(paragraph, _LINK_ADDRESS, ("](", "("), "](")
    unclosed_tags = text[text.rfind(">") + 1:]
    return scanned + sum(len(unclosed_tags) - tag.start() for tag in _TAG_START.finditer(unclosed_tags))


def _printable(text: str) -> str:
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))


def _as_markdown(text: str) -> Markup:
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    for plain, styled in _CLASSES.items():
        clean = clean.replace(plain, styled)
    return Markup(clean)  # noqa: S704 - sanitised above with an allow-list


def as_plain_text(text: str) -> Markup:
    """`text` escaped, its paragraphs and line breaks kept: what is shown when it cannot be read as Markdown."""
    paragraphs = (paragraph.strip("\n") for paragraph in _PARAGRAPH_BREAK.split(_printable(text)))
    return Markup("").join(
        Markup('<p class="govuk-body">{}</p>').format(Markup("<br>").join(escape(line) for line in p.split("\n")))
        for p in paragraphs if p.strip())


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for any text at all: it never raises, whatever was stored."""
    if not text:
        return Markup("")
    text = _printable(str(text))
    if (len(text) > MAX_RENDERED_LENGTH or nesting_depth(text) > MAX_NESTING
            or _scan_cost(text) > MAX_SCAN):
        return as_plain_text(text)
    try:
        return _as_markdown(text)
    except Exception:  # a page must show the text, whatever the library makes of it
        _log.warning("Markdown could not be rendered; shown as plain text", exc_info=True)
        return as_plain_text(text)
