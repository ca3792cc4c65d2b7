"""A signatory is checked against the party's organisation when they sign, not only when they were named: someone
who has since left the organisation (moved to another) or been deactivated no longer signs for it."""

from __future__ import annotations

import pytest

from engage.accounts import services as accounts
from engage.agreements import services
from engage.engagements import services as engagements
from engage.engagements.models import CollaboratorRole
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from tests.agreements.conftest import LEAD_NAME, PARTNER_NAME, audit_count, fresh, post
from tests.factories import sign_in

MOVED = ("You are no longer a member of {}, so you cannot sign for it. Ask the lead organisation to vary the "
         "agreement and name another signatory.")
DEACTIVATED = ("Your account has been deactivated, so you cannot sign this agreement. Ask the lead organisation "
               "to vary the agreement and name another signatory.")


def moved(person, make, *, kind: OrganisationKind, to: str):
    """`person` moved by an administrator to a new organisation called `to`, which is returned."""
    elsewhere = make.organisation(kind=kind, name=to)
    accounts.change_role(person, role=person.role, organisation=elsewhere, actor=make.admin())
    db.session.commit()
    return elsewhere


def test_a_vcfse_signatory_who_moved_to_another_organisation_cannot_sign_for_the_old_one(proposed, parties, make):
    moved(parties.partner, make, kind=OrganisationKind.VCFSE, to="Kirkholt Residents")

    with pytest.raises(services.AgreementError) as refused:
        services.sign(proposed.id, user=parties.partner, typed_name=PARTNER_NAME,
                      expected_hash=proposed.content_hash)

    assert refused.value.message == MOVED.format("Common Ground")
    assert fresh(proposed.id).signatures == []
    assert audit_count("agreement.signed") == 0


def test_a_public_sector_signatory_who_moved_cannot_sign(proposed, parties, make):
    moved(parties.lead, make, kind=OrganisationKind.PUBLIC_SECTOR, to="Northbrook NHS Trust")

    with pytest.raises(services.AgreementError) as refused:
        services.sign(proposed.id, user=parties.lead, typed_name=LEAD_NAME, expected_hash=proposed.content_hash)

    assert refused.value.message == MOVED.format("Rochdale Borough Council")
    assert fresh(proposed.id).signatures == []


@pytest.mark.parametrize("who", ["lead", "partner"])
def test_a_deactivated_signatory_cannot_sign(proposed, parties, make, who):
    person = getattr(parties, who)
    accounts.set_active(person, False, actor=make.admin())
    db.session.commit()

    with pytest.raises(services.AgreementError) as refused:
        services.sign(proposed.id, user=person, typed_name=person.name, expected_hash=proposed.content_hash)

    assert refused.value.message == DEACTIVATED
    assert fresh(proposed.id).signatures == []


def test_the_sign_page_says_why_to_someone_who_moved_to_another_collaborator(proposed, parties, make, app):
    # Moved to another VCFSE organisation that also collaborates: the workspace and the sign page are still
    # theirs to see, but the signature is not theirs to give.
    admin = make.admin()
    elsewhere = make.organisation(kind=OrganisationKind.VCFSE, name="Kirkholt Residents")
    engagements.add_collaborator(parties.engagement, actor=parties.lead, organisation=elsewhere,
                                 role=CollaboratorRole.VCFSE_PARTNER)
    accounts.change_role(parties.partner, role=parties.partner.role, organisation=elsewhere, actor=admin)
    db.session.commit()
    client = app.test_client()
    sign_in(client, parties.partner)
    page = parties.page(proposed.id)

    response = post(client, f"{page}/sign", {"typed_name": PARTNER_NAME, "content_hash": proposed.content_hash})

    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert MOVED.format("Common Ground") in client.get(page).get_data(as_text=True)
    assert fresh(proposed.id).signatures == []


def test_a_signatory_still_in_the_organisation_signs(proposed, parties):
    services.sign(proposed.id, user=parties.partner, typed_name=PARTNER_NAME, expected_hash=proposed.content_hash)
    assert [s.user_id for s in fresh(proposed.id).signatures] == [parties.partner.id]
