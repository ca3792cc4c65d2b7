"""Shared fixtures: one migrated database per run (SQLite file, or PostgreSQL from DATABASE_URL),
emptied after every test; an application context per test; factories; a real local SMTP server."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from engage import create_app
from engage.accounts import passwords
from engage.extensions import db
from tests.factories import Factories

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


# The clocks every date-sensitive test must also pass at (`--shifted-clocks`): the edges of days, months,
# years and the UK's clock changes, where a date worked out in UTC and one worked out in UK time differ.
SHIFTED_CLOCKS = {
    "1st-of-a-month": "2027-04-01T10:15:00+01:00",
    "9th-of-a-month": "2026-12-09T14:00:00+00:00",
    "29-february-2028": "2028-02-29T12:00:00+00:00",
    "clocks-go-forward": "2026-03-29T02:30:00+01:00",
    "clocks-go-back": "2026-10-25T01:30:00+00:00",
    "new-years-eve-23-30": "2026-12-31T23:30:00+00:00",
    "00-30-in-summer-time": "2027-06-15T00:30:00+01:00",
}


def pytest_addoption(parser) -> None:
    parser.addoption("--shifted-clocks", action="store_true",
                     help="run each test marked date_sensitive once at each of SHIFTED_CLOCKS")


def pytest_generate_tests(metafunc) -> None:
    if metafunc.config.getoption("shifted_clocks") and metafunc.definition.get_closest_marker("date_sensitive"):
        metafunc.parametrize("shifted_clock", list(SHIFTED_CLOCKS.values()), ids=list(SHIFTED_CLOCKS), indirect=True)


@pytest.fixture(autouse=True)
def shifted_clock(request) -> Iterator[datetime | None]:
    """Without `--shifted-clocks`, the real clock. With it, a date-sensitive test starts at one of
    SHIFTED_CLOCKS, fixtures included, and the clock runs on from there."""
    at = getattr(request, "param", None)
    if at is None:
        yield None
        return
    with time_machine.travel(datetime.fromisoformat(at), tick=True):
        yield datetime.fromisoformat(at)


def pytest_report_header(config) -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    backend = "PostgreSQL (DATABASE_URL)" if url.startswith("postgres") else "SQLite (temporary file)"
    chromium = shutil.which("chromium") or "not installed"
    return [f"database: {backend}", f"chromium: {chromium}", f"CI: {'yes' if IN_CI else 'no'}"]


def _database_url(tmp_dir) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url or f"sqlite:///{tmp_dir}/engage-test.sqlite3"


def _reset_postgres_schema(app: Flask) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url})
    if database_url.startswith("postgresql"):
        _reset_postgres_schema(app)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_all_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        # Deleting from each table, children first, is far quicker than TRUNCATE for these small tables.
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture(autouse=True)
def app_context(request, app: Flask, shifted_clock) -> Iterator[None]:
    if "no_app_context" in request.keywords:
        yield
        return
    with app.app_context():
        yield
        db.session.remove()
    empty_all_tables(app)


class RequestScopedClient(FlaskClient):
    """A test client whose every request gets a fresh application context (its own ``g`` and database
    session), as in production. Otherwise requests would share the test's context: a CSRF token cached
    for one browser would be handed to the next, and a change a view forgot to commit would look saved."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def request_scoped_clients(app: Flask, monkeypatch) -> None:
    monkeypatch.setattr(app, "test_client_class", RequestScopedClient)


# Argon2id's real cost (a quarter of a second a hash) is the point in production but would dominate a
# suite that signs in hundreds of times; tests/accounts/test_passwords.py checks the real parameters.
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# Unknown addresses are checked against this, so it must cost what a real hash costs, as in production.
_CHEAP_DUMMY_HASH = _CHEAP_HASHER.hash("not a real password")


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", _CHEAP_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", _CHEAP_DUMMY_HASH)


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def make(app: Flask) -> Factories:
    return Factories(app)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CollectingHandler:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app: Flask, monkeypatch) -> Iterator[CollectingHandler]:
    """A real SMTP server on loopback; the app is pointed at it for the test."""
    with serving_smtp(CollectingHandler(), app, monkeypatch) as handler:
        yield handler


@contextlib.contextmanager
def serving_smtp(handler, app: Flask, monkeypatch):
    """Serve SMTP on loopback with `handler` (an aiosmtpd handler), the app pointed at it, until the end."""
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    try:
        yield handler
    finally:
        controller.stop()
