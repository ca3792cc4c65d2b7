"""Publications at the same moment: exactly one version for each, never two numbered versions of one
correction, and nobody is shown an error page.

Every thread has its own application context, and so its own database session and connection, as the
requests of several workers would.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import func, select

from engage.accounts.models import User
from engage.audit.models import AuditEvent
from engage.engagements import services as engagements
from engage.engagements.models import Engagement, Step
from engage.extensions import db
from engage.publication import services
from engage.publication.record import latest_version
from tests.concurrency import Task, all_at_once, posting, signed_in_browsers
from tests.engagements.conftest import tell_story

THREADS = 20
PUBLISHED_MEANWHILE = "Someone else published a correction a moment ago"


@pytest.fixture
def corrected(engagement_at) -> Engagement:
    """A completed engagement (version 1 published) whose story has been corrected since."""
    engagement = engagement_at(Step.STORY)
    tell_story(engagement, engagement.lead_user)
    engagements.move_on(engagement, actor=engagement.lead_user)
    db.session.commit()
    engagements.update_engagement(engagement, actor=engagement.lead_user, expected_version=None,
                                  story_we_did="Opened the clinic on three evenings a week.")
    db.session.commit()
    return engagement


def _numbers(engagement_id: int) -> list[int]:
    db.session.expire_all()
    return [v.number for v in services.versions_of(engagement_id)]


def _published_events(engagement_id: int) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "publication.published",
                                                                     AuditEvent.subject_id == engagement_id))


def test_twenty_corrections_published_at_once_through_the_page_publish_one_version(app: Flask, corrected):
    path = f"/workspace/{corrected.slug}/correction"
    browsers = signed_in_browsers(app, corrected.lead_user, THREADS)
    # Every browser was shown version 1 as the latest, as people with the page open at once would be.
    tasks = [posting(browser, path, {"change_note": "Corrected the number of evenings.", "based_on": "1"})
             for browser in browsers]

    outcomes = all_at_once(tasks)

    assert Counter(o.split(" ", 1)[0] for o in outcomes) == {"302": 1, "409": THREADS - 1}, outcomes
    assert all(PUBLISHED_MEANWHILE in o and "govuk-error-summary" in o for o in outcomes if o.startswith("409"))
    assert _numbers(corrected.id) == [1, 2]
    assert _published_events(corrected.id) == 2
    # The page each loser is shown is based on version 2 now, so publishing again is judged against it.
    refused = next(o for o in outcomes if o.startswith("409"))
    assert 'name="based_on" type="hidden" value="2"' in refused


def _publisher(app: Flask, engagement_id: int, user_id: int, note: str, based_on: int | None) -> Task:
    def task(barrier: threading.Barrier) -> str:
        with app.app_context():
            engagement = db.session.get(Engagement, engagement_id)
            user = db.session.get(User, user_id)
            # Let the connection go while waiting: a pool smaller than the crowd must not deadlock.
            db.session.commit()
            barrier.wait(timeout=60)
            try:
                number = services.publish(engagement, actor=user, change_note=note, based_on=based_on).number
                db.session.commit()
            except services.PublishedMeanwhile as refused:
                db.session.rollback()
                return f"refused, {refused.latest} is the latest"
            return f"published {number}"

    return task


def test_publications_at_once_based_on_the_same_version_publish_only_one(app: Flask, corrected):
    lead_id = corrected.lead_user.id
    outcomes = all_at_once([_publisher(app, corrected.id, lead_id, f"Correction {i}", based_on=1)
                            for i in range(THREADS)])

    assert Counter(outcomes) == {"published 2": 1, "refused, 2 is the latest": THREADS - 1}
    assert _numbers(corrected.id) == [1, 2]


def test_publications_at_once_not_based_on_a_version_each_take_the_next_number(app: Flask, corrected):
    # As commitments publish: each change is its own version, and none may be lost to a taken number.
    lead_id = corrected.lead_user.id
    outcomes = all_at_once([_publisher(app, corrected.id, lead_id, f"Change {i}", based_on=None)
                            for i in range(THREADS)])

    assert sorted(outcomes) == sorted(f"published {n}" for n in range(2, THREADS + 2))
    assert _numbers(corrected.id) == list(range(1, THREADS + 2))
    record_versions = latest_version(corrected.id).record["versions"]
    assert [v["version"] for v in record_versions] == list(range(1, THREADS + 2))


def test_a_correction_based_on_an_older_version_is_refused(corrected):
    services.publish(corrected, actor=corrected.lead_user, change_note="Corrected the evenings.", based_on=1)
    db.session.commit()

    with pytest.raises(services.PublishedMeanwhile) as refused:
        services.publish(corrected, actor=corrected.lead_user, change_note="Corrected them again.", based_on=1)
    assert refused.value.latest == 2
    db.session.rollback()
    assert _numbers(corrected.id) == [1, 2]
