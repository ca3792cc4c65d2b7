"""No Markdown can break a page: lists and quotes nested too deeply are refused in every Markdown field, with a
message beside it and what was typed kept, and rendering shows anything at all, falling back to plain text."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from sqlalchemy import func, select

from engage import clock
from engage.activity import services as activity
from engage.activity.forms import ActivityForm
from engage.activity.models import Activity, ActivityKind
from engage.commitments import services as commitments
from engage.commitments.forms import UpdateForm as CommitmentUpdateForm
from engage.commitments.models import CommitmentUpdate
from engage.engagements import services
from engage.engagements.forms import GetInvolvedForm, StoryForm, UpdateForm
from engage.engagements.models import Engagement, ProgressUpdate, Step
from engage.extensions import db
from engage.text.markdown import MAX_NESTING, MarkdownText, markdown_problem, nesting_depth, render_markdown
from tests.activity.conftest import build_scene, form_data
from tests.commitments.conftest import a_day, completed  # noqa: F401 - the fixture
from tests.engagements.conftest import post, version_in
from tests.engagements.test_markdown import assert_safe
from tests.factories import sign_in

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

DEEP = "- " * 500 + "x"  # the 1,001 characters that made the updates page a permanent 500
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _too_deep(name: str) -> str:
    return f"{name} has lists or quotes inside each other more than 10 levels deep. Use 10 levels or fewer"


# How deep Markdown is nested -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "depth"), [
    ("", 0),
    ("Plain words.\n\nMore words.", 0),
    ("- evenings\n- weekends", 1),
    ("- evenings\n    - Tuesdays\n        - from 6pm", 3),
    ("- " * 10 + "x", 10),
    ("- " * 11 + "x", 11),
    ("1. 2) * + x", 4),
    ("> quoted\n> > quoted twice", 2),
    (">" * 12 + " x", 12),
    ("- > " * 6 + "x", 12),
    ("\t\t- tabbed", 3),
    ("- - -", 0),  # a horizontal rule, not a list
    ("* * * * * * * * * * * * * *", 0),
    ("--- not a list", 0),
    ("-nothing after the dash", 0),
    (" " * 48 + "A heading centred with spaces", 0),  # indentation alone is code or more of a paragraph
    ("\t" * 12 + "tabbed far in", 0),
    ("- a\n" + " " * 60 + "more of the item", 1),
    ("    " * 11 + "- an indented item", 12),
])
def test_nesting_is_counted_as_markdown_reads_it(text, depth):
    assert nesting_depth(text) == depth


def test_ten_levels_are_allowed_and_eleven_are_refused_in_plain_english():
    assert markdown_problem("- " * MAX_NESTING + "x", "The update") is None
    assert markdown_problem("- " * (MAX_NESTING + 1) + "x", "The update") == _too_deep("The update")
    assert markdown_problem(DEEP, "\u2018We asked\u2019") == _too_deep("\u2018We asked\u2019")
    assert markdown_problem(None, "The update") is None


def test_deeply_indented_text_that_is_not_a_list_is_saved_and_read_as_markdown():
    text = "Our timetable:\n\n" + "\t" * 12 + "Monday 6pm, the community centre"

    assert markdown_problem(text, "The update") is None
    assert "<pre><code>" in render_markdown(text)


# Rendering is total ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    DEEP,
    ">" * 1000 + " x",
    "- a\n" + "".join("    " * level + "- x\n" for level in range(1, 300)),
    "1. " * 500 + "x",
    "- > 1. " * 300 + "x",
])
def test_deep_nesting_is_shown_as_escaped_text_instead_of_an_error(text):
    html = render_markdown(text)

    assert isinstance(html, Markup)
    assert "x" in BeautifulSoup(str(html), "html.parser").get_text()
    assert "<ul" not in html and "<blockquote" not in html


def test_plain_text_keeps_paragraphs_and_line_breaks_and_escapes_markup():
    html = str(render_markdown(DEEP + "\n\nnext <script>alert(1)</script> & more\nsecond line\r\n\r\nlast"))

    page = BeautifulSoup(html, "html.parser")
    assert [p.get("class") for p in page.find_all("p")] == [["govuk-body"]] * 3
    assert [p.get_text() for p in page.find_all("p")][1:] == ["next <script>alert(1)</script> & moresecond line",
                                                              "last"]
    assert page.find("script") is None
    assert len(page.find_all("br")) == 1


@pytest.mark.parametrize("text", ["before\x00after", "before\ud800after", "\udfff", "\x02klzzwxh:0000\x03",
                                  "a\x1b[31mred\x7f", "\x00" * 50])
def test_nul_control_characters_and_lone_surrogates_never_reach_the_page(text):
    html = str(render_markdown(text))

    html.encode("utf-8")  # a lone surrogate cannot be sent at all
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", html)


@pytest.mark.parametrize("text", ["[" * 9_999 + "x", "![" * 4_999, "[" * 1_000 + "x" + "](a)" * 1_000,
                                  "word " * 200_000, "[x](" * 4_999, "[](" * 6_666 + ")", "<a " * 6_666,
                                  "<b x\n\n" * 3_333])
def test_text_that_would_take_the_library_seconds_is_shown_at_once(text):
    # Python-Markdown looks for the end of a link from every "[", for the end of a link's address from every "](",
    # and for the end of an HTML tag from every "<": 10,000 unclosed "[" took most of a minute, 5,000 "[x](" 14 s.
    started = time.perf_counter()
    html = render_markdown(text)

    assert isinstance(html, Markup)
    assert time.perf_counter() - started < 2


def test_long_text_with_many_links_and_tags_is_still_read_as_markdown():
    # What people write closes what it opens, however much of it there is: the estimate of the library's
    # reading ahead stays small, and the text is not shown as plain text.
    paragraph = " ".join(f"See [report {n}](https://example.org/{n}) and <b>this</b> (or that)." for n in range(30))
    text = "\n\n".join([paragraph] * 5)
    assert len(text) > 9_000

    page = BeautifulSoup(str(render_markdown(text)), "html.parser")

    assert len(page.find_all("a", href=True)) == 150


def test_a_failure_inside_the_library_is_shown_as_plain_text(monkeypatch):
    import markdown as markdown_lib

    def broken(*_args, **_kwargs):
        raise ValueError("the library could not read it")

    monkeypatch.setattr(markdown_lib, "markdown", broken)

    assert str(render_markdown("**bold** <b>")) == '<p class="govuk-body">**bold** &lt;b&gt;</p>'


# Anything Python can hold: every category of character, lone surrogates included, and pieces of Markdown that
# nest, open links or repeat without end.
_ANY_CHARACTER = st.characters(exclude_categories=())
_PIECES = st.sampled_from(["- ", "* ", "+ ", "1. ", "2) ", "> ", ">", "    ", "\t", "\n", "\n\n", "[", "](", "]",
                           "![", "**", "_", "`", "<", "&", "#", "---", "\x00", "\x02", "\x03", "\ud800", "\u202e",
                           "<script>", "javascript:", "x"])
_MARKDOWNISH = st.lists(st.one_of(_PIECES, st.text(_ANY_CHARACTER, max_size=5)), max_size=400).map("".join)
_DEEP = st.builds(lambda piece, n, tail: piece * n + tail, st.sampled_from(["- ", ">", "> ", "1. ", "- > ", "    "]),
                  st.integers(0, 800), st.text(_ANY_CHARACTER, max_size=20))


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(_ANY_CHARACTER, max_size=2_000), _MARKDOWNISH, _DEEP))
def test_any_text_at_all_renders_as_safe_html(text):
    html = render_markdown(text)

    assert isinstance(html, Markup)
    str(html).encode("utf-8")
    assert "\x00" not in html
    assert_safe(str(html))


# Every Markdown field refuses it --------------------------------------------------------------------------

# Each `| markdown` in the templates, and the form field people write it in. A new Markdown text on a page fails
# the test below until its field is listed here (and so checked by the rule).
SHOWN_AS_MARKDOWN = {
    "activity.description": [(ActivityForm, "description")],
    "update.body": [(UpdateForm, "body")],
    "update.text": [(UpdateForm, "body"), (CommitmentUpdateForm, "body")],
    "latest.body": [(CommitmentUpdateForm, "body")],
    "earlier.body": [(CommitmentUpdateForm, "body")],
    "record.get_involved": [(GetInvolvedForm, "get_involved")],
    "record.story[key]": [(StoryForm, name) for name in ("story_we_asked", "story_you_said", "story_we_did",
                                                          "story_so_what", "story_what_now")],
}


def test_every_text_a_page_shows_as_markdown_is_written_in_a_field_that_checks_its_nesting():
    shown = {match for template in TEMPLATES.rglob("*.html")
             for match in re.findall(r"\{\{\s*([^{}|]+?)\s*\|\s*markdown\b", template.read_text())}

    assert shown == set(SHOWN_AS_MARKDOWN)
    for fields in SHOWN_AS_MARKDOWN.values():
        for form, name in fields:
            validators = getattr(form, name).kwargs["validators"]
            assert any(isinstance(v, MarkdownText) for v in validators), f"{form.__name__}.{name}"


def _error_beside(page: BeautifulSoup, field_id: str) -> str:
    error = page.find(id=f"{field_id}-error")
    assert error is not None, f"no message beside {field_id}"
    return error.get_text(strip=True).removeprefix("Error:")


def assert_refused(response, field_id: str, message: str, typed: str) -> None:
    """Shown again (not saved) with the message in the error summary, linked to the field, and beside it; the
    field keeps what was typed."""
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    summary = [(a.get_text(strip=True), a["href"]) for a in page.select(".govuk-error-summary a")]
    assert (message, f"#{field_id}") in summary
    assert _error_beside(page, field_id) == message
    assert page.find("textarea", id=field_id).get_text().strip() == typed.strip()


def test_a_progress_update_nested_too_deeply_is_refused_and_kept(client, engagement_at, make):
    engagement = engagement_at(Step.FRAME)
    sign_in(client, make.partner(organisation=engagement.collaborators[0].organisation))

    response = post(client, f"/workspace/{engagement.slug}/updates", {"body": DEEP})

    assert_refused(response, "body", _too_deep("The update"), DEEP)
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 0


def test_ten_levels_of_a_progress_update_are_posted(client, engagement_at, make):
    engagement = engagement_at(Step.FRAME)
    sign_in(client, make.partner(organisation=engagement.collaborators[0].organisation))

    assert post(client, f"/workspace/{engagement.slug}/updates", {"body": "- " * 10 + "x"}).status_code == 302


@pytest.mark.parametrize(("field", "label"), [("story_we_asked", "We asked"), ("story_you_said", "You said"),
                                              ("story_we_did", "We did"), ("story_so_what", "So what?"),
                                              ("story_what_now", "What now?")])
def test_a_story_section_nested_too_deeply_is_refused_and_the_story_kept(client, engagement_at, field, label):
    engagement = engagement_at(Step.STORY)
    sign_in(client, engagement.lead_user)
    path = f"/workspace/{engagement.slug}/story"
    story = {name: f"The {name} section." for _, name in SHOWN_AS_MARKDOWN["record.story[key]"]}
    story[field] = ">" * 11 + " quoted"

    response = post(client, path, {**story, "version": version_in(client.get(path).get_data(as_text=True))})

    assert_refused(response, field, _too_deep(f"\u2018{label}\u2019"), story[field])
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    others = [name for name in story if name != field]
    assert [page.find("textarea", id=name).get_text().strip() for name in others] == [story[n] for n in others]
    db.session.expire_all()
    assert getattr(db.session.get(Engagement, engagement.id), field) != story[field]


def test_how_to_get_involved_nested_too_deeply_is_refused_and_kept(client, engagement_at):
    engagement = engagement_at(Step.FRAME)
    sign_in(client, engagement.lead_user)
    path = f"/workspace/{engagement.slug}/get-involved"

    response = post(client, path, {"get_involved": DEEP,
                                   "version": version_in(client.get(path).get_data(as_text=True))})

    assert_refused(response, "get_involved", _too_deep("How residents can get involved"), DEEP)
    db.session.expire_all()
    assert db.session.get(Engagement, engagement.id).get_involved == ""


def test_what_happened_at_an_activity_nested_too_deeply_is_refused_and_kept(app, make):
    scene = build_scene(make)
    client = scene.client_for(app, scene.partner)

    response = post(client, f"{scene.base}/activity/new", form_data(description=DEEP))

    assert_refused(response, "description", _too_deep("What happened"), DEEP)
    assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_a_commitment_update_nested_too_deeply_is_refused_and_kept(client, completed):  # noqa: F811
    one = completed.add()
    sign_in(client, completed.lead)
    path = f"/workspace/{completed.engagement.slug}/commitments/{one.id}/update"
    today = a_day()

    response = post(client, path, {"version": str(one.version), "status": "keep", "progress_percent": "",
                                   "occurred_on": [str(today.day), str(today.month), str(today.year)],
                                   "body": DEEP[:1_999]})

    assert_refused(response, "body", _too_deep("The update"), DEEP[:1_999])
    assert db.session.scalar(select(func.count(CommitmentUpdate.id))) == 0


# And the services refuse it too, for text that comes another way ---------------------------------------------

def test_the_services_refuse_it_for_text_that_does_not_come_through_a_form(engagement_at, make):
    engagement = engagement_at(Step.STORY)
    lead = engagement.lead_user

    with pytest.raises(services.EngagementError) as refused:
        services.post_update(engagement, actor=lead, body=DEEP)
    assert (refused.value.field, refused.value.message) == ("body", _too_deep("The update"))

    with pytest.raises(services.EngagementError) as refused:
        services.update_engagement(engagement, actor=lead, expected_version=None, story_so_what=DEEP)
    assert (refused.value.field, refused.value.message) == ("story_so_what", _too_deep("\u2018So what?\u2019"))

    with pytest.raises(services.EngagementError) as refused:
        services.update_engagement(engagement, actor=lead, expected_version=None, get_involved=DEEP)
    assert refused.value.field == "get_involved"

    with pytest.raises(activity.ActivityError) as refused:
        activity.log_activity(engagement, actor=lead, data=activity.ActivityInput(
            occurred_on=clock.today() - timedelta(days=1), kind=ActivityKind.WORKSHOP, title="A workshop",
            description=DEEP, area=None, participants=1, volunteer_minutes=0, staff_minutes=0, spend_pence=0,
            milestone_id=None, planned_test_id=None, reach={}))
    assert (refused.value.field, refused.value.message) == ("description", _too_deep("What happened"))
    db.session.rollback()


def test_the_commitment_service_refuses_it(completed):  # noqa: F811
    one = completed.add()

    with pytest.raises(commitments.CommitmentError) as refused:
        commitments.record_update(one, actor=completed.lead, occurred_on=a_day(), body=DEEP)

    assert (refused.value.field, refused.value.message) == ("body", _too_deep("The update"))
    db.session.rollback()
