"""Administrators add and edit organisations: slugs, duplicate names, kinds, web addresses, audit events."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from engage.audit.models import AuditEvent
from engage.extensions import db
from engage.organisations.models import Organisation, OrganisationKind
from tests.factories import csrf_token, sign_in

NEW = "/admin/organisations/new"


def submit(client, path: str, **fields: str):
    return client.post(path, data={**fields, "csrf_token": csrf_token(client, path)})


def organisation_named(name: str) -> Organisation | None:
    db.session.expire_all()
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def error_summary(page: BeautifulSoup) -> list[tuple[str, str]]:
    """(link target, message) for each entry in the GOV.UK error summary."""
    summary = page.select_one(".govuk-error-summary")
    assert summary is not None, "no error summary on the page"
    assert summary.select_one(".govuk-error-summary__title").get_text(strip=True) == "There is a problem"
    return [(link["href"], link.get_text(strip=True)) for link in summary.select(".govuk-error-summary__list a")]


def field_error(page: BeautifulSoup, field: str) -> str:
    message = page.select_one(f"#{field}-error")
    assert message is not None, f"no error message by the {field} field"
    return message.get_text(" ", strip=True).removeprefix("Error:").strip()


def parsed(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_an_administrator_adds_an_organisation_with_a_slug_made_from_its_name(client, admin):
    response = submit(client, NEW, name="  Friends of Millside Park ", kind="vcfse",
                      description="Volunteers who look after the park.", website="https://millside.example.org")

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/organisations/"
    organisation = organisation_named("Friends of Millside Park")
    assert organisation.slug == "friends-of-millside-park"
    assert organisation.kind is OrganisationKind.VCFSE
    assert organisation.description == "Volunteers who look after the park."
    assert organisation.website == "https://millside.example.org"
    listing = client.get("/admin/organisations/").get_data(as_text=True)
    assert "Friends of Millside Park has been added." in listing
    assert 'href="/admin/organisations/friends-of-millside-park/edit"' in listing


def test_adding_an_organisation_is_audited_with_who_did_it(client, admin):
    submit(client, NEW, name="Kirkfield Food Bank", kind="vcfse")

    organisation = organisation_named("Kirkfield Food Bank")
    [event] = events("organisation.created")
    assert (event.actor_id, event.subject_type, event.subject_id) == (admin.id, "Organisation", organisation.id)
    assert event.data == {"name": "Kirkfield Food Bank", "kind": "vcfse"}


def test_names_that_make_the_same_slug_get_different_slugs(client, admin):
    submit(client, NEW, name="Café Nord", kind="vcfse")
    submit(client, NEW, name="Cafe Nord!", kind="vcfse")
    submit(client, NEW, name="CAFE  NORD?", kind="public_sector")

    assert [organisation_named(name).slug for name in ("Café Nord", "Cafe Nord!", "CAFE  NORD?")] == [
        "cafe-nord", "cafe-nord-2", "cafe-nord-3"]


def test_a_duplicate_name_is_refused_with_an_error_summary_and_what_was_typed_is_kept(client, admin, make):
    make.organisation(name="Healthwatch Northbrook")

    response = submit(client, NEW, name="healthwatch northbrook", kind="public_sector",
                      description="Typed with care.", website="https://typed.example.org")

    assert response.status_code == 200
    page = parsed(response)
    assert page.title.get_text().startswith("Error: ")
    assert error_summary(page) == [("#name", "An organisation with this name already exists")]
    assert field_error(page, "name") == "An organisation with this name already exists"
    assert page.select_one("#name")["value"] == "healthwatch northbrook"
    assert page.select_one("textarea#description").get_text() == "Typed with care."
    assert page.select_one("#website")["value"] == "https://typed.example.org"
    assert page.select_one('input[name="kind"][checked]')["value"] == "public_sector"
    assert db.session.scalars(select(Organisation.name)).all() == ["Healthwatch Northbrook"]
    assert events("organisation.created") == [events("organisation.created")[0]], "only the first was audited"


def test_name_and_kind_are_required(client, admin):
    page = parsed(submit(client, NEW, name="   ", description="Only a description."))

    assert error_summary(page) == [("#name", "Enter the organisation's name"),
                                   ("#kind", "Select the kind of organisation")]
    assert page.select_one("#kind") is not None, "the summary's link must lead to the first radio button"
    assert page.select_one("textarea#description").get_text() == "Only a description."
    assert db.session.scalars(select(Organisation)).all() == []


def test_a_website_that_is_not_a_web_page_address_is_refused(client, admin):
    # Not a link a browser could follow, or one that would run script or mislead (userinfo) when shown.
    for website in ("www.example.org", "example", "javascript://example.org/%0aalert(1)", "ftp://files.example.org",
                    "https://someone@example.org"):
        page = parsed(submit(client, NEW, name="Millside Arts", kind="vcfse", website=website))

        assert error_summary(page) == [("#website", "Enter a web address starting with https://")], website
        assert field_error(page, "website") == "Enter a web address starting with https://"
        assert page.select_one("#website")["value"] == website
        assert organisation_named("Millside Arts") is None


def test_web_page_addresses_and_no_address_are_accepted(client, admin):
    for n, website in enumerate(("https://www.example.org", "http://example.org/about?x=1", "")):
        assert submit(client, NEW, name=f"Millside Arts {n}", kind="vcfse", website=website).status_code == 302
        assert organisation_named(f"Millside Arts {n}").website == website


def test_the_edit_form_shows_the_saved_values(client, admin, make):
    organisation = make.organisation(kind=OrganisationKind.PUBLIC_SECTOR, name="Northbrook Council",
                                     description="The borough council.", website="https://council.example.org")

    page = parsed(client.get(f"/admin/organisations/{organisation.slug}/edit"))

    assert page.select_one("h1").get_text(strip=True) == "Edit Northbrook Council"
    assert page.select_one("#name")["value"] == "Northbrook Council"
    assert page.select_one('input[name="kind"][checked]')["value"] == "public_sector"
    assert page.select_one("textarea#description").get_text() == "The borough council."
    assert page.select_one("#website")["value"] == "https://council.example.org"


def test_editing_saves_the_changes_keeps_the_slug_and_audits_what_changed(client, admin, make):
    organisation = make.organisation(name="Millside Arts", description="Arts.")
    path = f"/admin/organisations/{organisation.slug}/edit"

    response = submit(client, path, name="Millside Arts Collective", kind="vcfse", description="Arts.",
                      website="https://arts.example.org")

    assert response.status_code == 302
    organisation = organisation_named("Millside Arts Collective")
    assert organisation.slug == "millside-arts", "a slug is part of public addresses, so it never changes"
    assert organisation.website == "https://arts.example.org"
    [event] = events("organisation.updated")
    assert (event.actor_id, event.subject_id) == (admin.id, organisation.id)
    assert event.data == {"changes": {"name": {"from": "Millside Arts", "to": "Millside Arts Collective"},
                                      "website": {"from": "", "to": "https://arts.example.org"}}}


def test_saving_without_changes_writes_no_audit_event(client, admin, make):
    organisation = make.organisation(name="Millside Arts", description="Arts.")
    submit(client, f"/admin/organisations/{organisation.slug}/edit", name="Millside Arts", kind="vcfse",
           description="Arts.", website="")
    assert events("organisation.updated") == []


def test_renaming_to_another_organisations_name_is_refused(client, admin, make):
    make.organisation(name="Healthwatch Northbrook")
    organisation = make.organisation(name="Millside Arts")

    page = parsed(submit(client, f"/admin/organisations/{organisation.slug}/edit", name="HEALTHWATCH NORTHBROOK",
                         kind="vcfse"))

    assert error_summary(page) == [("#name", "An organisation with this name already exists")]
    assert organisation_named("Millside Arts") is not None


def test_the_kind_cannot_change_while_the_organisation_has_members(client, admin, make):
    organisation = make.organisation(kind=OrganisationKind.VCFSE, name="Common Ground")
    make.partner(organisation=organisation)

    response = submit(client, f"/admin/organisations/{organisation.slug}/edit", name="Common Ground",
                      kind="public_sector", description="Typed while refused.")

    assert response.status_code == 200
    page = parsed(response)
    message = "You cannot change the kind of an organisation that has people; move them first"
    assert error_summary(page) == [("#kind", message)]
    assert field_error(page, "kind") == message
    assert page.select_one("textarea#description").get_text() == "Typed while refused."
    assert organisation_named("Common Ground").kind is OrganisationKind.VCFSE
    assert events("organisation.updated") == []


def test_the_kind_can_change_while_the_organisation_has_no_members(client, admin, make):
    organisation = make.organisation(kind=OrganisationKind.VCFSE, name="Northbrook Trust")

    submit(client, f"/admin/organisations/{organisation.slug}/edit", name="Northbrook Trust", kind="public_sector")

    assert organisation_named("Northbrook Trust").kind is OrganisationKind.PUBLIC_SECTOR
    [event] = events("organisation.updated")
    assert event.data == {"changes": {"kind": {"from": "vcfse", "to": "public_sector"}}}


def test_editing_an_organisation_that_does_not_exist_is_not_found(client, admin):
    assert client.get("/admin/organisations/no-such-organisation/edit").status_code == 404


def test_a_lead_cannot_add_or_edit_organisations(client, make):
    lead = make.lead()
    sign_in(client, lead)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, data={"name": "Sneaky", "kind": "vcfse",
                                  "csrf_token": csrf_token(client, "/account/")}).status_code == 403
    assert client.get(f"/admin/organisations/{lead.organisation.slug}/edit").status_code == 403
    assert organisation_named("Sneaky") is None


@pytest.mark.parametrize("website", ["javascript:alert(1)", "ftp://files.example.org", "https://user:pw@example.org",
                                     "https://localhost", "not a url"])
def test_the_service_refuses_websites_that_are_not_plain_web_addresses(website):
    from engage.organisations.services import OrganisationError, create_organisation

    with pytest.raises(OrganisationError) as refused:
        create_organisation(name="Careful Charity", kind=OrganisationKind.VCFSE, website=website)
    assert refused.value.field == "website"
