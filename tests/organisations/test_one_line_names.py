"""Names of organisations, people, themes and areas are one line: a name with a line break or a control character
is refused with a plain message, on the administrators' pages (keeping what was typed) and from the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engage.accounts import services as accounts
from engage.accounts.models import Role, User
from engage.extensions import db
from engage.organisations import services as organisations
from engage.organisations.models import Organisation, OrganisationKind
from engage.vocabularies import services as vocabularies
from tests.factories import csrf_token
from tests.organisations.test_admin import NEW, error_summary, field_error, parsed, submit

STRONG_PASSWORD = "lantern quarry marmalade bicycle"


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_organisation_name_with_a_line_break_is_refused_and_what_was_typed_is_kept(client, admin):
    before = count(Organisation)
    response = submit(client, NEW, name="Friends of\r\nMillside Park", kind="vcfse", description="", website="")

    assert response.status_code == 200
    page = parsed(response)
    assert error_summary(page) == [("#name", "Name must be on one line")]
    assert field_error(page, "name") == "Name must be on one line"
    assert page.select_one("#name")["value"].replace("\r\n", "\n") == "Friends of\nMillside Park"
    assert count(Organisation) == before


def test_an_invited_persons_name_with_a_control_character_is_refused(client, admin, make):
    charity = make.organisation(kind=OrganisationKind.VCFSE)
    path = "/admin/users/invite"

    response = client.post(path, data={"name": "Nia\x1b[2J Newcomer", "email": "nia@example.org", "role": "partner",
                                       "organisation": str(charity.id), "csrf_token": csrf_token(client, path)})

    assert response.status_code == 200
    page = parsed(response)
    assert ("#name", "Full name must not contain control characters") in error_summary(page)
    assert db.session.scalar(select(User).where(User.email == "nia@example.org")) is None


@pytest.mark.parametrize(("path", "name"), [("/admin/themes/new", "Theme"), ("/admin/areas/new", "Area")])
def test_theme_and_area_names_with_a_line_break_are_refused(client, admin, path, name):
    response = client.post(path, data={"name": "Green\nspaces", "is_active": "y", "parent": "",
                                       "csrf_token": csrf_token(client, path)})

    assert response.status_code == 200
    assert field_error(parsed(response), "name") == f"{name} must be on one line"


def test_the_services_refuse_names_with_line_breaks_whatever_route_they_came_by(make):
    with pytest.raises(organisations.OrganisationError, match="Name must be on one line"):
        organisations.create_organisation(name="A\nB", kind=OrganisationKind.VCFSE)
    charity = make.organisation(kind=OrganisationKind.VCFSE)
    with pytest.raises(organisations.OrganisationError, match="Name must not contain control characters"):
        organisations.update_organisation(charity, name="A\x00B", kind=charity.kind, description="", website="")
    with pytest.raises(accounts.AccountError, match="Full name must be on one line") as refused:
        accounts.create_user(email="nia@example.org", name="Nia\r\nNewcomer", role=Role.PARTNER,
                             organisation=charity)
    assert refused.value.field == "name"
    with pytest.raises(vocabularies.VocabularyError, match="Theme must be on one line"):
        vocabularies.save_theme(None, name="Green\u2028spaces")
    with pytest.raises(vocabularies.VocabularyError, match="Area must be on one line"):
        vocabularies.save_area(None, name="Kirk\nholt", parent=None)


def test_the_command_line_refuses_an_organisation_or_a_person_with_a_name_on_two_lines(app, make):
    runner = app.test_cli_runner()
    before = count(Organisation)

    result = runner.invoke(args=["orgs", "create", "--name", "Northbrook\nFood Network", "--kind", "vcfse"])

    assert result.exit_code == 1
    assert "Name must be on one line" in result.output
    assert count(Organisation) == before

    result = runner.invoke(args=["users", "create", "--email", "new.admin@example.org", "--name", "New\r\nAdmin",
                                 "--role", "admin"], input=f"{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n")

    assert result.exit_code == 1
    assert "Full name must be on one line" in result.output
    assert db.session.scalar(select(User).where(User.email == "new.admin@example.org")) is None
