"""Demo organisations and accounts. Running it again changes nothing that is already there."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engage.accounts import services as accounts
from engage.accounts.models import Role, User
from engage.demo.engagements import seed_engagements
from engage.extensions import db
from engage.organisations import services as organisations
from engage.organisations.models import Organisation, OrganisationKind
from engage.vocabularies.services import load_defaults

# Demo log-ins share one password so the README can print it; it is only ever used with demo data.
DEMO_PASSWORD = "demo tulip harbour lantern"  # noqa: S105 - printed in the README on purpose

DEMO_ORGANISATIONS = [
    ("Northbrook Borough Council", OrganisationKind.PUBLIC_SECTOR,
     "The borough council: adult social care, public health, neighbourhoods and the locality plan.",
     "https://www.northbrook.example.org"),
    ("Northbrook Care Partnership", OrganisationKind.PUBLIC_SECTOR,
     "The local care organisation: the NHS and council health and care partnership for the borough.",
     "https://care.northbrook.example.org"),
    ("Northbrook Clinical Commissioning Group", OrganisationKind.PUBLIC_SECTOR,
     "Plans and buys NHS services for people registered with the borough's GP practices.", ""),
    ("Common Ground Northbrook", OrganisationKind.VCFSE,
     "The borough's council for voluntary service. Runs Ideas Shops and grassroot gatherings, and supports "
     "17 VCFSE-led networks grouped around need, opportunity, place and shared priorities.",
     "https://commonground.example.org"),
    ("Healthwatch Northbrook", OrganisationKind.VCFSE,
     "The independent champion for people who use health and care services in the borough.",
     "https://healthwatch-northbrook.example.org"),
    ("Kirkfield Care Co-operative", OrganisationKind.VCFSE,
     "A care co-operative set up and owned by former council care workers.", ""),
    ("Millside Arts Collective", OrganisationKind.VCFSE,
     "Community arts and participation projects across the four townships.", ""),
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    organisation: str | None


DEMO_ACCOUNTS = [
    DemoAccount("admin@demo.example.org", "Alex Morgan", Role.ADMIN, None),
    DemoAccount("lead@demo.example.org", "Priya Shah", Role.LEAD, "Northbrook Borough Council"),
    DemoAccount("nhs.lead@demo.example.org", "Tom Okafor", Role.LEAD, "Northbrook Care Partnership"),
    DemoAccount("partner@demo.example.org", "Jo Whitworth", Role.PARTNER, "Common Ground Northbrook"),
    DemoAccount("healthwatch@demo.example.org", "Sam Byrne", Role.PARTNER, "Healthwatch Northbrook"),
]


def seed() -> dict[str, int]:
    load_defaults()
    created = {"organisations": 0, "accounts": 0}
    by_name: dict[str, Organisation] = {}
    for name, kind, description, website in DEMO_ORGANISATIONS:
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if organisation is None:
            organisation = organisations.create_organisation(name=name, kind=kind, description=description,
                                                             website=website)
            created["organisations"] += 1
        by_name[name] = organisation
    for account in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == account.email)) is not None:
            continue
        accounts.create_user(email=account.email, name=account.name, role=account.role,
                             organisation=by_name.get(account.organisation or ""), password=DEMO_PASSWORD)
        created["accounts"] += 1
    db.session.flush()
    created["engagements"] = seed_engagements()
    db.session.commit()
    return created
