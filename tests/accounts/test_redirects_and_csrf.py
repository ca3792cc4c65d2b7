"""After signing in, people are only sent to pages on this site; every change needs the form's CSRF token."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from engage.accounts.models import TwoFactorMethod
from engage.security.redirects import safe_next_path
from tests.accounts.helpers import audit_events, main_text, post_form, reload, submit_password
from tests.factories import PASSWORD, csrf_token, sign_in, tampered

# Each is given to the sign-in page as ?next=…, exactly as written here (so %-escapes arrive decoded once).
OFF_SITE = {
    "protocol-relative": "//evil.example",
    "protocol-relative-encoded": "%2F%2Fevil.example",
    "absolute": "https://evil.example",
    "absolute-encoded": "https%3A%2F%2Fevil.example",
    "scheme-without-slashes": "https:evil.example",
    "backslash": "/\\evil.example",
    "backslash-encoded": "/%5Cevil.example",
    "backslashes-encoded": "%5C%5Cevil.example",
    "three-slashes": "///evil.example",
    "tab-inside": "/%09/evil.example",
    "newline-inside": "/%0A/evil.example",
    "javascript": "javascript:alert(1)",
    "javascript-encoded": "javascript%3Aalert(1)",
    "data": "data:text/html,hello",
    "double-encoded": "%252F%252Fevil.example",
    "no-leading-slash": "evil.example/account",
}


@pytest.mark.parametrize("target", OFF_SITE.values(), ids=OFF_SITE.keys())
def test_sign_in_refuses_to_send_people_off_site(client, make, target):
    partner = make.partner(two_factor=TwoFactorMethod.NONE)

    response = submit_password(client, partner.email, PASSWORD, next_path=target)

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_the_code_step_also_refuses_to_send_people_off_site(client, make, target):
    partner = make.partner(two_factor=TwoFactorMethod.EMAIL)

    response = sign_in(client, partner, next_path=target.replace("\\", "%5C"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_sign_in_returns_people_to_the_page_they_asked_for(client, make):
    partner = make.partner(two_factor=TwoFactorMethod.EMAIL)

    asked = client.get("/account/password")
    response = sign_in(client, partner, next_path="/account/password")

    assert asked.headers["Location"] == "/sign-in?next=/account/password"
    assert response.headers["Location"] == "/account/password"
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_path_with_a_query_is_kept(client, make):
    admin = make.admin()

    response = sign_in(client, admin, next_path="/admin/audit%3Fpage%3D2")

    assert response.headers["Location"] == "/admin/audit?page=2"


@pytest.mark.parametrize("target", [*OFF_SITE.values(), "", None, "/" + "a" * 600])
def test_safe_next_path_refuses_anything_but_a_local_path(target):
    assert safe_next_path(unquote(target) if target else target) is None


@pytest.mark.parametrize("target", ["/account/", "/account/password", "/admin/users/3?tab=audit"])
def test_safe_next_path_keeps_local_paths(target):
    assert safe_next_path(target) == target


# CSRF --------------------------------------------------------------------------------------------

def test_signing_in_without_a_form_token_is_refused(client, make):
    partner = make.partner(two_factor=TwoFactorMethod.NONE)
    client.get("/sign-in")

    response = client.post("/sign-in", data={"email": partner.email, "password": PASSWORD})

    assert response.status_code == 400
    assert "Your form has expired or could not be checked" in main_text(response)
    assert client.get("/account/").status_code == 302
    assert audit_events("auth.signed_in") == []


def test_changing_a_password_without_a_form_token_is_refused(client, make):
    partner = make.partner()
    sign_in(client, partner)
    hash_before = reload(partner).password_hash

    response = client.post("/account/password", data={"current": PASSWORD, "password": "quilted lanterns drift",
                                                      "confirm": "quilted lanterns drift"})

    assert response.status_code == 400
    assert reload(partner).password_hash == hash_before


def test_an_admin_change_without_a_form_token_is_refused(client, make):
    admin = make.admin()
    partner = make.partner()
    sign_in(client, admin)

    response = client.post(f"/admin/users/{partner.id}/deactivate")

    assert response.status_code == 400
    assert reload(partner).is_active


def test_another_persons_form_token_is_refused(app, client, make):
    admin = make.admin()
    partner = make.partner()
    sign_in(client, admin)
    someone_else = app.test_client()
    sign_in(someone_else, make.admin())
    their_token = csrf_token(someone_else, "/admin/")

    response = client.post(f"/admin/users/{partner.id}/deactivate", data={"csrf_token": their_token})

    assert response.status_code == 400
    assert reload(partner).is_active
    # The same request with this browser's own token does go through, so the token was the only difference.
    post_form(client, f"/admin/users/{partner.id}/deactivate", token_from="/admin/")
    assert not reload(partner).is_active


def test_a_made_up_form_token_is_refused(client, make):
    admin = make.admin()
    partner = make.partner()
    sign_in(client, admin)
    real = csrf_token(client, "/admin/")

    response = client.post(f"/admin/users/{partner.id}/deactivate", data={"csrf_token": tampered(real)})

    assert response.status_code == 400
    assert reload(partner).is_active


def test_signing_out_by_get_changes_nothing(client, make):
    partner = make.partner()
    sign_in(client, partner)

    response = client.get("/sign-out")

    assert response.status_code == 405
    assert client.get("/account/").status_code == 200


@pytest.mark.parametrize("action", ["deactivate", "reactivate", "invitation"])
def test_admin_changes_by_get_change_nothing(client, make, action):
    admin = make.admin()
    active = make.partner(password=None)
    inactive = make.partner(password=None, active=False)
    sign_in(client, admin)
    person = inactive if action == "reactivate" else active
    invitations_before = len(audit_events("account.invited"))

    response = client.get(f"/admin/users/{person.id}/{action}")

    assert response.status_code == 405
    assert reload(active).is_active and not reload(inactive).is_active
    assert len(audit_events("account.invited")) == invitations_before


@pytest.mark.parametrize("path", ["/account/sign-out-everywhere", "/account/two-factor/email", "/sign-in/code/new"])
def test_other_changes_by_get_are_not_allowed(client, make, path):
    partner = make.partner(two_factor=TwoFactorMethod.TOTP)
    sign_in(client, partner)

    response = client.get(path)

    assert response.status_code == 405
    assert client.get("/account/").status_code == 200
    assert reload(partner).two_factor_method is TwoFactorMethod.TOTP
