"""The account tests use the suite-wide fixtures in tests/conftest.py: a fresh application context per
request and cheap password hashing. Names kept here for the tests that check the real hasher."""

from __future__ import annotations

from engage.accounts import passwords

PRODUCTION_HASHER = passwords._hasher
PRODUCTION_DUMMY_HASH = passwords._DUMMY_HASH
