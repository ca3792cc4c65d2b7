"""The roles-by-routes matrix every set of administration pages is tested with.

Anonymous visitors are sent to sign in; partners and leads are refused (and the refusal is audited);
administrators get the page, or their change is made. A refused request changes nothing. A test class
inherits `AdminRouteMatrix`, names its ROUTES and the BLUEPRINTS they must cover, says what its pages
can change (`snapshot`), and provides a `world` fixture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from engage.accounts.models import User
from tests.accounts.helpers import audit_events, main_text
from tests.factories import csrf_token, sign_in


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with {placeholders} filled from the World
    form: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class World:
    """What the pages act on: an administrator, and the values the routes' placeholders stand for."""

    admin: User
    values: dict[str, str]

    def fill(self, text: str) -> str:
        return text.format(**self.values)


def visit(client, world: World, route: Route, *, signed_in: bool):
    path = world.fill(route.path)
    if route.method == "GET":
        return client.get(path)
    # A well-formed request from the visitor's own browser, so that only their role decides the answer.
    token = csrf_token(client, "/account/" if signed_in else "/sign-in")
    form = {name: world.fill(value) for name, value in route.form.items()}
    return client.post(path, data={**form, "csrf_token": token})


class AdminRouteMatrix:
    ROUTES: ClassVar[list[Route]]
    BLUEPRINTS: ClassVar[tuple[str, ...]]
    # Text a refused visitor must never see, whichever page they asked for.
    NEVER_SHOWN_WHEN_REFUSED: ClassVar[tuple[str, ...]] = ()

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "route" in metafunc.fixturenames:
            metafunc.parametrize("route", self.ROUTES, ids=str)

    def snapshot(self) -> tuple:
        """Everything these pages can change."""
        raise NotImplementedError

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, world, route):
        before = self.snapshot()

        response = visit(client, world, route, signed_in=False)

        assert response.status_code == 302
        assert response.headers["Location"] == f"/sign-in?next={world.fill(route.path)}"
        assert self.snapshot() == before

    @pytest.mark.parametrize("role", ["partner", "lead"])
    def test_partners_and_leads_are_refused_and_the_refusal_is_audited(self, client, make, world, route, role):
        person = getattr(make, role)()
        sign_in(client, person)
        before = self.snapshot()

        response = visit(client, world, route, signed_in=True)

        assert response.status_code == 403
        assert "You do not have permission to view this page" in main_text(response)
        page = response.get_data(as_text=True)
        assert [text for text in self.NEVER_SHOWN_WHEN_REFUSED if text in page] == []
        assert self.snapshot() == before
        refused = audit_events("access.refused")
        assert [(e.actor_id, e.data) for e in refused] == [
            (person.id, {"path": world.fill(route.path), "reason": "role"})]

    def test_administrators_can_use_every_page(self, client, world, route):
        sign_in(client, world.admin)
        before = self.snapshot()

        response = visit(client, world, route, signed_in=True)

        if route.method == "GET":
            assert response.status_code == 200
        else:
            assert response.status_code == 302
            assert not response.headers["Location"].startswith("/sign-in")
            assert self.snapshot() != before, "the change was not made"
        assert audit_events("access.refused") == []

    def test_the_matrix_covers_every_route(self, app, world):
        adapter = app.url_map.bind("localhost")
        covered = {(adapter.match(world.fill(route.path), method=route.method)[0], route.method)
                   for route in self.ROUTES}
        every = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
                 if rule.endpoint.split(".")[0] in self.BLUEPRINTS
                 for method in rule.methods - {"HEAD", "OPTIONS"}}

        assert covered == every
