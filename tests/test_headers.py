"""Security headers, word for word, on a public page and a signed-in page; cookie attributes."""

from __future__ import annotations

import re
import secrets

import pytest

from engage import create_app
from tests.databases import dispose
from tests.factories import sign_in

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
NONCE = re.compile(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{22,})'")


def expected_policy(nonce: str) -> str:
    return ("default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; "
            "img-src 'self' data:; "
            "font-src 'self'; "
            "connect-src 'self'; "
            "object-src 'none'; "
            "base-uri 'none'; "
            "form-action 'self'; "
            "frame-ancestors 'none'")


def nonce_of(response) -> str:
    match = NONCE.search(response.headers["Content-Security-Policy"])
    assert match, response.headers["Content-Security-Policy"]
    return match.group(1)


def inline_scripts(html: str) -> list[tuple[str, str]]:
    """(attributes, body) of every <script> with content of its own."""
    return [(attributes, body) for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
            if body.strip()]


def assert_strict_headers(response) -> str:
    nonce = nonce_of(response)
    policy = response.headers["Content-Security-Policy"]
    assert policy == expected_policy(nonce)
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    for name, value in COMMON.items():
        assert response.headers[name] == value, name
    html = response.get_data(as_text=True)
    scripts = inline_scripts(html)
    assert scripts, "the layout's one inline script should be on the page"
    for attributes, _ in scripts:
        assert f' nonce="{nonce}"' in attributes
    assert "style=" not in html, "inline styles are refused by the policy"
    return nonce


def test_a_public_page_has_the_strict_headers_and_may_be_cached(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_strict_headers(response)
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Strict-Transport-Security" not in response.headers
    assert "Set-Cookie" not in response.headers, "a public page does not start a session"


@pytest.mark.no_app_context  # the nonce lives as long as the request's app context, as in production
def test_the_nonce_is_new_for_every_request(client):
    nonces = {assert_strict_headers(client.get("/")) for _ in range(3)}
    assert len(nonces) == 3


def test_a_signed_in_page_has_the_strict_headers_and_is_never_stored(client, make):
    sign_in(client, make.admin())
    response = client.get("/admin/organisations/")
    assert response.status_code == 200
    assert_strict_headers(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


def test_the_home_page_is_not_stored_while_signed_in(client, make):
    sign_in(client, make.partner())
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_error_pages_have_the_strict_headers_too(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert_strict_headers(response)


def test_hsts_is_sent_only_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/", base_url="http://localhost").headers


def session_cookie(response) -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("engage_session=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def test_the_session_cookie_is_http_only_and_same_site_lax(client, make):
    response = sign_in(client, make.partner())
    cookie = session_cookie(response)
    assert "; HttpOnly" in cookie
    assert "; SameSite=Lax" in cookie


@pytest.fixture
def production_app(database_url: str):
    app = create_app("production", {"SECRET_KEY": secrets.token_urlsafe(48),
                                    "SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    dispose(app)


def test_under_the_production_config_the_session_cookie_is_secure_http_only_and_same_site_lax(production_app):
    config = production_app.config
    assert (config["SESSION_COOKIE_SECURE"], config["SESSION_COOKIE_HTTPONLY"],
            config["SESSION_COOKIE_SAMESITE"]) == (True, True, "Lax")

    # The sign-in form keeps its CSRF secret in the session, so showing it sets the cookie.
    response = production_app.test_client().get("/sign-in", base_url="https://localhost")
    assert response.status_code == 200
    cookie = session_cookie(response)
    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie
    assert "; SameSite=Lax" in cookie
