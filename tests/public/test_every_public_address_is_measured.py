"""Every address a resident can open without signing in has its queries measured at 5 and 500 engagements
(tests/public/test_query_counts.py, or tests/reporting/test_scale.py for the report card), or is excluded here
with its reason.

Which addresses are public is found by asking for each one as a resident would, not from a list kept by
hand: every GET route in the application's URL map is requested without signing in, and the app's rule
(`accounts.permissions.signed_in`: a redirect to the sign-in page) decides. A new public page therefore fails
this test until it is measured or excluded.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import AnyConverter, IntegerConverter, MapAdapter, PathConverter, Rule

from tests.public import test_query_counts as counts
from tests.public.test_query_counts import five_public_engagements, published_file  # noqa: F401 - fixtures
from tests.reporting import test_scale as report_card_scale

# Public GET endpoints whose queries are not measured, each with why.
NOT_MEASURED = {
    "static": "the front end's built files, served from disk without the database",
    "auth.sign_in": "signing in: a form about the person at the keyboard, not public data",
    "auth.forgot_password": "asking for a password reset: a form, no public data",
    "auth.reset_password": "a password reset: reads one person's token, not public data",
    "auth.reset_password_link": "a password reset link: keeps one person's token and redirects",
    "auth.invitation": "an invitation link: keeps one person's token and redirects",
    "auth.accept_invitation_page": "accepting an invitation: reads one person's token, not public data",
    "following.confirm_link": "a follower's confirmation link: keeps the token and redirects",
    "following.confirm": "confirming a follow: reads one follower's token, not public data",
    "following.unsubscribe": "unsubscribing: reads one follower's token, not public data",
}
# Measured in tests/reporting/test_scale.py: the same queries for a small borough and with 500 more engagements,
# 100,000 more activities and 10,000 more commitments (checked below to name an address of each).
MEASURED_IN_REPORT_CARD_SCALE = {
    "reporting.report_card_page": "the report card",
    "reporting.report_card_csv": "the report card's CSV",
    "reporting.report_card_json": "the report card's JSON",
}
# Sample values for each kind of part of an address, from the demo seed: a route is tried with each
# combination until one answers.
SLUGS = [counts.COMPLETED, counts.IN_PROGRESS, counts.ORGANISATION, counts.AREA, counts.THEME]
PATHS = ["favicon.ico"]
REDIRECTS = (301, 302, 303, 307, 308)


def _rule_of(adapter: MapAdapter, url: str) -> Rule:
    rule, _ = adapter.match(urlsplit(url).path, method="GET", return_rule=True)
    return rule


def _samples(rule: Rule, numbers: list[int]) -> Iterator[str]:
    """Addresses for the rule, one for each combination of sample values for its parts."""
    choices = []
    # Werkzeug keeps each part's converter only here; the kind of converter says what values make sense.
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values: list[object] = sorted(converter.items)
        elif isinstance(converter, IntegerConverter):
            values = list(numbers)
        elif isinstance(converter, PathConverter):
            values = list(PATHS)
        else:
            values = list(SLUGS)
        choices.append([(name, value) for value in values])
    for combination in itertools.product(*choices):
        built = rule.build(dict(combination), append_unknown=False)
        assert built is not None, (rule.rule, combination)
        yield built[1]


def _answer(client, url: str, sign_in: str) -> str:
    response = client.get(url)
    if response.status_code in REDIRECTS and urlsplit(response.headers.get("Location", "")).path == sign_in:
        return "signed in"
    if response.status_code < 400:
        return "public"
    return "not found"


def test_every_address_a_resident_can_open_is_measured_at_5_and_500_engagements_or_excluded_with_its_reason(
        app: Flask, client, published_file):  # noqa: F811 - the fixture imported above
    adapter = app.url_map.bind("localhost")
    measured = {_rule_of(adapter, url).rule for url in [*counts.PAGES, *counts.FULL_DOWNLOADS, published_file]}
    excluded = NOT_MEASURED | MEASURED_IN_REPORT_CARD_SCALE
    sign_in = adapter.build("auth.sign_in")
    # Version numbers of the completed record, the published file and low ids, for the numbered parts.
    numbers = sorted({1, 2, 3, int(published_file.rsplit("/", 1)[1])})

    public, unopened = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in excluded or rule.rule in measured:
            continue
        answers = set()
        for url in _samples(rule, numbers):
            answers.add(_answer(client, url, sign_in))
            if answers & {"public", "signed in"}:
                break
        if "public" in answers:
            public.append(f"{rule.endpoint} ({rule.rule})")
        elif "signed in" not in answers:
            unopened.append(f"{rule.endpoint} ({rule.rule})")

    assert public == [], ("public without signing in, but neither measured in tests/public/test_query_counts.py"
                          " nor excluded here with a reason")
    assert unopened == [], "no sample address opened these: give SLUGS or the numbers a value they answer to"


def test_every_exclusion_names_a_route_that_exists_and_is_not_measured_as_well(app: Flask, published_file):  # noqa: F811
    adapter = app.url_map.bind("localhost")
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    measured = {_rule_of(adapter, url).endpoint for url in [*counts.PAGES, *counts.FULL_DOWNLOADS, published_file]}
    excluded = set(NOT_MEASURED) | set(MEASURED_IN_REPORT_CARD_SCALE)

    assert excluded - endpoints == set()
    assert excluded & measured == set()


def test_the_report_card_scale_test_measures_each_address_excluded_for_it(app: Flask):
    adapter = app.url_map.bind("localhost")
    measured_there = {_rule_of(adapter, url).endpoint for url in report_card_scale.ADDRESSES}

    assert set(MEASURED_IN_REPORT_CARD_SCALE) - measured_there == set()
