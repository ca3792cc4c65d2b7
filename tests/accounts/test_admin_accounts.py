"""Administrators invite people and manage their roles and accounts; every change is checked and audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engage.accounts.models import Role, TwoFactorMethod, User
from engage.extensions import db
from engage.mail.services import deliver_due_messages
from engage.organisations.models import OrganisationKind
from tests.accounts.helpers import (
    audit_events,
    error_summary,
    main_text,
    post_form,
    reload,
    soup,
    submit_password,
)
from tests.factories import PASSWORD, latest_message_to, sign_in

LEAD_NEEDS_PUBLIC_SECTOR = "A public-sector lead must belong to a public-sector organisation"
PARTNER_NEEDS_VCFSE = "A VCFSE partner must belong to a VCFSE organisation"


@pytest.fixture
def admin(client, make) -> User:
    admin = make.admin()
    sign_in(client, admin)
    return admin


@pytest.fixture
def vcfse(make):
    return make.organisation(kind=OrganisationKind.VCFSE)


@pytest.fixture
def council(make):
    return make.organisation(kind=OrganisationKind.PUBLIC_SECTOR)


def count_users() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(User.id)))


def kept_input(response, *, name: str, email: str | None = None, role: str, organisation: str) -> None:
    """The form shows again with what was typed and chosen."""
    page = soup(response)
    if email is not None:
        assert page.select_one("input[name=email]")["value"] == email
        assert page.select_one("input[name=name]")["value"] == name
    assert page.select_one(f"input[name=role][value={role}]").has_attr("checked")
    chosen = page.select_one("select[name=organisation] option[selected]")
    assert chosen is not None and chosen["value"] == organisation


# Inviting ----------------------------------------------------------------------------------------

def test_an_invitation_is_emailed_with_a_link_that_works(app, client, admin, vcfse, smtp_server):
    response = post_form(client, "/admin/users/invite", {"name": "Nia Newcomer", "email": "Nia@Example.org",
                                                         "role": "partner", "organisation": str(vcfse.id)})
    deliver_due_messages()

    person = db.session.scalar(select(User).where(User.email == "nia@example.org"))
    assert response.headers["Location"] == f"/admin/users/{person.id}"
    assert person.role is Role.PARTNER and person.organisation_id == vcfse.id and not person.has_password
    [email] = [message for message in smtp_server.messages if message["To"] == "nia@example.org"]
    assert email["Subject"] == "You have been invited to Co-operative Engagement"
    link = re.search(r"http://localhost(/invitation/\S+)", email.get_content()).group(1)
    invitee_browser = app.test_client()
    assert invitee_browser.get(link).headers["Location"] == "/invitation"
    page = invitee_browser.get("/invitation")
    assert page.status_code == 200
    assert vcfse.name in main_text(page)
    assert [(e.actor_id, e.subject_id) for e in audit_events("account.invited")] == [(admin.id, person.id)]


@pytest.mark.parametrize(("role", "organisation", "message"), [
    ("lead", "vcfse", LEAD_NEEDS_PUBLIC_SECTOR),
    ("partner", "council", PARTNER_NEEDS_VCFSE),
    ("partner", "", "Select the person's organisation"),
])
def test_an_invitation_must_match_role_and_organisation_and_keeps_what_was_typed(
        request, client, admin, role, organisation, message):
    organisation_id = str(request.getfixturevalue(organisation).id) if organisation else ""
    users_before = count_users()

    response = post_form(client, "/admin/users/invite", {"name": "Nia Newcomer", "email": "nia@example.org",
                                                         "role": role, "organisation": organisation_id})

    assert response.status_code == 200
    assert message in error_summary(response)
    assert soup(response).select_one(".govuk-error-summary a[href='#organisation']") is not None
    kept_input(response, name="Nia Newcomer", email="nia@example.org", role=role, organisation=organisation_id)
    assert count_users() == users_before
    assert latest_message_to("nia@example.org") is None


def test_an_address_that_already_has_an_account_cannot_be_invited_again(client, admin, make, vcfse):
    partner = make.partner(organisation=vcfse)

    response = post_form(client, "/admin/users/invite", {"name": "Copy", "email": partner.email.upper(),
                                                         "role": "partner", "organisation": str(vcfse.id)})

    assert "Someone with this e-mail address already has an account" in error_summary(response)
    assert audit_events("account.invited") == []


def test_an_incomplete_invitation_says_what_is_missing(client, admin):
    response = post_form(client, "/admin/users/invite", {"name": "", "email": "not-an-address"})

    summary = error_summary(response)
    assert "Enter the person's full name" in summary
    assert "Enter an e-mail address in the correct format" in summary
    assert "Select a role" in summary
    assert soup(response).select_one("input[name=email]")["value"] == "not-an-address"


def test_an_invitation_cannot_be_resent_once_accepted(client, admin, make):
    partner = make.partner()

    response = post_form(client, f"/admin/users/{partner.id}/invitation", token_from=f"/admin/users/{partner.id}")
    page = client.get(response.headers["Location"])

    assert "This person has already accepted their invitation" in error_summary(page)
    assert audit_events("account.invited") == []


# Roles -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "organisation", "message"), [
    ("lead", "vcfse", LEAD_NEEDS_PUBLIC_SECTOR),
    ("partner", "council", PARTNER_NEEDS_VCFSE),
])
def test_a_role_must_match_the_organisation_and_the_form_keeps_the_choice(
        request, client, admin, make, vcfse, role, organisation, message):
    person = make.partner(organisation=vcfse) if role == "lead" else make.lead()
    organisation_id = str(request.getfixturevalue(organisation).id)
    before = (person.role, person.organisation_id)

    response = post_form(client, f"/admin/users/{person.id}/role", {"role": role, "organisation": organisation_id})

    assert response.status_code == 200
    assert message in error_summary(response)
    assert soup(response).title.get_text().startswith("Error: ")
    kept_input(response, name=person.name, role=role, organisation=organisation_id)
    person = reload(person)
    assert (person.role, person.organisation_id) == before
    assert audit_events("account.role_changed") == []


def test_the_role_page_starts_from_the_current_role(client, admin, make, vcfse):
    partner = make.partner(organisation=vcfse)

    page = client.get(f"/admin/users/{partner.id}/role")

    kept_input(page, name=partner.name, role="partner", organisation=str(vcfse.id))


def test_a_role_change_is_made_and_audited(client, admin, make, vcfse, council):
    partner = make.partner(organisation=vcfse, two_factor=TwoFactorMethod.NONE)

    response = post_form(client, f"/admin/users/{partner.id}/role",
                         {"role": "lead", "organisation": str(council.id)})

    assert response.headers["Location"] == f"/admin/users/{partner.id}"
    person = reload(partner)
    assert (person.role, person.organisation_id) == (Role.LEAD, council.id)
    # Leads must use two-factor sign-in, so it comes back on.
    assert person.two_factor_method is TwoFactorMethod.EMAIL
    [event] = audit_events("account.role_changed")
    assert (event.actor_id, event.subject_id) == (admin.id, partner.id)
    assert event.data == {"role": {"from": "partner", "to": "lead"},
                          "organisation_id": {"from": vcfse.id, "to": council.id}}


def test_an_admin_cannot_remove_their_own_admin_role(client, admin, council):
    response = post_form(client, f"/admin/users/{admin.id}/role", {"role": "lead", "organisation": str(council.id)})

    assert "You cannot remove your own administrator role" in error_summary(response)
    assert reload(admin).role is Role.ADMIN


# Deactivation ------------------------------------------------------------------------------------

def test_an_admin_cannot_deactivate_themselves(client, admin):
    own_page = client.get(f"/admin/users/{admin.id}")

    response = post_form(client, f"/admin/users/{admin.id}/deactivate", token_from="/admin/")
    page = client.get(response.headers["Location"])

    assert "Deactivate account" not in main_text(own_page)
    assert "You cannot deactivate your own account" in error_summary(page)
    assert reload(admin).is_active
    assert audit_events("account.deactivated") == []


def test_deactivation_is_audited_and_stops_sign_in_until_reactivated(app, client, admin, make):
    partner = make.partner(two_factor=TwoFactorMethod.NONE)
    user_page = f"/admin/users/{partner.id}"

    post_form(client, f"/admin/users/{partner.id}/deactivate", token_from=user_page)
    refused = submit_password(app.test_client(), partner.email, PASSWORD)
    post_form(client, f"/admin/users/{partner.id}/reactivate", token_from=user_page)
    allowed = submit_password(app.test_client(), partner.email, PASSWORD)

    assert "Enter the e-mail address and password for your account" in error_summary(refused)
    assert allowed.headers["Location"] == "/dashboard"
    assert [(e.action, e.actor_id, e.subject_id) for e in
            audit_events("account.deactivated") + audit_events("account.reactivated")] == [
        ("account.deactivated", admin.id, partner.id), ("account.reactivated", admin.id, partner.id)]


def test_the_user_page_lists_the_changes_made_to_the_account(client, admin, make, vcfse, council):
    partner = make.partner(organisation=vcfse)
    post_form(client, f"/admin/users/{partner.id}/role", {"role": "lead", "organisation": str(council.id)})
    post_form(client, f"/admin/users/{partner.id}/deactivate", token_from=f"/admin/users/{partner.id}")

    page = main_text(client.get(f"/admin/users/{partner.id}"))

    assert "Role changed" in page
    assert "Account deactivated" in page
