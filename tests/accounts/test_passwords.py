"""New passwords: long passphrases welcome, weak and common ones refused in plain English."""

from __future__ import annotations

import argon2
import pytest

from engage.accounts.models import TwoFactorMethod
from engage.accounts.passwords import password_problem
from tests.accounts import conftest
from tests.accounts.helpers import (
    accept_invitation,
    error_summary,
    invite,
    post_form,
    reload,
    request_reset,
    soup,
    submit_password,
)
from tests.factories import PASSWORD, latest_message_to, link_in, sign_in

HARDER_TO_GUESS = "Choose a password that is harder to guess, for example three or four random words"
STRONG = "quilted lanterns drift over harbour"
WORDS = "copper kestrel mulberry lantern drizzle saxophone tundra marmalade velvet harbour quince orbit "


def passphrase(length: int) -> str:
    return (WORDS * 3)[:length - 1] + "!"


@pytest.fixture
def invitation(make):
    admin = make.admin()
    return invite(admin, organisation=make.organisation(), name="Marjorie Stewart-Baxter",
                  email="marjorie.stewart-baxter@example.org")


@pytest.mark.parametrize("weak", ["password123", "qwertyuiop", "Password1!", "iloveyou2020", "letmein!"])
def test_weak_and_common_passwords_are_refused_in_plain_english(client, invitation, weak):
    person, link = invitation

    response = accept_invitation(client, link, weak)

    assert response.status_code == 200
    assert HARDER_TO_GUESS in error_summary(response)
    assert soup(response).title.get_text().startswith("Error: ")
    assert not reload(person).has_password
    # The invitation is not used up by a refused password.
    assert accept_invitation(client, link, STRONG).headers["Location"] == "/account/recovery-codes/new"


def test_a_password_made_of_the_persons_own_details_is_refused(client, invitation):
    person, link = invitation
    assert password_problem("Marjorie Stewart-Baxter") is None  # strong enough for someone else

    response = accept_invitation(client, link, "Marjorie Stewart-Baxter")

    assert HARDER_TO_GUESS in error_summary(response)
    assert not reload(person).has_password


def test_a_short_password_is_refused(client, invitation):
    person, link = invitation

    response = accept_invitation(client, link, "Tr0ub4!")

    assert "Password must be 8 characters or more" in error_summary(response)
    assert not reload(person).has_password


def test_a_mistyped_confirmation_is_refused(client, invitation):
    person, link = invitation

    response = accept_invitation(client, link, STRONG, confirm=STRONG + "s")

    assert "The passwords do not match" in error_summary(response)
    assert not reload(person).has_password


@pytest.mark.parametrize("length", [64, 72, 73, 100, 128])
def test_long_passphrases_are_accepted_and_sign_in(app, client, invitation, length):
    person, link = invitation
    password = passphrase(length)
    assert len(password) == length

    response = accept_invitation(client, link, password)
    browser = app.test_client()
    sign_in(browser, reload(person), password)

    assert response.headers["Location"] == "/account/recovery-codes/new"
    assert browser.get("/account/").status_code == 200


def test_a_password_over_128_characters_is_refused(client, invitation):
    person, link = invitation

    response = accept_invitation(client, link, passphrase(129))

    assert response.status_code == 200
    assert "Password must be 128 characters or fewer" in error_summary(response)
    assert not reload(person).has_password


def test_any_characters_are_allowed_including_spaces_and_emoji(app, client, invitation):
    person, link = invitation
    password = "Ça va très bien — merci, 雨の日 🌧"

    accept_invitation(client, link, password)
    browser = app.test_client()
    sign_in(browser, reload(person), password)

    assert browser.get("/account/").status_code == 200


def test_changing_a_password_checks_the_current_one_and_the_new_ones_strength(client, make):
    partner = make.partner()
    sign_in(client, partner)
    hash_before = reload(partner).password_hash

    wrong_current = post_form(client, "/account/password",
                              {"current": "not my password", "password": STRONG, "confirm": STRONG})
    weak_new = post_form(client, "/account/password",
                         {"current": PASSWORD, "password": "password123", "confirm": "password123"})

    assert "Your current password is not correct" in error_summary(wrong_current)
    assert HARDER_TO_GUESS in error_summary(weak_new)
    assert reload(partner).password_hash == hash_before


def test_a_reset_password_is_checked_for_strength(client, make):
    partner = make.partner()
    request_reset(client, partner.email)
    client.get(link_in(latest_message_to(partner.email)))
    hash_before = reload(partner).password_hash

    response = post_form(client, "/reset-password", {"password": "qwertyuiop", "confirm": "qwertyuiop"})

    assert HARDER_TO_GUESS in error_summary(response)
    assert reload(partner).password_hash == hash_before


def test_a_refused_sign_in_keeps_the_email_address_but_not_the_password(client, make):
    partner = make.partner(two_factor=TwoFactorMethod.NONE)

    response = submit_password(client, partner.email, "not my password")

    page = soup(response)
    assert page.select_one("input[name=email]")["value"] == partner.email
    assert not page.select_one("input[name=password]").get("value")


# Storage -----------------------------------------------------------------------------------------

def test_passwords_are_stored_as_argon2id_hashes(make):
    partner = make.partner()

    assert partner.password_hash.startswith("$argon2id$")
    assert PASSWORD not in partner.password_hash


def test_the_service_hashes_at_least_at_the_recommended_argon2id_cost():
    parameters = argon2.extract_parameters(conftest.PRODUCTION_HASHER.hash(STRONG))

    assert parameters.type is argon2.Type.ID
    # The minimum recommended for Argon2id: 19 MiB of memory and two passes (or more memory, fewer passes).
    assert parameters.memory_cost >= 19 * 1024
    assert parameters.time_cost >= 2 or parameters.memory_cost >= 46 * 1024


def test_unknown_addresses_are_checked_against_a_hash_that_costs_the_same():
    real = argon2.extract_parameters(conftest.PRODUCTION_HASHER.hash(STRONG))
    dummy = argon2.extract_parameters(conftest.PRODUCTION_DUMMY_HASH)

    assert dummy == real
