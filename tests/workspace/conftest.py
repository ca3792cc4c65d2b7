"""Engagements built through the real services, as for the engagements' own tests."""

from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture, shared with these tests
