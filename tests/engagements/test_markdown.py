"""Markdown people write is rendered, then sanitised with an allow-list, wherever it is shown."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from engage.engagements.models import Step
from engage.text.markdown import render_markdown
from tests.engagements.conftest import post
from tests.factories import sign_in

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

OUR_CLASSES = {"govuk-body", "govuk-list", "govuk-list--bullet", "govuk-list--number", "govuk-heading-m",
               "govuk-heading-s", "govuk-link", "govuk-inset-text"}
SAFE_SCHEMES = {"http", "https", "mailto"}


def _tags(html: str) -> list:
    return BeautifulSoup(html, "html.parser").find_all(True)


def _scheme(url: str) -> str:
    """The scheme a browser would see: it ignores tabs and newlines anywhere and spaces at the ends."""
    cleaned = re.sub(r"^[\x00-\x20]+|[\x00-\x20]+$", "", re.sub(r"[\t\n\r]", "", url))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else ""


def assert_safe(html: str) -> None:
    for tag in _tags(html):
        assert tag.name not in {"script", "style", "iframe", "img", "svg", "object", "embed", "form"}, tag
        for attribute, value in tag.attrs.items():
            assert not attribute.lower().startswith("on"), f"event handler kept: {tag}"
            assert attribute != "style", f"style kept: {tag}"
            if attribute == "class":
                assert set(value) <= OUR_CLASSES, f"a class people added was kept: {tag}"
            if attribute in {"href", "src", "action", "formaction"}:
                assert _scheme(value) in SAFE_SCHEMES | {""}, f"unsafe URL kept: {tag}"


# What is kept ----------------------------------------------------------------------------------------------

def test_paragraphs_are_kept_and_styled():
    html = str(render_markdown("We asked people.\n\nThey told us."))

    assert [(t.name, t.get("class"), t.get_text()) for t in _tags(html)] == [
        ("p", ["govuk-body"], "We asked people."), ("p", ["govuk-body"], "They told us.")]


@pytest.mark.parametrize(("text", "tag", "classes"), [
    ("- evenings\n- weekends", "ul", ["govuk-list", "govuk-list--bullet"]),
    ("1. evenings\n2. weekends", "ol", ["govuk-list", "govuk-list--number"]),
])
def test_lists_are_kept_and_styled(text, tag, classes):
    tags = _tags(str(render_markdown(text)))

    assert (tags[0].name, tags[0]["class"]) == (tag, classes)
    assert [li.get_text() for li in tags[0].find_all("li")] == ["evenings", "weekends"]


@pytest.mark.parametrize("url", ["https://example.org/plan", "http://example.org/plan", "mailto:team@example.org"])
def test_links_with_safe_schemes_are_kept(url):
    link = BeautifulSoup(str(render_markdown(f"Read [the plan]({url}).")), "html.parser").a

    assert link["href"] == url
    assert link["class"] == ["govuk-link"]
    assert link.get_text() == "the plan"
    assert set(link["rel"]) == {"noopener", "noreferrer", "nofollow"}


def test_emphasis_and_headings_are_kept():
    html = str(render_markdown("## What now?\n\n**Strong** and *gentle*"))

    assert [t.name for t in _tags(html)] == ["h2", "p", "strong", "em"]


def test_nothing_renders_as_nothing():
    assert str(render_markdown("")) == ""
    assert str(render_markdown(None)) == ""


# What is removed ---------------------------------------------------------------------------------------------

ATTACKS = {
    "script": "<script>alert(1)</script>",
    "script-in-paragraph": "Hello <script>document.location='https://evil.example'</script> there",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "a-onclick": '<a href="https://example.org" onclick="alert(1)">plan</a>',
    "svg-onload": "<svg onload=alert(1)>",
    "p-onmouseover": '<p onmouseover="alert(1)">hover</p>',
    "javascript-href": '<a href="javascript:alert(1)">plan</a>',
    "javascript-markdown": "[plan](javascript:alert(1))",
    "javascript-mixed-case": "[plan](JaVaScRiPt:alert(1))",
    "javascript-angle-brackets": "[plan](<javascript:alert(1)>)",
    "javascript-tab-entity": "[plan](jav&#x09;ascript:alert(1))",
    "javascript-tab-entity-html": '<a href="jav&#x09;ascript:alert(1)">plan</a>',
    "javascript-newline": '<a href="java\nscript:alert(1)">plan</a>',
    "javascript-leading-space": '<a href="  javascript:alert(1)">plan</a>',
    "javascript-decimal-entity": "[plan](&#106;avascript:alert(1))",
    "vbscript": "[plan](vbscript:msgbox(1))",
    "data-markdown": "[plan](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data-href": '<a href="data:text/html,<script>alert(1)</script>">plan</a>',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "style-element": "<style>body { display: none }</style>",
    "form": '<form action="https://evil.example"><button formaction="javascript:alert(1)">Go</button></form>',
    "object": '<object data="https://evil.example/x.swf"></object>',
}


@pytest.mark.parametrize("attack", list(ATTACKS.values()), ids=list(ATTACKS))
def test_dangerous_markup_is_removed(attack):
    html = str(render_markdown(attack))

    assert_safe(html)
    assert "alert(1)" not in "".join(str(v) for t in _tags(html) for v in t.attrs.values())


def test_a_title_cannot_break_out_of_its_attribute_when_classes_are_added():
    # GOV.UK classes are added to the sanitised HTML by replacing text such as '<a ', so text like that
    # inside an attribute must stay escaped.
    html = str(render_markdown('[plan](https://example.org "<a onmouseover=alert(1) x=")'))

    assert_safe(html)
    (link,) = BeautifulSoup(html, "html.parser").find_all("a")
    assert set(link.attrs) == {"class", "href", "title", "rel"}
    assert link["title"] == "<a onmouseover=alert(1) x="


def test_script_and_style_contents_are_dropped_not_shown():
    html = str(render_markdown("<script>alert(1)</script><style>body { display: none }</style>"))

    assert "alert" not in html and "display" not in html


@pytest.mark.parametrize("attack", ['<p class="govuk-visually-hidden" style="color: red">hidden</p>',
                                    '<a class="govuk-button" style="position: fixed" href="https://example.org">x</a>',
                                    '<strong class="govuk-!-display-none">x</strong>'],
                         ids=["paragraph", "link", "strong"])
def test_classes_and_styles_people_add_are_removed(attack):
    html = str(render_markdown(attack))

    assert_safe(html)
    assert "visually-hidden" not in html and "govuk-button" not in html and "display-none" not in html


def test_a_link_with_an_unsafe_url_keeps_its_text():
    link = BeautifulSoup(str(render_markdown("[the plan](javascript:alert(1))")), "html.parser").a

    assert link.get_text() == "the plan"
    assert "href" not in link.attrs


# In the page -----------------------------------------------------------------------------------------------------

def test_progress_updates_are_sanitised_in_the_page(engagement_at, client, make):
    engagement = engagement_at(Step.FRAME)
    partner = make.partner(organisation=engagement.collaborators[0].organisation)
    sign_in(client, partner)
    path = f"/workspace/{engagement.slug}/updates"
    body = ("We met **twelve** carers. <script>alert(1)</script>\n\n"
            "<img src=x onerror=alert(1)> [Notes](javascript:alert(1)) [Plan](https://example.org/plan)\n\n"
            '<p class="govuk-visually-hidden" style="color: red" onclick="alert(1)">hidden</p>')

    assert post(client, path, {"body": body}).status_code == 302

    page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    items = page.select(".engage-item")
    assert len(items) == 1
    written_by_people = items[0].find_all(recursive=False)[1:]  # after the service's own date line
    update = "".join(str(tag) for tag in written_by_people)
    assert_safe(update)
    assert "alert(1)" not in update
    assert items[0].find("strong").get_text() == "twelve"
    assert [a.get("href") for tag in written_by_people for a in tag.find_all("a")] == [
        None, "https://example.org/plan"]
    assert all(script.get("src") or script.get("nonce") for script in page.find_all("script")), \
        "every script on the page is the service's own"
