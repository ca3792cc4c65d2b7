"""Names that look the same are the same name: an organisation, theme, area or community typed with composed
characters (NFC) or with combining accents (NFD), in another case, or with full-width letters is refused as a
duplicate, and every name is stored composed. Two administrators adding the same name at the same moment get
one organisation; the other is told someone else made the change."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import func, insert, select

from engage.extensions import db
from engage.organisations import services
from engage.organisations.models import Organisation, OrganisationKind
from engage.text.names import name_key, stored_name
from engage.vocabularies import services as vocabularies
from engage.vocabularies.models import Area, Community, CommunityGroup, Theme
from tests.concurrency import another_worker_writes_first
from tests.factories import csrf_token
from tests.organisations.test_admin import NEW, field_error, parsed, submit

COMPOSED = "Caf\u00e9 Lumi\u00e8re Trust"          # é and è as one character each
DECOMPOSED = "Cafe\u0301 Lumie\u0300re Trust"      # e and a combining accent
assert COMPOSED != DECOMPOSED and unicodedata.normalize("NFC", DECOMPOSED) == COMPOSED


def _organisations() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Organisation.name).order_by(Organisation.id)))


@pytest.mark.parametrize(("first", "second"), [
    (COMPOSED, DECOMPOSED),
    (DECOMPOSED, COMPOSED),
    (COMPOSED, "CAF\u00c9 LUMI\u00c8RE TRUST"),     # other case, beyond ASCII (SQLite's lower() folds only A-Z)
    (COMPOSED, "Caf\u00e9  Lumi\u00e8re   Trust"),  # runs of spaces
    ("Millside Trust", "\uff2d\uff49\uff4c\uff4c\uff53\uff49\uff44\uff45 Trust"),  # full-width letters
])
def test_an_organisation_whose_name_only_looks_different_is_refused(client, admin, first, second):
    assert submit(client, NEW, name=first, kind="vcfse", description="", website="").status_code == 302

    refused = submit(client, NEW, name=second, kind="vcfse", description="", website="")

    assert refused.status_code == 200
    assert field_error(parsed(refused), "name") == "An organisation with this name already exists"
    assert parsed(refused).select_one("#name")["value"] == second, "what was typed is kept"
    assert _organisations() == [stored_name(first)]


def test_a_name_is_stored_composed_whatever_was_sent(make):
    organisation = services.create_organisation(name=f"  {DECOMPOSED} ", kind=OrganisationKind.VCFSE)
    db.session.commit()
    assert _organisations() == [COMPOSED]
    assert organisation.slug == "cafe-lumiere-trust"


def test_renaming_an_organisation_to_a_name_that_looks_the_same_as_another_is_refused(make):
    services.create_organisation(name=COMPOSED, kind=OrganisationKind.VCFSE)
    other = services.create_organisation(name="Millside Trust", kind=OrganisationKind.VCFSE)
    db.session.commit()

    with pytest.raises(services.OrganisationError, match="already exists"):
        services.update_organisation(other, name=DECOMPOSED, kind=OrganisationKind.VCFSE, description="",
                                     website="")
    db.session.rollback()
    # Its own name is still its own.
    services.update_organisation(other, name="MILLSIDE TRUST", kind=OrganisationKind.VCFSE, description="",
                                 website="")


def test_themes_areas_and_communities_whose_names_only_look_different_are_refused():
    vocabularies.save_theme(None, name=COMPOSED)
    vocabularies.save_area(None, name=COMPOSED, parent=None)
    vocabularies.save_community(None, name=COMPOSED, group=next(iter(CommunityGroup)))
    db.session.commit()

    for save in (lambda: vocabularies.save_theme(None, name=DECOMPOSED),
                 lambda: vocabularies.save_area(None, name=DECOMPOSED, parent=None),
                 lambda: vocabularies.save_community(None, name=DECOMPOSED, group=next(iter(CommunityGroup)))):
        with pytest.raises(vocabularies.VocabularyError, match="already exists"):
            save()
    for model in (Theme, Area, Community):
        assert db.session.scalars(select(model.name).where(model.name.like("Caf%"))).all() == [COMPOSED]


def test_two_names_are_the_same_when_only_their_form_differs():
    assert name_key(COMPOSED) == name_key(DECOMPOSED) == name_key(" caf\u00e9   LUMIE\u0300RE trust ")
    assert name_key("Caf\u00e9 Trust") != name_key("Cafe Trust")


def test_the_same_organisation_added_twice_at_the_same_moment_is_added_once(client, admin):
    def another_administrator_adds_it() -> None:
        with db.engine.begin() as connection:
            connection.execute(insert(Organisation.__table__).values(
                name=COMPOSED, slug="cafe-lumiere-trust-2", kind="vcfse", description="", website=""))

    token = csrf_token(client, NEW)
    with another_worker_writes_first(another_administrator_adds_it):
        raced = client.post(NEW, data={"name": COMPOSED, "kind": "vcfse", "description": "", "website": "",
                                       "csrf_token": token})

    assert raced.status_code == 409
    page = raced.get_data(as_text=True)
    assert "Someone else made a change a moment ago" in page and "Nothing you sent has been saved" in page
    assert db.session.scalar(select(func.count(Organisation.id))) == 1
