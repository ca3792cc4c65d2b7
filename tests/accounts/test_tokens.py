"""Invitation and password-reset links: single use, time-limited, unguessable, and out of the address bar."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engage.accounts.models import TokenPurpose
from engage.mail.models import OutboxMessage
from tests.accounts.helpers import (
    accept_invitation,
    audit_events,
    error_summary,
    invite,
    latest_token,
    main_text,
    move_back,
    post_form,
    reload,
    request_reset,
    tokens,
)
from tests.factories import PASSWORD, latest_message_to, link_in, sign_in, tampered

pytestmark = pytest.mark.date_sensitive

NEW_PASSWORD = "quilted lanterns drift over harbour"
OTHER_PASSWORD = "marble otters juggle tangerines"
INVITATION_EXPIRED = "This invitation has expired"
RESET_EXPIRED = "This link has expired"


def open_link(client, link: str):
    """Follow an e-mailed link as a browser does: the token is swapped for a cookie, then the page loads."""
    first = client.get(link)
    assert first.status_code == 302
    return client.get(first.headers["Location"])


# Invitations -------------------------------------------------------------------------------------

@pytest.fixture
def invitation(make):
    admin = make.admin()
    person, link = invite(admin, organisation=make.organisation())
    return admin, person, link


def test_an_invitation_link_takes_its_token_out_of_the_address_bar(client, invitation):
    _admin, person, link = invitation
    token = link.rsplit("/", 1)[1]

    first = client.get(link)
    page = client.get("/invitation")

    assert first.status_code == 302
    assert first.headers["Location"] == "/invitation"
    assert page.status_code == 200
    assert "Create your account" in main_text(page)
    assert person.organisation.name in main_text(page)
    assert token not in page.get_data(as_text=True)


def test_an_invitation_lasts_seven_days(invitation):
    _admin, person, _link = invitation
    token = latest_token(person, TokenPurpose.INVITATION)

    assert abs(token.expires_at - token.created_at - timedelta(days=7)) < timedelta(seconds=1)


def test_an_invitation_sets_the_password_and_signs_the_person_in(client, invitation):
    _admin, person, link = invitation

    response = accept_invitation(client, link, NEW_PASSWORD)

    assert response.headers["Location"] == "/account/recovery-codes/new"
    assert client.get("/account/").status_code == 200
    assert reload(person).has_password
    assert [e.subject_id for e in audit_events("account.invitation_accepted")] == [person.id]


def test_an_expired_invitation_is_refused(client, invitation):
    _admin, person, link = invitation
    move_back(latest_token(person, TokenPurpose.INVITATION), "expires_at", timedelta(days=7, seconds=1))

    page = open_link(client, link)
    attempt = post_form(client, "/invitation", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                        token_from="/sign-in")

    assert page.status_code == 410
    assert INVITATION_EXPIRED in main_text(page)
    assert attempt.status_code == 410
    assert not reload(person).has_password


def test_an_invitation_link_works_only_once(app, client, invitation):
    _admin, _person, link = invitation
    accept_invitation(client, link, NEW_PASSWORD)

    again = open_link(app.test_client(), link)

    assert again.status_code == 410
    assert INVITATION_EXPIRED in main_text(again)


@pytest.mark.parametrize("alter", [tampered, lambda link: link[:-1], lambda link: link + "x"],
                         ids=["changed", "shortened", "lengthened"])
def test_a_tampered_invitation_link_is_refused(app, client, invitation, alter):
    _admin, _person, link = invitation

    page = open_link(client, alter(link))
    genuine = open_link(app.test_client(), link)

    assert page.status_code == 410
    assert INVITATION_EXPIRED in main_text(page)
    assert genuine.status_code == 200  # trying a forged link does not spoil the real one


def test_a_new_invitation_replaces_the_old_link(app, client, invitation):
    admin, person, old_link = invitation
    sign_in(client, admin)

    post_form(client, f"/admin/users/{person.id}/invitation", token_from=f"/admin/users/{person.id}")
    new_link = link_in(latest_message_to(person.email))

    assert new_link != old_link
    assert open_link(app.test_client(), old_link).status_code == 410
    assert open_link(app.test_client(), new_link).status_code == 200
    assert len(audit_events("account.invited")) == 2


def test_an_invitation_for_a_deactivated_account_is_refused(client, make):
    admin = make.admin()
    person, link = invite(admin, organisation=make.organisation())
    sign_in(client, admin)
    post_form(client, f"/admin/users/{person.id}/deactivate", token_from=f"/admin/users/{person.id}")

    assert open_link(client, link).status_code == 410


@pytest.mark.parametrize("expired", [False, True], ids=["pending", "expired"])
def test_an_invitation_cannot_be_turned_into_an_account_through_password_reset(client, invitation, expired):
    _admin, person, link = invitation
    if expired:
        move_back(latest_token(person, TokenPurpose.INVITATION), "expires_at", timedelta(days=8))

    response = request_reset(client, person.email)

    assert response.status_code == 200
    assert "Check your e-mail" in main_text(response)
    assert link_in(latest_message_to(person.email)) == link  # still only the invitation
    assert tokens(person, TokenPurpose.PASSWORD_RESET) == []


# Password resets ---------------------------------------------------------------------------------

def reset_link_for(client, email: str) -> str:
    request_reset(client, email)
    return link_in(latest_message_to(email))


def choose_password(client, password: str = NEW_PASSWORD):
    # The token comes from another page, so that a refused link still gets a well-formed attempt.
    return post_form(client, "/reset-password", {"password": password, "confirm": password}, token_from="/sign-in")


def test_a_reset_link_takes_its_token_out_of_the_address_bar(client, make):
    partner = make.partner()
    link = reset_link_for(client, partner.email)

    first = client.get(link)
    page = client.get("/reset-password")

    assert first.headers["Location"] == "/reset-password"
    assert page.status_code == 200
    assert link.rsplit("/", 1)[1] not in page.get_data(as_text=True)


def test_a_reset_link_changes_the_password(app, client, make):
    partner = make.partner()
    open_link(client, reset_link_for(client, partner.email))

    response = choose_password(client)

    assert response.headers["Location"] == "/sign-in"
    with_old = sign_in(app.test_client(), partner, PASSWORD)
    assert "Enter the e-mail address and password" in error_summary(with_old)
    browser = app.test_client()
    sign_in(browser, partner, NEW_PASSWORD)
    assert browser.get("/account/").status_code == 200
    assert [e.subject_id for e in audit_events("account.password_reset")] == [partner.id]


def test_a_reset_link_works_only_once(app, client, make):
    partner = make.partner()
    link = reset_link_for(client, partner.email)
    open_link(client, link)
    choose_password(client)

    again = open_link(app.test_client(), link)

    assert again.status_code == 410
    assert RESET_EXPIRED in main_text(again)


def test_a_reset_link_lasts_an_hour(client, make):
    partner = make.partner()
    reset_link_for(client, partner.email)
    token = latest_token(partner, TokenPurpose.PASSWORD_RESET)

    assert abs(token.expires_at - token.created_at - timedelta(hours=1)) < timedelta(seconds=1)


def test_an_expired_reset_link_is_refused(client, make):
    partner = make.partner()
    link = reset_link_for(client, partner.email)
    move_back(latest_token(partner, TokenPurpose.PASSWORD_RESET), "expires_at", timedelta(hours=1, seconds=1))

    page = open_link(client, link)
    attempt = choose_password(client)

    assert page.status_code == 410
    assert RESET_EXPIRED in main_text(page)
    assert attempt.status_code == 410
    assert reload(partner).password_hash == partner.password_hash


def test_a_reset_link_is_void_once_the_password_is_changed_another_way(app, client, make):
    partner = make.partner()
    link = reset_link_for(client, partner.email)
    signed_in_browser = app.test_client()
    sign_in(signed_in_browser, partner)

    changed = post_form(signed_in_browser, "/account/password",
                        {"current": PASSWORD, "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD})
    page = open_link(client, link)

    assert changed.headers["Location"] == "/account/"
    assert page.status_code == 410
    assert RESET_EXPIRED in main_text(page)


def test_a_new_reset_link_voids_the_previous_one(app, client, make):
    partner = make.partner()
    first = reset_link_for(client, partner.email)
    second = reset_link_for(client, partner.email)

    assert open_link(app.test_client(), first).status_code == 410
    assert open_link(app.test_client(), second).status_code == 200


def test_a_tampered_reset_link_is_refused(app, client, make):
    partner = make.partner()
    link = reset_link_for(client, partner.email)

    page = open_link(client, tampered(link))

    assert page.status_code == 410
    assert open_link(app.test_client(), link).status_code == 200


def test_deactivating_an_account_voids_its_reset_link(app, client, make):
    admin = make.admin()
    partner = make.partner()
    link = reset_link_for(client, partner.email)
    admin_browser = app.test_client()
    sign_in(admin_browser, admin)

    post_form(admin_browser, f"/admin/users/{partner.id}/deactivate", token_from=f"/admin/users/{partner.id}")

    assert open_link(client, link).status_code == 410


def test_forgot_password_gives_the_same_answer_for_known_and_unknown_addresses(app, make):
    admin = make.admin()
    known = make.partner()
    inactive = make.partner(active=False)
    invitee, _ = invite(admin, organisation=make.organisation(), email="invitee@example.org")

    answers = [request_reset(app.test_client(), email)
               for email in (known.email, "nobody@example.org", inactive.email, invitee.email)]

    assert {answer.status_code for answer in answers} == {200}
    assert len({main_text(answer) for answer in answers}) == 1
    assert "If the address you entered belongs to an account" in main_text(answers[0])


def test_only_known_active_accounts_get_a_reset_email(app, make):
    admin = make.admin()
    known = make.partner()
    inactive = make.partner(active=False)
    invitee, _ = invite(admin, organisation=make.organisation(), email="invitee@example.org")
    messages_before = OutboxMessage.query.count()

    for email in (known.email.upper(), "nobody@example.org", inactive.email, invitee.email):
        request_reset(app.test_client(), email)

    new = OutboxMessage.query.order_by(OutboxMessage.id).offset(messages_before).all()
    assert [(m.to_address, m.subject) for m in new] == [(known.email, "Reset your Co-operative Engagement password")]
    assert [e.subject_id for e in audit_events("account.password_reset_requested")] == [known.id]
