"""Moving an engagement from its story to completed checks and publishes its record in one go: the record is
built once for the request (the check on leaving the story and the first version share it), and the names of
the people registered, which the check looks for, are read once.

Statements are counted as the database driver receives them, as for the public pages."""

from __future__ import annotations

import re

from sqlalchemy import select

from engage.engagements.models import Engagement, Step
from engage.extensions import db
from engage.publication import services
from tests.engagements.conftest import tell_story
from tests.factories import csrf_token, sign_in
from tests.public.test_query_counts import statements_run

# Read only while the whole record is built (the in-progress record has none of them).
RECORD_ONLY = re.compile(r"\bFROM commitments\b")
REGISTERED_NAMES = re.compile(r"^SELECT users\.name\s+FROM users\s*$")
# The move, its audit entries, the first version, its webhooks and search documents, the list keys worked out
# again after the flush, the report card's day totals for the engagement (taken off while it is completed
# without a version, put back with it), the list card, and the engagement's change stamp: 52 statements on
# SQLite, 54 on PostgreSQL (which locks the engagement while its day totals are worked out). Working out every
# engagement's totals instead would take 61.
MOVE_TO_COMPLETED_BOUND = 54


def _story_told(engagement_at) -> Engagement:
    engagement = engagement_at(Step.STORY)
    tell_story(engagement, engagement.lead_user)
    db.session.commit()
    return engagement


def test_moving_on_to_completed_builds_the_record_once_and_reads_the_names_once(client, engagement_at, make):
    engagement = _story_told(engagement_at)
    for _ in range(3):
        make.partner()  # more people registered: still one read of their names
    db.session.commit()
    sign_in(client, engagement.lead_user)
    token = csrf_token(client, f"/workspace/{engagement.slug}/")

    with statements_run() as seen:
        response = client.post(f"/workspace/{engagement.slug}/move-on",
                               data={"from_step": "story", "csrf_token": token})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Engagement.current_step).where(Engagement.id == engagement.id)) is Step.COMPLETED
    assert [v.number for v in services.versions_of(engagement.id)] == [1]
    sql = [" ".join(s.sql.split()) for s in seen]
    assert sum(1 for s in sql if REGISTERED_NAMES.match(s)) == 1, "the registered names are read once"
    assert sum(1 for s in sql if RECORD_ONLY.search(s)) == 1, "the whole record is built once"
    # Reading the record three times and the names twice took 49.
    assert len(sql) <= MOVE_TO_COMPLETED_BOUND, "\n".join(s[:120] for s in sql)
