"""A clock the tests move forward, from a fixed point in time; agreements with signatories and milestones
built through the real services (the parties are the agreements tests' own)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select

from engage.agreements import services as agreements
from engage.agreements.models import Agreement
from engage.clock import LONDON
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.notifications.models import Notification
from tests.agreements.conftest import CONTENT, Parties, parties  # noqa: F401 (a fixture used here)

# A Monday morning in the borough; everything in these tests happens relative to it.
START = datetime(2027, 3, 1, 9, 0, tzinfo=LONDON)


class Clock:
    def __init__(self, traveller: time_machine.Traveller):
        self.traveller = traveller
        self.now = START

    def move_to(self, moment: datetime) -> None:
        self.now = moment
        self.traveller.move_to(moment)

    def on(self, day: date, hour: int = 9) -> None:
        """Nine in the morning (by default) on that day in the borough."""
        self.move_to(datetime(day.year, day.month, day.day, hour, tzinfo=LONDON))

    def forward(self, **delta: float) -> None:
        # Elapsed time, not wall-clock time: the clocks go forward an hour at the end of March.
        self.move_to((self.now.astimezone(UTC) + timedelta(**delta)).astimezone(LONDON))

    @property
    def today(self) -> date:
        return self.now.date()


@pytest.fixture(autouse=True)
def clock() -> Iterator[Clock]:
    """Autouse, so that it starts before any other fixture builds anything (such as `parties`)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield Clock(traveller)


def agreement(people: Parties, milestones: list[tuple[str, date]], *, sign: bool = True,
              propose: bool = True, varies: Agreement | None = None) -> Agreement:
    """An agreement with these milestones, drafted, then proposed and signed by both people unless asked
    to stop sooner. With ``varies``, a variation of that agreement with these milestones instead of its own."""
    if varies is None:
        draft = agreements.start_agreement(people.engagement, actor=people.lead, vcfse=people.charity)
        agreements.update_draft(draft, actor=people.lead, public_signatory_id=people.lead.id,
                                vcfse_signatory_id=people.partner.id, **CONTENT)
    else:
        draft = agreements.vary(varies, actor=people.lead)
        for old in list(draft.milestones):
            agreements.remove_milestone(draft, old, actor=people.lead)
    for title, due in milestones:
        agreements.add_milestone(draft, actor=people.lead, title=title, due_date=due)
    db.session.commit()
    if propose:
        agreements.propose(draft, actor=people.lead)
        db.session.commit()
    if sign:
        for person in (people.lead, people.partner):
            agreements.sign(draft.id, user=person, typed_name=person.name, expected_hash=draft.content_hash)
    db.session.expire_all()
    return db.session.get(Agreement, draft.id)


def messages_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address)
                              .order_by(OutboxMessage.id)).all()


def notification_count(**where) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(Notification)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return db.session.scalar(query)


def run_together(app: Flask, *callers: Callable[[], None]) -> None:
    """Each caller in its own thread with its own application context (so its own connection and
    transaction); any error a thread raises fails the test."""
    errors: list[BaseException] = []

    def run(caller) -> None:
        try:
            with app.app_context():
                caller()
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(caller,)) for caller in callers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
