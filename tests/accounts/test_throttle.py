"""Sign-in is throttled per account and per network address, and every failure is audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engage.accounts.models import LoginFailure, TwoFactorMethod
from engage.extensions import db
from tests.accounts.helpers import (
    audit_events,
    error_summary,
    main_text,
    move_back,
    refused_to_sign_in,
    submit_code,
    submit_password,
)
from tests.factories import PASSWORD, code_in, latest_message_to

THROTTLED = "You have tried to sign in too many times"
WRONG = "Enter the e-mail address and password for your account"
WRONG_PASSWORD = "not my password at all"


def fail_to_sign_in(client, email: str, times: int, *, address: str | None = None) -> None:
    """Wrong passwords; each from its own address unless one is given, so only the account is counted."""
    for n in range(times):
        response = submit_password(client, email, WRONG_PASSWORD, address=address or f"198.51.100.{n + 1}")
        assert response.status_code == 200
        assert WRONG in error_summary(response)


def test_the_limit_is_ten_failures(app):
    assert app.config["LOGIN_MAX_FAILURES"] == 10


def test_correct_password_is_refused_after_ten_failures_for_the_account(app, client, make):
    partner = make.partner(two_factor=TwoFactorMethod.NONE)
    fail_to_sign_in(client, partner.email, app.config["LOGIN_MAX_FAILURES"])

    response = submit_password(client, partner.email, PASSWORD, address="198.51.100.200")

    assert response.status_code == 429
    assert THROTTLED in error_summary(response)
    assert refused_to_sign_in(client.get("/account/"))
    assert len(audit_events("auth.sign_in_throttled")) == 1


def test_nine_failures_still_let_the_right_password_in(app, client, make):
    partner = make.partner(two_factor=TwoFactorMethod.NONE)
    fail_to_sign_in(client, partner.email, app.config["LOGIN_MAX_FAILURES"] - 1)

    response = submit_password(client, partner.email, PASSWORD, address="198.51.100.200")

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_failures_from_one_address_throttle_every_account_tried_from_it(app, client, make):
    partner = make.partner(two_factor=TwoFactorMethod.NONE)
    for n in range(app.config["LOGIN_MAX_FAILURES"]):
        submit_password(client, f"guess{n}@example.org", WRONG_PASSWORD, address="203.0.113.9")

    from_that_address = submit_password(client, partner.email, PASSWORD, address="203.0.113.9")
    from_elsewhere = submit_password(app.test_client(), partner.email, PASSWORD, address="203.0.113.10")

    assert from_that_address.status_code == 429
    assert THROTTLED in error_summary(from_that_address)
    assert from_elsewhere.status_code == 302
    assert from_elsewhere.headers["Location"] == "/dashboard"


def test_an_unknown_address_gets_the_same_answer_as_a_wrong_password(client, make):
    partner = make.partner(two_factor=TwoFactorMethod.NONE)

    known = submit_password(client, partner.email, WRONG_PASSWORD)
    unknown = submit_password(client, "nobody@example.org", WRONG_PASSWORD)

    assert known.status_code == unknown.status_code == 200
    assert WRONG in error_summary(known)
    assert error_summary(known) == error_summary(unknown)
    assert main_text(known) == main_text(unknown)


def test_unknown_addresses_are_throttled_with_the_same_answer_as_known_ones(app, client, make):
    partner = make.partner(two_factor=TwoFactorMethod.NONE)
    limit = app.config["LOGIN_MAX_FAILURES"]
    fail_to_sign_in(client, partner.email, limit)
    fail_to_sign_in(client, "nobody@example.org", limit)

    known = submit_password(client, partner.email, PASSWORD, address="198.51.100.200")
    unknown = submit_password(client, "nobody@example.org", PASSWORD, address="198.51.100.201")

    assert known.status_code == unknown.status_code == 429
    assert error_summary(known) == error_summary(unknown)
    assert THROTTLED in error_summary(unknown)


def test_failed_sign_ins_are_audited_with_their_reason(client, make):
    partner = make.partner(two_factor=TwoFactorMethod.NONE)
    former = make.partner(two_factor=TwoFactorMethod.NONE, active=False)

    submit_password(client, partner.email, WRONG_PASSWORD)
    submit_password(client, "nobody@example.org", WRONG_PASSWORD)
    submit_password(client, former.email, PASSWORD)

    events = audit_events("auth.sign_in_failed")
    assert [(e.actor_id, e.subject_id, e.data["reason"]) for e in events] == [
        (partner.id, partner.id, "password"),
        (None, None, "unknown"),
        (former.id, former.id, "inactive"),
    ]


def test_wrong_two_factor_codes_count_towards_the_limit(app, client, make):
    partner = make.partner(two_factor=TwoFactorMethod.EMAIL)
    assert submit_password(client, partner.email, PASSWORD).headers["Location"] == "/sign-in/code"
    right = code_in(latest_message_to(partner.email))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        response = submit_code(client, wrong)
        assert response.status_code == 200
        assert "The code is not correct" in error_summary(response)
    with_right_code = submit_code(client, right)
    with_password_again = submit_password(app.test_client(), partner.email, PASSWORD, address="198.51.100.200")

    assert with_right_code.status_code == 429
    assert "too many wrong codes" in error_summary(with_right_code)
    assert refused_to_sign_in(client.get("/account/"))
    assert with_password_again.status_code == 429
    assert [e.data["reason"] for e in audit_events("auth.sign_in_failed")] == ["code"] * 10


def test_the_limit_lifts_once_the_failures_are_older_than_the_window(app, client, make):
    partner = make.partner(two_factor=TwoFactorMethod.NONE)
    fail_to_sign_in(client, partner.email, app.config["LOGIN_MAX_FAILURES"])
    assert submit_password(client, partner.email, PASSWORD).status_code == 429

    window = timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"], seconds=1)
    for failure in db.session.scalars(select(LoginFailure)):
        move_back(failure, "occurred_at", window)
    response = submit_password(client, partner.email, PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
