"""Creating and changing organisations."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from engage.accounts.models import User
from engage.audit.services import record
from engage.extensions import db
from engage.organisations.models import Organisation, OrganisationKind
from engage.text.names import name_taken, stored_name
from engage.text.one_line import one_line_problem
from engage.text.web_addresses import is_web_address


class OrganisationError(ValueError):
    """A change that cannot be made, with a message for the person who asked."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:100] or "organisation"


def _unique_slug(name: str, *, exclude_id: int | None = None) -> str:
    base = slugify(name)
    slug, n = base, 2
    while True:
        query = select(Organisation.id).where(Organisation.slug == slug)
        if exclude_id is not None:
            query = query.where(Organisation.id != exclude_id)
        if db.session.scalar(query) is None:
            return slug
        slug, n = f"{base}-{n}", n + 1


def _check_name_free(name: str, *, exclude_id: int | None = None) -> None:
    if name_taken(Organisation, name, exclude_id=exclude_id):
        raise OrganisationError("name", "An organisation with this name already exists")


def _check_one_line(name: str, website: str) -> None:
    # The forms refuse these too; the command line and scripts reach the service without a form.
    for field, value, label in (("name", name, "Name"), ("website", website, "Website")):
        problem = one_line_problem(value, label)
        if problem:
            raise OrganisationError(field, problem)


def _check_website(website: str) -> str:
    """Only plain web addresses: a website is shown as a link on public pages."""
    website = website.strip()
    if website and not is_web_address(website):
        raise OrganisationError("website", "Enter a web address starting with https://")
    return website


def create_organisation(
    *, name: str, kind: OrganisationKind, description: str = "", website: str = "", actor=None
) -> Organisation:
    _check_one_line(name, website)
    name = stored_name(name)
    _check_name_free(name)
    organisation = Organisation(
        name=name, slug=_unique_slug(name), kind=kind, description=description.strip(),
        website=_check_website(website),
    )
    db.session.add(organisation)
    record("organisation.created", actor=actor, subject=organisation, name=name, kind=kind.value)
    return organisation


def update_organisation(
    organisation: Organisation, *, name: str, kind: OrganisationKind, description: str, website: str, actor=None
) -> Organisation:
    _check_one_line(name, website)
    name = stored_name(name)
    _check_name_free(name, exclude_id=organisation.id)
    if kind is not organisation.kind and organisation_has_members(organisation):
        raise OrganisationError(
            "kind", "You cannot change the kind of an organisation that has people; move them first"
        )
    changes = {}
    for field, value in (("name", name), ("kind", kind), ("description", description.strip()),
                         ("website", _check_website(website))):
        old = getattr(organisation, field)
        if old != value:
            changes[field] = {"from": getattr(old, "value", old), "to": getattr(value, "value", value)}
            setattr(organisation, field, value)
    if changes:
        record("organisation.updated", actor=actor, subject=organisation, changes=changes)
    return organisation


def organisation_has_members(organisation: Organisation) -> bool:
    return db.session.scalar(select(User.id).where(User.organisation_id == organisation.id).limit(1)) is not None
