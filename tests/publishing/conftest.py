"""Builders for engagements ready to publish, through the services."""

from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture, shared with these tests
