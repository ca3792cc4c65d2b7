"""Two-factor sign-in: e-mailed codes, an authenticator app, and recovery codes."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest

from engage.accounts import services as accounts
from engage.accounts import two_factor
from engage.accounts.models import TokenPurpose, TwoFactorMethod
from engage.extensions import db
from engage.mail.models import OutboxMessage
from tests.accounts.helpers import (
    accept_invitation,
    audit_events,
    error_summary,
    invite,
    latest_token,
    move_back,
    post_form,
    recovery_codes_on,
    refused_to_sign_in,
    reload,
    sign_out,
    soup,
    submit_code,
    submit_password,
    submit_recovery_code,
)
from tests.factories import PASSWORD, code_in, latest_message_to, sign_in

WRONG_CODE = "The code is not correct or has expired"
NEW_PASSWORD = "quilted lanterns drift over harbour"


def outbox_count() -> int:
    db.session.expire_all()
    return db.session.query(OutboxMessage).count()


def signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


# E-mailed codes ----------------------------------------------------------------------------------

def test_a_password_alone_does_not_sign_in_someone_with_emailed_codes(client, make):
    partner = make.partner(two_factor=TwoFactorMethod.EMAIL)

    response = submit_password(client, partner.email, PASSWORD)

    assert response.headers["Location"] == "/sign-in/code"
    assert not signed_in(client)
    assert latest_message_to(partner.email).subject.endswith("your sign-in code")


def test_an_emailed_code_signs_in_once(client, make):
    partner = make.partner(two_factor=TwoFactorMethod.EMAIL)
    submit_password(client, partner.email, PASSWORD)
    code = code_in(latest_message_to(partner.email))

    first = submit_code(client, code)

    assert first.status_code == 302
    assert signed_in(client)
    assert two_factor.use_email_code(reload(partner), code) is False


def test_a_used_emailed_code_is_refused_at_the_next_sign_in(app, client, make):
    partner = make.partner(two_factor=TwoFactorMethod.EMAIL)
    sign_in(client, partner)
    used = code_in(latest_message_to(partner.email))

    other = app.test_client()
    submit_password(other, partner.email, PASSWORD)
    response = submit_code(other, used)

    assert response.status_code == 200
    assert WRONG_CODE in error_summary(response)
    assert not signed_in(other)


def test_an_emailed_code_lasts_ten_minutes(client, make):
    partner = make.partner(two_factor=TwoFactorMethod.EMAIL)
    submit_password(client, partner.email, PASSWORD)

    token = latest_token(partner, TokenPurpose.SIGN_IN_CODE)

    assert abs(token.expires_at - token.created_at - timedelta(minutes=10)) < timedelta(seconds=1)


def test_an_emailed_code_is_refused_once_it_has_expired(client, make):
    partner = make.partner(two_factor=TwoFactorMethod.EMAIL)
    submit_password(client, partner.email, PASSWORD)
    code = code_in(latest_message_to(partner.email))

    move_back(latest_token(partner, TokenPurpose.SIGN_IN_CODE), "expires_at", timedelta(minutes=10, seconds=1))
    response = submit_code(client, code)

    assert response.status_code == 200
    assert WRONG_CODE in error_summary(response)
    assert not signed_in(client)


def test_asking_for_a_new_code_voids_the_old_one(client, make):
    partner = make.partner(two_factor=TwoFactorMethod.EMAIL)
    submit_password(client, partner.email, PASSWORD)
    old = code_in(latest_message_to(partner.email))

    post_form(client, "/sign-in/code/new", token_from="/sign-in/code")
    new = code_in(latest_message_to(partner.email))
    with_old = submit_code(client, old)
    with_new = submit_code(client, new)

    assert WRONG_CODE in error_summary(with_old)
    assert with_new.status_code == 302
    assert signed_in(client)


# Authenticator app -------------------------------------------------------------------------------

def secret_on(response) -> str:
    secret = soup(response).select_one("code.engage-secret")
    assert secret is not None, "the set-up page shows no key"
    return secret.get_text().strip()


def set_up_app(client) -> str:
    secret = secret_on(client.get("/account/two-factor/app"))
    response = post_form(client, "/account/two-factor/app", {"code": pyotp.TOTP(secret).now()},
                         token_from="/account/")
    assert response.status_code == 302
    return secret


def next_step_code(secret: str) -> str:
    # The code used to set the app up cannot be used again, so sign in with the next one (within the drift allowed).
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_setting_up_an_authenticator_app_shows_a_key_and_needs_a_code_from_it(client, make):
    partner = make.partner()
    sign_in(client, partner)

    page = client.get("/account/two-factor/app")
    secret = secret_on(page)
    wrong = post_form(client, "/account/two-factor/app", {"code": "123456"}, token_from="/account/")
    assert reload(partner).two_factor_method is TwoFactorMethod.EMAIL
    assert secret_on(wrong) == secret  # the same key, so the person can simply try again
    right = post_form(client, "/account/two-factor/app", {"code": pyotp.TOTP(secret).now()},
                      token_from="/account/")

    assert page.status_code == 200
    assert soup(page).select_one(".engage-qr svg") is not None
    assert "The code is not correct" in error_summary(wrong)
    assert right.headers["Location"] == "/account/"
    partner = reload(partner)
    assert partner.two_factor_method is TwoFactorMethod.TOTP
    assert partner.totp_secret == secret
    assert [e.data["method"] for e in audit_events("account.two_factor_changed")] == [{"from": "email", "to": "totp"}]


def test_after_setting_up_an_app_sign_in_needs_its_code_and_sends_no_email(app, client, make):
    partner = make.partner()
    sign_in(client, partner)
    secret = set_up_app(client)
    sign_out(client)
    messages_before = outbox_count()

    after_password = submit_password(client, partner.email, PASSWORD)
    code_page = client.get("/sign-in/code")
    response = submit_code(client, next_step_code(secret))

    assert after_password.headers["Location"] == "/sign-in/code"
    assert "authenticator app" in code_page.get_data(as_text=True)
    assert outbox_count() == messages_before
    assert response.status_code == 302
    assert signed_in(client)


def test_a_wrong_app_code_is_refused(client, make):
    partner = make.partner(two_factor=TwoFactorMethod.TOTP)
    submit_password(client, partner.email, PASSWORD)
    right = pyotp.TOTP(partner.totp_secret).now()

    response = submit_code(client, f"{(int(right) + 1) % 1_000_000:06d}")

    assert WRONG_CODE in error_summary(response)
    assert not signed_in(client)


def test_an_app_code_cannot_be_replayed(app, client, make):
    partner = make.partner(two_factor=TwoFactorMethod.TOTP)
    code = pyotp.TOTP(partner.totp_secret).now()
    submit_password(client, partner.email, PASSWORD)
    assert submit_code(client, code).status_code == 302

    other = app.test_client()
    submit_password(other, partner.email, PASSWORD)
    replayed = submit_code(other, code)

    assert replayed.status_code == 200
    assert WRONG_CODE in error_summary(replayed)
    assert not signed_in(other)
    assert submit_code(other, next_step_code(partner.totp_secret)).status_code == 302


# Turning two-factor sign-in off ------------------------------------------------------------------

@pytest.mark.parametrize("role", ["lead", "admin"])
def test_leads_and_admins_cannot_turn_two_factor_sign_in_off(client, make, role):
    person = getattr(make, role)()
    sign_in(client, person)

    page = client.get("/account/two-factor/off")
    response = post_form(client, "/account/two-factor/off", {"password": PASSWORD}, token_from="/account/")

    assert page.status_code == 302
    assert response.status_code == 302
    assert reload(person).two_factor_method is TwoFactorMethod.EMAIL
    with pytest.raises(accounts.AccountError, match="required for your role"):
        accounts.set_two_factor_method(reload(person), TwoFactorMethod.NONE)
    db.session.rollback()


def test_a_partner_can_turn_two_factor_sign_in_off_with_their_password(client, make):
    partner = make.partner()
    sign_in(client, partner)

    wrong = post_form(client, "/account/two-factor/off", {"password": "not my password"})
    assert reload(partner).two_factor_method is TwoFactorMethod.EMAIL
    right = post_form(client, "/account/two-factor/off", {"password": PASSWORD})
    sign_out(client)
    password_only = submit_password(client, partner.email, PASSWORD)

    assert "Your password is not correct" in error_summary(wrong)
    assert right.headers["Location"] == "/account/"
    assert reload(partner).two_factor_method is TwoFactorMethod.NONE
    assert password_only.headers["Location"] == "/dashboard"
    assert signed_in(client)


# Recovery codes ----------------------------------------------------------------------------------

def join(client, make) -> tuple:
    """Accept an invitation; returns the new account and the recovery codes shown."""
    admin = make.admin()
    person, link = invite(admin, organisation=make.organisation())
    response = accept_invitation(client, link, NEW_PASSWORD)
    assert response.headers["Location"] == "/account/recovery-codes/new"
    codes = recovery_codes_on(client.get("/account/recovery-codes/new"))
    return person, codes


def sign_in_with_recovery_code(app, person, code: str):
    browser = app.test_client()
    submit_password(browser, person.email, NEW_PASSWORD)
    return browser, submit_recovery_code(browser, code)


def test_recovery_codes_are_shown_once_on_accepting_an_invitation(client, make):
    _person, codes = join(client, make)

    again = client.get("/account/recovery-codes/new")

    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert again.headers["Location"] == "/account/recovery-codes"
    assert codes[0] not in client.get("/account/recovery-codes").get_data(as_text=True)


def test_each_recovery_code_signs_in_once(app, client, make):
    person, codes = join(client, make)

    first_browser, first = sign_in_with_recovery_code(app, person, codes[0])
    second_browser, second = sign_in_with_recovery_code(app, person, codes[0])
    third_browser, third = sign_in_with_recovery_code(app, person, codes[1])

    assert first.status_code == 302 and signed_in(first_browser)
    assert "not correct or has already been used" in error_summary(second)
    assert not signed_in(second_browser)
    assert third.status_code == 302 and signed_in(third_browser)
    assert two_factor.recovery_codes_left(reload(person)) == 8


def test_recovery_codes_are_accepted_without_dashes_or_case(app, client, make):
    person, codes = join(client, make)

    browser, response = sign_in_with_recovery_code(app, person, codes[0].replace("-", "").upper())

    assert response.status_code == 302
    assert signed_in(browser)


def test_a_recovery_code_sign_in_is_audited(app, client, make):
    person, codes = join(client, make)

    sign_in_with_recovery_code(app, person, codes[3])

    used = audit_events("auth.recovery_code_used")
    assert [(e.actor_id, e.subject_id, e.data) for e in used] == [(person.id, person.id, {"codes_left": 9})]
    assert audit_events("auth.signed_in")[-1].data == {"method": "recovery_code"}


def test_replacing_recovery_codes_shows_new_ones_once_and_voids_the_old(app, client, make):
    person, old_codes = join(client, make)

    response = post_form(client, "/account/recovery-codes")
    new_codes = recovery_codes_on(client.get("/account/recovery-codes/new"))
    shown_again = client.get("/account/recovery-codes/new")
    _, with_old = sign_in_with_recovery_code(app, person, old_codes[0])
    _, with_new = sign_in_with_recovery_code(app, person, new_codes[0])

    assert response.headers["Location"] == "/account/recovery-codes/new"
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert shown_again.headers["Location"] == "/account/recovery-codes"
    assert "not correct or has already been used" in error_summary(with_old)
    assert with_new.status_code == 302
    assert len(audit_events("account.recovery_codes_replaced")) == 1


def test_a_recovery_code_is_refused_without_the_password_first(app, client, make):
    person, codes = join(client, make)

    stranger = app.test_client()
    response = post_form(stranger, "/sign-in/recovery-code", {"code": codes[0]}, token_from="/sign-in")

    assert refused_to_sign_in(response)
    assert not signed_in(stranger)
    assert two_factor.recovery_codes_left(reload(person)) == 10
