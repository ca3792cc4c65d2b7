"""Fixtures shared by the organisation tests."""

from __future__ import annotations

import pytest

from engage.accounts.models import User
from tests.factories import sign_in


@pytest.fixture
def admin(client, make) -> User:
    """An administrator, signed in on `client`."""
    admin = make.admin()
    assert sign_in(client, admin).status_code == 302
    return admin
