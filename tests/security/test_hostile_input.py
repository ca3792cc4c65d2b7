"""No input to any form can break a page: whatever text anyone posts to any form of the workspace or the public
site, as any role, the answer is never a server error, and afterwards every public page and API record of the
world still answers.

The forms are found by following the site's links as each person (see crawl.py), so a new form is covered
without being listed. Each kind of form is then submitted several times with text from hostile_text.py in its
text fields (a real choice in most selects and radios, the hidden fields as the page gave them), as the person
who found it, and the page it came from, the page it led to and, when it changed what residents can see, every
public page and API record are read again.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engage.caching.changes import current_stamp
from engage.clock import today
from engage.engagements.models import Engagement
from engage.extensions import db
from engage.organisations.models import Organisation
from engage.publication.models import PublishedVersion
from engage.publication.visibility import is_public_clause
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.factories import sign_in
from tests.security.crawl import SESSION_ENDING, Field, Form, crawl, forms_of, kind_of
from tests.security.hostile_text import SEVERE, hostile_text
from tests.security.hostile_world import ROLES, HostileWorld, build_hostile_world

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

# Each kind of form is also submitted this many times with made-up text (about 150 kinds for the five roles).
EXAMPLES_PER_KIND = 2

HOSTILE_SETTINGS = settings(max_examples=EXAMPLES_PER_KIND, deadline=None, derandomize=True, database=None,
                            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                            print_blob=False)

# Fewer kinds of form than this for a role means the crawl went wrong (a sign-in failed, a link was lost).
FEWEST_KINDS_FOUND = {"lead": 45, "partner": 20, "other_partner": 8, "admin": 50, "resident": 6}

# The heading of the page a form whose CSRF token is refused answers with.
FORGED = "Your form has expired or could not be checked"

_NUMBERS = ("participants", "minutes", "count", "percent", "progress", "pence", "funding", "budget", "spend")


def _starts(world: HostileWorld) -> list[str]:
    return ["/dashboard", "/account/", "/admin/", "/", "/engagements", "/insights", "/report-card",
            "/sign-in", "/forgot-password", *(f"/workspace/{e.slug}/" for e in world.engagements),
            *(f"/engagements/{e.slug}" for e in world.engagements)]


def _plausible(field: Field, name_of_person: str) -> list[str]:
    """What someone filling the form in properly would type, so that the hostile text in another field of the
    same form is saved, not refused with the rest."""
    if field.count == 3:
        due = today() + timedelta(days=30)
        return [str(due.day), str(due.month), str(due.year)]
    name = field.name.lower()
    if field.value:
        value = field.value
    elif "email" in name:
        value = "someone@example.org"
    elif "url" in name or "website" in name:
        value = "https://example.org/page"
    elif any(word in name for word in _NUMBERS):
        value = "12"
    elif name.endswith("-day"):
        value = "1"
    elif name.endswith("-month"):
        value = "3"
    elif name.endswith("-year"):
        value = str(today().year)
    elif "name" in name:
        value = name_of_person
    else:
        value = "Plain words about the engagement."
    return [value] * field.count


# Answers that refuse the form itself rather than what was typed: not allowed here, gone, or out of date.
_NOT_OPEN = (403, 404, 405, 409)
_STRUCTURED = ("email", "url", "website", "code", "-day", "-month", "-year", *_NUMBERS)


def is_free_text(field: Field) -> bool:
    """A field where people write words, rather than a date, a number, an address or a code."""
    return (field.kind in ("text", "textarea") and field.count == 1
            and not any(word in field.name.lower() for word in _STRUCTURED))


def _severe(form: Form, text: str, name_of_person: str) -> list[tuple[str, str]]:
    """The form filled in properly, but with `text` in every field where people write words."""
    pairs = []
    for field in form.fields:
        if field.kind in ("select", "radio", "checkbox"):
            choices = [option for option in field.options if option][:1]
        elif is_free_text(field):
            choices = [text]
        elif field.kind == "file":
            choices = []
        elif field.kind == "hidden":
            choices = [field.value]
        else:
            choices = _plausible(field, name_of_person)
        pairs += [(field.name, choice) for choice in choices]
    return pairs


def _values(data, field: Field, name_of_person: str) -> list[str]:
    """The values one field is sent with (none: left out, as a browser leaves out an unticked box)."""
    if field.kind == "hidden":
        return [field.value]
    if field.kind == "file":
        return []
    if field.kind in ("select", "radio"):
        if field.options and data.draw(st.integers(0, 9)) < 8:
            return [data.draw(st.sampled_from(field.options))]
        return data.draw(st.lists(hostile_text, max_size=1))
    if field.kind == "checkbox":
        if data.draw(st.integers(0, 9)) < 8:
            return data.draw(st.lists(st.sampled_from(field.options), unique=True)) if field.options else []
        return data.draw(st.lists(hostile_text, min_size=1, max_size=2))
    plausible = _plausible(field, name_of_person)
    return [data.draw(st.one_of(st.just(value), hostile_text), label=field.name) for value in plausible]


def _encoded(pairs: list[tuple[str, str]]) -> str:
    """A form's body as a browser would send it, except that lone surrogates are sent as the bytes they would
    be (invalid UTF-8) instead of being refused before they leave."""
    return "&".join(f"{quote(name.encode('utf-8', 'surrogatepass'))}="
                    f"{quote(value.encode('utf-8', 'surrogatepass'))}" for name, value in pairs)


def _shown(pairs: list[tuple[str, str]]) -> str:
    return "; ".join(f"{name}={value[:200]!r}{'…' if len(value) > 200 else ''}" for name, value in pairs)


def _fresh(client, form: Form) -> Form:
    """The form as its page shows it now (a new version number, a new CSRF token), or as it was found when the
    page no longer shows it."""
    response = client.get(form.page)
    assert response.status_code < 500, f"{form.page} answered {response.status_code} before posting"
    if response.status_code == 200 and response.mimetype == "text/html":
        for now in forms_of(response.get_data(as_text=True), form.page):
            if now.key == form.key:
                return now
    return form


class PublicSite:
    """Every public page and API record of the world, read as a resident: all must answer 200. A published
    version never changes, so each is read once, after it is published."""

    def __init__(self, app) -> None:
        self.client = app.test_client()
        self.versions_read: set[tuple[str, int]] = set()

    def pages(self) -> list[str]:
        db.session.rollback()  # see what the requests committed
        public = db.session.scalars(select(Engagement.slug).where(is_public_clause()).order_by(Engagement.id)).all()
        versions = db.session.execute(
            select(Engagement.slug, PublishedVersion.number).join(PublishedVersion)
            .where(is_public_clause()).order_by(PublishedVersion.id)).all()
        organisations = db.session.scalars(select(Organisation.slug).order_by(Organisation.id)).all()
        db.session.rollback()
        pages = ["/", "/engagements", "/engagements?q=care", "/engagements?status=completed", "/insights",
                 "/insights?q=carers", "/report-card", "/report-card.csv", "/engagements.csv", "/feed.atom",
                 "/sitemap.xml", "/open-data", "/api/v1/engagements", "/api/v1/report-card"]
        for slug in public:
            pages += [f"/engagements/{slug}", f"/api/v1/engagements/{slug}"]
        for slug, number in versions:
            if (slug, number) not in self.versions_read:
                self.versions_read.add((slug, number))
                pages += [f"/engagements/{slug}/versions/{number}", f"/api/v1/engagements/{slug}/versions/{number}"]
        return pages + [f"/organisations/{slug}" for slug in organisations]

    def broken(self) -> list[str]:
        return [f"{page} answered {status}" for page in self.pages()
                if (status := self.client.get(page).status_code) != 200]


@pytest.mark.parametrize("role", ROLES)
def test_no_text_posted_to_any_form_breaks_a_page(app, engagement_at, make, role):  # noqa: F811 - the fixture
    world = build_hostile_world(engagement_at, make)
    client = app.test_client()
    person = world.person(role)
    if person is not None:
        assert sign_in(client, person).status_code == 302, f"the {role} could not sign in"
    site = PublicSite(app)
    assert site.broken() == []

    kinds: dict[tuple, list[Form]] = defaultdict(list)
    for form in crawl(client, _starts(world)):
        if not SESSION_ENDING.match(form.action):
            kinds[kind_of(form)].append(form)
    assert len(kinds) >= FEWEST_KINDS_FOUND[role], "the crawl found too few forms"

    name_of_person = person.name if person else "A Resident"
    changes: list[str] = []
    accepted: list[str] = []

    def submit_once(form: Form, pairs: list[tuple[str, str]]) -> int:
        stamp = current_stamp()
        if form.method == "get":
            response = client.get(f"{form.action.split('?')[0]}?{_encoded(pairs)}")
        else:
            response = client.post(form.action, data=_encoded(pairs),
                                   content_type="application/x-www-form-urlencoded")
        where = f"{form} as the {role}, with {_shown(pairs)}"
        assert response.status_code < 500, f"{where}: answered {response.status_code}"
        # Refused as forged, the form was never tried: the test would pass whatever the form does with text.
        assert FORGED not in response.get_data(as_text=True), f"{where}: the form's CSRF token was refused"
        if response.status_code in (301, 302, 303):
            accepted.append(where)
        landing = urlsplit(response.location) if response.status_code in (301, 302, 303) else None
        if landing is not None and landing.netloc in ("", "localhost"):
            answer = client.get(landing.path + (f"?{landing.query}" if landing.query else "")).status_code
            assert answer < 500, f"{where}: {response.location} answered {answer}"
        if response.status_code != 200 and (landing is None or landing.path != form.page):
            answer = client.get(form.page).status_code
            assert answer < 500, f"{where}: its page answered {answer} afterwards"
        if current_stamp() != stamp:
            changes.append(where)
        return response.status_code

    @HOSTILE_SETTINGS
    @given(data=st.data())
    def submit_generated(found: list[Form], data) -> None:
        # What is drawn depends only on the form as it was found, never on the page now (whose choices change as
        # the world does), so that Hypothesis can replay and shrink a failure; only the hidden fields are fresh.
        form = data.draw(st.sampled_from(found), label="form") if len(found) > 1 else found[0]
        hidden = {field.name: field.value for field in _fresh(client, form).fields if field.kind == "hidden"}
        submit_once(form, [(field.name, hidden.get(field.name, value)) for field in form.fields
                           for value in _values(data, field, name_of_person)])

    for found in kinds.values():
        # Each of the texts that broke pages before, in every field where people write words, spread over the
        # forms of the kind (the same section of different engagements); then texts Hypothesis makes up.
        if any(is_free_text(field) for field in found[0].fields):
            for number, text in enumerate(SEVERE):
                # To a form of the kind that is open to this person now, if there is one.
                for form in found[number % len(found):] + found[:number % len(found)]:
                    form = _fresh(client, form)
                    if submit_once(form, _severe(form, text, name_of_person)) not in _NOT_OPEN:
                        break
        submit_generated(found)
        # Read after each kind of form rather than after each submission, which would be several times slower.
        if changes:
            assert site.broken() == [], "after:\n" + "\n".join(changes)
            changes.clear()
    assert site.broken() == []
    assert accepted, f"no form took what the {role} posted: nothing was saved that could break a page"
