"""Sessions the server can end: a copied session cookie stops working the moment the session ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engage.accounts.models import UserSession
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from engage.security.secrets import keyed_hash
from tests.accounts.helpers import (
    main_text,
    move_back,
    post_form,
    refused_to_sign_in,
    replay,
    request_reset,
    session_cookie,
    session_data,
    sessions_of,
    sign_out,
)
from tests.factories import PASSWORD, csrf_token, latest_message_to, link_in, sign_in

pytestmark = pytest.mark.date_sensitive

NEW_PASSWORD = "quilted lanterns drift over harbour"


def signed_in_cookie(client, user) -> str:
    """Sign in and return the session cookie, after checking that a copy of it really gives access."""
    sign_in(client, user)
    cookie = session_cookie(client)
    assert replay(client.application, cookie).status_code == 200
    return cookie


def only_session(user) -> UserSession:
    rows = sessions_of(user)
    assert len(rows) == 1
    return rows[0]


def admin_browser(app, make):
    browser = app.test_client()
    sign_in(browser, make.admin())
    return browser


# Ending a session --------------------------------------------------------------------------------

def test_a_copied_cookie_gives_access_while_the_session_lasts(client, make):
    partner = make.partner()
    cookie = signed_in_cookie(client, partner)

    page = replay(client.application, cookie)

    assert page.status_code == 200
    assert partner.name in main_text(page)


def test_a_copied_cookie_is_refused_after_sign_out(client, make):
    partner = make.partner()
    cookie = signed_in_cookie(client, partner)

    response = sign_out(client)

    assert response.headers["Location"] == "/sign-in"
    assert refused_to_sign_in(replay(client.application, cookie))
    assert refused_to_sign_in(client.get("/account/"))
    assert only_session(partner).end_reason == "signed_out"


def test_a_copied_cookie_is_refused_after_a_password_change(app, client, make):
    partner = make.partner()
    other_device = app.test_client()
    other_cookie = signed_in_cookie(other_device, partner)
    cookie = signed_in_cookie(client, partner)

    response = post_form(client, "/account/password",
                         {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.headers["Location"] == "/account/"
    assert refused_to_sign_in(replay(app, cookie))
    assert refused_to_sign_in(replay(app, other_cookie))
    # The person who changed it carries on, in a new session.
    assert client.get("/account/").status_code == 200
    assert session_cookie(client) != cookie
    assert [row.end_reason for row in sessions_of(partner)] == ["password_changed", "password_changed", None]


def test_a_copied_cookie_is_refused_after_deactivation_and_stays_refused_after_reactivation(app, client, make):
    partner = make.partner()
    cookie = signed_in_cookie(client, partner)
    admin = admin_browser(app, make)

    post_form(admin, f"/admin/users/{partner.id}/deactivate", token_from=f"/admin/users/{partner.id}")
    refused_while_inactive = replay(app, cookie)
    post_form(admin, f"/admin/users/{partner.id}/reactivate", token_from=f"/admin/users/{partner.id}")

    assert refused_to_sign_in(refused_while_inactive)
    assert refused_to_sign_in(replay(app, cookie))
    assert only_session(partner).end_reason == "deactivated"


def test_a_copied_cookie_is_refused_after_a_password_reset(app, client, make):
    partner = make.partner()
    cookie = signed_in_cookie(client, partner)

    elsewhere = app.test_client()
    request_reset(elsewhere, partner.email)
    elsewhere.get(link_in(latest_message_to(partner.email)))
    post_form(elsewhere, "/reset-password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert refused_to_sign_in(replay(app, cookie))
    assert only_session(partner).end_reason == "password_reset"


def test_a_copied_cookie_is_refused_after_a_role_change(app, client, make):
    partner = make.partner()
    council = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR)
    cookie = signed_in_cookie(client, partner)

    response = post_form(admin_browser(app, make), f"/admin/users/{partner.id}/role",
                         {"role": "lead", "organisation": str(council.id)})

    assert response.headers["Location"] == f"/admin/users/{partner.id}"
    assert refused_to_sign_in(replay(app, cookie))
    assert only_session(partner).end_reason == "role_changed"


def test_signing_out_everywhere_ends_every_session(app, client, make):
    partner = make.partner()
    other_cookie = signed_in_cookie(app.test_client(), partner)
    cookie = signed_in_cookie(client, partner)

    post_form(client, "/account/sign-out-everywhere", token_from="/account/")

    assert refused_to_sign_in(replay(app, cookie))
    assert refused_to_sign_in(replay(app, other_cookie))
    assert {row.end_reason for row in sessions_of(partner)} == {"signed_out_everywhere"}


# Time-outs ---------------------------------------------------------------------------------------

def test_a_session_survives_a_pause_shorter_than_the_idle_limit(app, client, make):
    partner = make.partner()
    cookie = signed_in_cookie(client, partner)

    move_back(only_session(partner), "last_seen_at", timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1))

    assert replay(app, cookie).status_code == 200
    assert only_session(partner).ended_at is None


def test_a_session_ends_after_the_idle_time_out(app, client, make):
    partner = make.partner()
    cookie = signed_in_cookie(client, partner)

    move_back(only_session(partner), "last_seen_at", timedelta(minutes=app.config["SESSION_IDLE_MINUTES"], seconds=1))

    assert refused_to_sign_in(replay(app, cookie))
    assert only_session(partner).end_reason == "idle"


def test_a_session_ends_after_the_absolute_time_out_however_active(app, client, make):
    partner = make.partner()
    cookie = signed_in_cookie(client, partner)

    move_back(only_session(partner), "created_at", timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"], seconds=1))

    assert refused_to_sign_in(replay(app, cookie))
    assert only_session(partner).end_reason == "expired"


def test_the_sign_in_page_says_why_someone_was_signed_out(app, client, make):
    partner = make.partner()
    sign_in(client, partner)
    move_back(only_session(partner), "last_seen_at", timedelta(minutes=app.config["SESSION_IDLE_MINUTES"], seconds=1))

    page = client.get("/account/", follow_redirects=True)

    assert page.request.path == "/sign-in"
    assert "You were signed out because you had not done anything for a while" in main_text(page)


def test_a_session_ended_by_time_out_stays_ended(app, client, make):
    partner = make.partner()
    cookie = signed_in_cookie(client, partner)
    row = only_session(partner)
    move_back(row, "last_seen_at", timedelta(minutes=app.config["SESSION_IDLE_MINUTES"], seconds=1))
    replay(app, cookie)

    row = only_session(partner)
    row.last_seen_at = row.created_at  # fresh timestamps do not revive it: an ended session stays ended
    db.session.commit()

    assert refused_to_sign_in(replay(app, cookie))


# A new session at sign-in ------------------------------------------------------------------------

def test_signing_in_starts_a_new_session_identifier(app, client, make):
    partner = make.partner()
    client.get("/sign-in")
    before = session_cookie(client)

    sign_in(client, partner)
    after = session_cookie(client)

    assert after != before
    assert "sid" not in session_data(app, before)
    assert "sid" in session_data(app, after)
    assert refused_to_sign_in(replay(app, before))


def test_each_sign_in_gets_its_own_session_identifier(app, client, make):
    partner = make.partner()
    first = session_data(app, signed_in_cookie(client, partner))["sid"]
    sign_out(client)
    second = session_data(app, signed_in_cookie(client, partner))["sid"]

    assert first != second
    assert len(sessions_of(partner)) == 2


def test_a_form_token_from_before_sign_in_is_refused_after_it(client, make):
    partner = make.partner()
    token_before = csrf_token(client, "/sign-in")

    sign_in(client, partner)
    response = client.post("/sign-out", data={"csrf_token": token_before})

    assert response.status_code == 400
    assert client.get("/account/").status_code == 200


def test_the_cookie_holds_a_random_identifier_that_is_stored_only_as_a_keyed_hash(app, client, make):
    partner = make.partner()
    sid = session_data(app, signed_in_cookie(client, partner))["sid"]

    row = only_session(partner)

    assert len(sid) >= 32
    assert row.token_hash == keyed_hash(sid)
    assert sid not in row.token_hash


def test_the_session_cookie_is_http_only_and_same_site(client, make):
    partner = make.partner()

    response = sign_in(client, partner)

    cookie_header = next(value for value in response.headers.getlist("Set-Cookie")
                         if value.startswith("engage_session="))
    assert "HttpOnly" in cookie_header
    assert "SameSite=Lax" in cookie_header


def test_signed_in_pages_are_not_stored_by_the_browser(client, make):
    partner = make.partner()
    sign_in(client, partner)

    for path in ("/account/", "/account/password", "/account/recovery-codes"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
