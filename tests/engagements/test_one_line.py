"""One-line fields (titles, names, link titles and every other single text box) refuse line breaks and control
characters with a plain message that names the field, in every form and in the services other routes reach; and
text already stored with a line break is folded onto one line wherever a subject is built from it."""

from __future__ import annotations

import importlib
import pkgutil
import unicodedata

import pytest
from flask_wtf import FlaskForm
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError

import engage
from engage.engagements import services
from engage.engagements.models import Engagement
from engage.extensions import db
from engage.text.one_line import OneLine, fold, one_line_problem
from tests.factories import csrf_token, sign_in

CONTROL_CHARACTERS = [chr(code) for code in range(0x110000) if unicodedata.category(chr(code)) == "Cc"]
REFUSED = [*CONTROL_CHARACTERS, "\u2028", "\u2029"]
# Ordinary text of every script: letters, marks, numbers, punctuation, symbols, spaces, and the format characters
# (joiners) some scripts and emoji are written with.
ORDINARY = st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs", "Cf"]), max_size=60)


class FakeField:
    def __init__(self, data) -> None:
        self.data = data


def refused(text: str, name: str = "Title") -> str | None:
    try:
        OneLine(name)(None, FakeField(text))
    except ValidationError as error:
        return str(error)
    return None


@given(before=st.text(max_size=30), control=st.sampled_from(REFUSED), after=st.text(max_size=30))
def test_any_text_with_a_control_character_or_line_separator_is_refused(before, control, after):
    assert refused(before + control + after) in ("Title must be on one line",
                                                 "Title must not contain control characters")


@given(ORDINARY)
def test_ordinary_text_in_any_script_is_accepted_and_folding_leaves_it_as_it_is(text):
    assert refused(text) is None
    assert fold(text) == text.strip()


@pytest.mark.parametrize("text", [
    "Urgent care redesign", "Café de la Gare \u2013 menu d\u2019été", "Новый центр здоровья", "مركز صحة المجتمع",
    "社区健康中心", "सामुदायिक स्वास्थ्य", "שכונה בריאה", "Ysbyty Cymuned ŵ ŷ", "Family hub 👩\u200d👩\u200d👧",
    "\u202eright-to-left marks are format characters", "",
])
def test_real_titles_in_many_scripts_are_accepted(text):
    assert refused(text) is None


@pytest.mark.parametrize(("text", "message"), [
    ("Urgent care\r\nredesign", "Title must be on one line"),
    ("Urgent care\nredesign", "Title must be on one line"),
    ("Urgent care\rredesign", "Title must be on one line"),
    ("Urgent care\u2028redesign", "Title must be on one line"),
    ("Urgent care\x85redesign", "Title must be on one line"),
    ("Urgent care\x00redesign", "Title must not contain control characters"),
    ("Urgent care\tredesign", "Title must not contain control characters"),
    ("Urgent care\x1bredesign", "Title must not contain control characters"),
    ("Urgent care\x7f", "Title must not contain control characters"),
])
def test_the_message_says_what_is_wrong_in_plain_english(text, message):
    assert refused(text) == message
    assert one_line_problem(text, "Title") == message


@given(st.text(max_size=80))
def test_folding_anything_gives_one_line_with_no_control_characters(text):
    folded = fold(text)
    assert refused(folded) is None
    assert folded == folded.strip()


def test_folding_turns_each_line_break_and_the_spaces_around_it_into_one_space():
    assert fold("Confirm you want e-mails about 'Urgent care\r\n  redesign'") == \
        "Confirm you want e-mails about 'Urgent care redesign'"
    assert fold("a\x00\tb\n\n\nc\u2029") == "a b c"


def _every_form_class() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(engage.__path__, "engage."):
        if module.name.endswith((".forms", "_views", ".views")):
            importlib.import_module(module.name)
    found, waiting = [], list(FlaskForm.__subclasses__())
    while waiting:
        form = waiting.pop()
        found.append(form)
        waiting.extend(form.__subclasses__())
    return found


def test_every_one_line_text_field_in_every_form_refuses_line_breaks():
    # Passwords are never shown or sent anywhere; hidden fields are the service's own values.
    not_text_boxes = (TextAreaField, PasswordField, HiddenField)
    checked, missing = 0, []
    for form in _every_form_class():
        for name in dir(form):
            unbound = getattr(form, name, None)
            field_class = getattr(unbound, "field_class", None)
            if not (isinstance(field_class, type) and issubclass(field_class, StringField)) or \
                    issubclass(field_class, not_text_boxes):
                continue
            checked += 1
            validators = unbound.kwargs.get("validators") or []
            if not any(isinstance(validator, OneLine) for validator in validators):
                missing.append(f"{form.__module__}.{form.__name__}.{name}")
    assert missing == []
    assert checked > 30, "the forms were found"


def test_a_title_with_a_line_break_is_refused_on_the_page_with_what_was_typed_kept(client, make):
    sign_in(client, make.lead())

    response = client.post("/workspace/new", data={"title": "Urgent care\r\nredesign",
                                                   "csrf_token": csrf_token(client, "/workspace/new")})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert page.count("Title must be on one line") == 2  # in the summary and at the field
    assert "Urgent care\r\nredesign" in page or "Urgent care\nredesign" in page
    assert db.session.scalars(select(Engagement)).all() == []


def test_changing_the_title_to_one_with_a_line_break_is_refused(client, make, engagement_at):
    engagement = engagement_at()
    sign_in(client, engagement.lead_user)
    path = f"/workspace/{engagement.slug}/challenge"

    response = client.post(path, data={"version": engagement.version, "title": "New title\nSecond line",
                                       "summary": "", "challenge_statement": "", "why_now": "", "area": "",
                                       "budget": "", "csrf_token": csrf_token(client, path)})

    assert response.status_code == 200
    assert "Title must be on one line" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Engagement, engagement.id).title == engagement.title


def test_the_services_refuse_a_title_with_a_line_break_whatever_route_it_came_by(make, engagement_at):
    with pytest.raises(services.EngagementError, match="Title must be on one line"):
        services.open_engagement(title="Urgent care\r\nredesign", actor=make.lead())
    engagement = engagement_at()
    with pytest.raises(services.EngagementError, match="Title must not contain control characters"):
        services.update_challenge(engagement, actor=engagement.lead_user, expected_version=None,
                                  title="Urgent\x1b[31m care", summary="", challenge_statement="", why_now="",
                                  area=None, themes=[], start_date=None, end_date=None, budget_pence=None)
