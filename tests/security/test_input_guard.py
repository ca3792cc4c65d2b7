"""Hostile characters and sizes are refused before any view sees them: a NUL character in any address, query
string or form field gets a plain 400 page (JSON under the API) on both databases, never an error page, and a
form body larger than any form needs gets 413 at once, without being read or shown back."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter, Rule, UnicodeConverter

from engage.engagements.models import ProgressUpdate, Step
from engage.extensions import db
from engage.following.models import FollowRequest
from tests.engagements.conftest import engagement_at, post  # noqa: F401 - the fixture
from tests.factories import csrf_token, sign_in
from tests.public.page_records import build_world

NUL_PAGE = "holds a character the service cannot accept (a NUL character)"


def _value(converter) -> str:
    """A NUL for a text part; a real value for parts that cannot hold one, so the rest of the path is found."""
    if isinstance(converter, IntegerConverter):
        return "1"
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "\x00"


def _with_nul(rule: Rule) -> str:
    return rule.build({name: _value(c) for name, c in rule._converters.items()}, append_unknown=False)[1]


def _text_rules(app: Flask) -> list[Rule]:
    """Every address with a text part (a slug, a token, a name) that can be asked for with GET."""
    return [rule for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ()) and any(type(c) in (UnicodeConverter, PathConverter)
                                                     for c in rule._converters.values())]


def test_every_address_with_a_nul_in_a_slug_gets_a_plain_400(app: Flask, client):
    rules = _text_rules(app)
    named = {rule.rule for rule in rules}
    # The addresses found to fail on PostgreSQL, among all the others.
    assert {"/engagements/<slug>", "/api/v1/engagements/<slug>", "/organisations/<slug>"} <= named
    assert any(rule.startswith("/follow/<") for rule in named)
    for rule in rules:
        path = _with_nul(rule)
        assert "%00" in path, rule.rule
        response = client.get(path)
        assert response.status_code == 400, (rule.rule, response.status_code)
        if path.startswith("/api/"):
            error = response.get_json()["error"]
            assert error["status"] == 400 and NUL_PAGE in error["message"], rule.rule
        else:
            assert NUL_PAGE in response.get_data(as_text=True), rule.rule


@pytest.mark.parametrize("path", ["/engagements/%00", "/api/v1/engagements/%00", "/organisations/%00",
                                  "/follow/area/%00", "/engagements/x%00y/versions/1", "/workspace/%00/"])
def test_the_addresses_reported_answer_400_signed_in_or_not(client, make, path):
    assert client.get(path).status_code == 400
    sign_in(client, make.admin())
    assert client.get(path).status_code == 400


@pytest.mark.parametrize("query", ["q=%00", "q=care%00", "theme=%00", "%00=1", "page=1%00"])
def test_a_nul_in_the_query_string_gets_400(client, query):
    for path in ("/engagements", "/api/v1/engagements", "/insights", "/engagements.csv", "/report-card"):
        assert client.get(f"{path}?{query}").status_code == 400, path


@pytest.fixture
def follow_path(engagement_at, make) -> str:  # noqa: F811 - the fixture imported above
    return f"/follow/area/{build_world(engagement_at, make).area.slug}"


def test_a_nul_in_a_public_form_gets_400_and_nothing_is_kept(client, follow_path):
    path = follow_path
    assert client.get(path).status_code == 200
    token = csrf_token(client, path)

    response = client.post(path, data={"email": "resident\x00@example.org", "csrf_token": token})

    assert response.status_code == 400
    assert NUL_PAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(FollowRequest.id))) == 0


def test_a_nul_in_a_workspace_form_gets_400_and_nothing_is_saved(client, engagement_at):  # noqa: F811
    engagement = engagement_at(Step.COLLABORATORS)
    sign_in(client, engagement.lead_user)
    path = f"/workspace/{engagement.slug}/updates"

    refused = post(client, path, {"body": "We met on Tuesday.\x00"})
    in_a_name = post(client, path, {"body": "We met on Tuesday.", "bo\x00dy": "x"})

    assert (refused.status_code, in_a_name.status_code) == (400, 400)
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 0


def test_a_nul_in_an_uploaded_file_name_gets_400(client, engagement_at):  # noqa: F811
    import io

    engagement = engagement_at(Step.STORY)
    sign_in(client, engagement.lead_user)
    path = f"/workspace/{engagement.slug}/outputs"
    response = client.post(path, data={"title": "Report", "kind": "report", "description": "", "url": "",
                                       "csrf_token": csrf_token(client, path),
                                       "upload": (io.BytesIO(b"hello"), "report\x00.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 400


def test_a_form_larger_than_any_form_needs_gets_413_at_once(app: Flask, client, follow_path):
    path = follow_path
    token = csrf_token(client, path)
    limit = app.config["MAX_FORM_MEMORY_SIZE"]

    response = client.post(path, data={"email": "a" * (10 * 1024 * 1024), "csrf_token": token})

    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "What you sent is too large" in page
    assert "aaaaaaaaaa" not in page, "what was sent is not shown back"
    # A form within the limit is read as usual.
    assert client.post(path, data={"email": "a" * (limit // 2), "csrf_token": token}).status_code == 200


def test_the_form_limit_holds_every_form_of_the_service(app: Flask):
    # The longest form: the story's five sections of 10,000 characters, each character four bytes in UTF-8 and
    # three times that when a browser encodes the form.
    assert app.config["MAX_FORM_MEMORY_SIZE"] >= 5 * 10_000 * 4 * 3
    assert app.config["MAX_FORM_MEMORY_SIZE"] < app.config["MAX_CONTENT_LENGTH"]


def test_a_text_field_of_an_upload_form_is_held_to_the_form_limit(app: Flask, client, engagement_at):  # noqa: F811
    import io

    engagement = engagement_at(Step.STORY)
    sign_in(client, engagement.lead_user)
    path = f"/workspace/{engagement.slug}/outputs"
    response = client.post(path, data={"title": "Report", "kind": "report", "url": "",
                                       "description": "a" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1),
                                       "csrf_token": csrf_token(client, path),
                                       "upload": (io.BytesIO(b"hello"), "report.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


@pytest.mark.parametrize(("path", "status"), [("/no-such-page", 404), ("/api/v1/engagements", 405)])
def test_a_body_no_view_reads_is_not_read(client, path, status):
    # An upload posted where nothing takes one is answered as the address would be, without being parsed: a NUL
    # in it would otherwise be found, and a 400 given instead.
    import io

    response = client.post(path, data={"title": "x\x00", "upload": (io.BytesIO(b"x" * 100_000), "report.txt")},
                           content_type="multipart/form-data")

    assert response.status_code == status
