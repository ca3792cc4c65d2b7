"""Residents who follow records: a public world (a completed record, one in progress, one held back, all with
the same theme and area), and helpers that sign up and confirm through the real pages, as a resident would."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engage.extensions import db
from engage.following.models import Follow
from engage.mail.models import OutboxMessage
from engage.publication import services as publishing
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture, shared with these tests
from tests.factories import csrf_token
from tests.public.page_records import PublicWorld, build_world

RESIDENT = "resident.follower@example.net"
NEIGHBOUR = "neighbour.follower@example.com"


@pytest.fixture
def world(engagement_at, make) -> PublicWorld:  # noqa: F811 - the fixture imported above
    return build_world(engagement_at, make)


def follow_path(kind: str, slug: str) -> str:
    return f"/follow/{kind}/{slug}"


def sign_up(client, path: str, email: str = RESIDENT):
    return client.post(path, data={"email": email, "csrf_token": csrf_token(client, path)})


def messages_to(email: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email)
                                   .order_by(OutboxMessage.id)))


def links_in(message: OutboxMessage) -> list[str]:
    """The paths of the service's links in an e-mail, in order."""
    return re.findall(r"https?://[^/\s]+(/\S+)", message.body_text)


def confirm_link_in(message: OutboxMessage) -> str:
    return next(link for link in links_in(message) if link.startswith("/follow/confirm/"))


def unsubscribe_link_in(message: OutboxMessage) -> str:
    return next(link for link in links_in(message) if link.startswith("/follow/unsubscribe/"))


def confirm(client, message: OutboxMessage):
    """Open the confirmation link from the e-mail and press Confirm."""
    opened = client.get(confirm_link_in(message))
    assert opened.status_code == 302 and opened.headers["Location"] == "/follow/confirm"
    return client.post("/follow/confirm", data={"csrf_token": csrf_token(client, "/follow/confirm")})


def follow_and_confirm(app, path: str, email: str = RESIDENT) -> Follow:
    """A resident signs up on `path` and confirms from the e-mail, in their own browser."""
    client = app.test_client()
    assert sign_up(client, path, email).status_code == 302
    assert confirm(client, messages_to(email)[-1]).status_code == 200
    db.session.expire_all()
    return db.session.scalars(select(Follow).where(Follow.email == email).order_by(Follow.id.desc())).first()


def publish_change(engagement, note: str):
    version = publishing.publish(engagement, actor=engagement.lead_user, change_note=note)
    db.session.commit()
    return version
