"""Fixtures for the account tests.

Two differences from the suite-wide set-up, both so that what a test sees is what a browser would see:

- Each request runs in its own application context, as it does in production. Otherwise every request in
  a test shares one ``g`` (so a CSRF token cached for one browser is handed to the next) and one database
  session (so a change a view forgot to commit would still look saved).
- Passwords are hashed with Argon2id at a low cost. Argon2's real cost is a quarter of a second per hash,
  which is the point in production but would dominate a suite that signs in hundreds of times.
  ``test_passwords.py`` checks the real parameters.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from engage.accounts import passwords

PRODUCTION_HASHER = passwords._hasher
PRODUCTION_DUMMY_HASH = passwords._DUMMY_HASH
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# Unknown addresses are checked against this, so it must cost what a real hash costs, as in production.
_CHEAP_DUMMY_HASH = _CHEAP_HASHER.hash("not a real password")


class RequestScopedClient(FlaskClient):
    """A test client whose every request gets a fresh application context (its own ``g`` and session)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def request_scoped_clients(app: Flask, monkeypatch) -> None:
    monkeypatch.setattr(app, "test_client_class", RequestScopedClient)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", _CHEAP_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", _CHEAP_DUMMY_HASH)
