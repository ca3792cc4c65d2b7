"""Whole numbers in addresses are bounded by what an INTEGER column holds, so a huge id is not found rather
than an error from the database."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from engage.routing import LARGEST_INTEGER, DatabaseInteger
from tests.factories import sign_in


def test_every_whole_number_in_an_address_is_bounded_by_the_database(app):
    numbers = [(rule.rule, converter) for rule in app.url_map.iter_rules()
               for converter in rule._converters.values() if isinstance(converter, IntegerConverter)]

    assert numbers, "no route takes a whole number"
    assert [rule for rule, converter in numbers
            if not isinstance(converter, DatabaseInteger) or converter.max > LARGEST_INTEGER] == []


@pytest.mark.parametrize("number", [LARGEST_INTEGER + 1, 2**63, 10**30])
def test_a_signed_in_page_asked_for_an_id_too_large_for_the_database_is_not_found(client, make, number):
    assert sign_in(client, make.admin()).status_code == 302

    assert client.get(f"/admin/users/{number}").status_code == 404
    assert client.get(f"/admin/outbox/{number}").status_code == 404


def test_the_largest_id_the_database_holds_still_reaches_the_page(app, client, make):
    # Matched (a 404 alone would not tell the page's own from the address matching nothing), one more is not...
    addresses = app.url_map.bind("localhost")
    assert addresses.match(f"/admin/users/{LARGEST_INTEGER}") == ("admin.user", {"user_id": LARGEST_INTEGER})
    with pytest.raises(NotFound):
        addresses.match(f"/admin/users/{LARGEST_INTEGER + 1}")
    assert sign_in(client, make.admin()).status_code == 302

    # ...and looked up: there is no such person, which the page itself says with a 404.
    assert client.get(f"/admin/users/{LARGEST_INTEGER}").status_code == 404
