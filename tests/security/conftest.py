"""The real HTTP receiver on loopback, shared with these tests."""

from tests.receiver import allow_loopback, receiver  # noqa: F401 - fixtures
