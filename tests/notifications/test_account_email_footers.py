"""Security e-mails (sign-in codes, invitations, password resets) end with a line saying they are always
sent, and, where the person has an account, where to choose which other e-mails they get. The footer comes
after the action, so the first link in the e-mail is still the one to act on."""

from __future__ import annotations

from engage.accounts import services as accounts
from engage.accounts import two_factor
from engage.accounts.models import Role
from engage.extensions import db
from tests.factories import Factories, code_in, latest_message_to, link_in

PREFERENCES = "Choose which other e-mails you get: http://localhost/account/notifications"


def test_a_sign_in_code_says_it_is_always_sent(make: Factories) -> None:
    user = make.lead()
    two_factor.send_email_code(user)
    db.session.commit()
    message = latest_message_to(user.email)
    assert message.body_text.rstrip().endswith(f"We always send security e-mails like this one. {PREFERENCES}")
    assert message.body_text.index(code_in(message)) < message.body_text.index("---")


def test_a_password_reset_keeps_its_link_first(make: Factories) -> None:
    user = make.partner()
    accounts.request_password_reset(user.email)
    db.session.commit()
    message = latest_message_to(user.email)
    assert message.body_text.rstrip().endswith(PREFERENCES)
    assert link_in(message).startswith("/reset-password/")


def test_an_invitation_says_where_to_choose_once_there_is_an_account(make: Factories) -> None:
    admin = make.admin()
    organisation = make.organisation()
    accounts.invite_user(email="nia@example.org", name="Nia Newcomer", role=Role.PARTNER,
                         organisation=organisation, actor=admin)
    db.session.commit()
    message = latest_message_to("nia@example.org")
    assert "We always send security e-mails like this one. Once you have an account, you can choose which " \
           "other e-mails you get from your account page." in message.body_text
    assert "/account/notifications" not in message.body_text  # no account yet to choose with
    assert link_in(message).startswith("/invitation/")
