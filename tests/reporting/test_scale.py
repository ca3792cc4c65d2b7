"""The report card runs the same SQL whatever the amount of data: the same number of queries for the small
borough as with 500 more engagements, 100,000 more activities and 10,000 more commitments, and every figure still
right (so the numbers are summed by the database, not by loading rows)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text

from engage.activity.models import Activity
from engage.commitments.models import Commitment, CommitmentStatus
from engage.engagements.models import Engagement, Level, Step
from engage.extensions import db
from engage.reporting import daily
from engage.vocabularies.models import Community
from tests.public.test_query_counts import measure
from tests.reporting.conftest import Borough

pytestmark = pytest.mark.date_sensitive

QUERY = "from=2026-01-01&to=2026-06-30"
ADDRESSES = [f"/report-card?{QUERY}", f"/api/v1/report-card?{QUERY}", f"/report-card.csv?{QUERY}",
             f"/report-card/charts/reach.svg?{QUERY}", f"/report-card/charts/levels.svg?{QUERY}"]
MORE_ENGAGEMENTS = 500
MORE_ACTIVITIES = 100_000
MORE_COMMITMENTS = 10_000
# The most queries any of the addresses may run: the figures' fixed set, and nothing per row.
MOST_QUERIES = 20


def _grow(borough: Borough) -> None:
    """500 public engagements and 100,000 activities (each with one person reached), each table filled by a
    single executemany INSERT (the reach by one INSERT … SELECT)."""
    e1 = db.session.scalar(select(Engagement).where(Engagement.slug == borough.slugs["e1"]))
    created = e1.created_at
    db.session.execute(insert(Engagement), [
        {"slug": f"more-{n}", "title": f"More {n}", "lead_organisation_id": e1.lead_organisation_id,
         "lead_user_id": e1.lead_user_id, "current_step": Step.FRAME, "level": Level.CO_PRODUCE,
         "created_at": created} for n in range(MORE_ENGAGEMENTS)])
    engagement_ids = list(db.session.scalars(select(Engagement.id).where(Engagement.slug.like("more-%"))))
    first_day = date(2026, 1, 1)
    activity = {"organisation_id": None, "logged_by_id": None}
    template = db.session.scalar(select(Activity).where(Activity.engagement_id == e1.id))
    activity.update(organisation_id=template.organisation_id, logged_by_id=template.logged_by_id)
    # Plain SQL through the driver's executemany: the quickest way to 100,000 rows on either database.
    now = datetime.now(UTC).replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else datetime.now(UTC)
    before = db.session.scalar(select(func.max(Activity.id)))
    db.session.execute(text(
        "INSERT INTO activities (engagement_id, organisation_id, logged_by_id, occurred_on, kind, title, description,"
        " participants, volunteer_minutes, staff_minutes, spend_pence, created_at, updated_at, version)"
        " VALUES (:engagement_id, :organisation_id, :logged_by_id, :occurred_on, 'outreach', 'Door knocking', '',"
        " 1, 6, 0, 0, :now, :now, 1)"), [
        {**activity, "engagement_id": engagement_ids[n % MORE_ENGAGEMENTS], "now": now,
         "occurred_on": first_day + timedelta(days=n % 181)} for n in range(MORE_ACTIVITIES)])
    if db.engine.dialect.name == "postgresql":
        # Each reach row's foreign-key check would reuse the plan this connection made while `activities` was
        # nearly empty (tables are emptied between tests, and vacuumed): a scan of the whole table, for each of
        # 100,000 rows. ANALYZE makes PostgreSQL plan it again, with the index.
        db.session.execute(text("ANALYZE activities"))
    carers = db.session.scalar(select(Community.id).where(Community.name == "Carers network"))
    db.session.execute(text(
        "INSERT INTO activity_reach (activity_id, community_id, count)"
        " SELECT id, :community, 1 FROM activities WHERE id > :before"), {"community": carers, "before": before})
    if db.engine.dialect.name == "postgresql":
        # The same the other way: emptying the tables after the test deletes the activities, and each one's
        # cascade to its reach rows would reuse a plan made while the reach table was nearly empty.
        db.session.execute(text("ANALYZE activity_reach"))
    # Commitments on the completed e3, made in the period: every other one done on time, 10 days after its making.
    e3 = db.session.scalar(select(Engagement).where(Engagement.slug == borough.slugs["e3"]))
    made = datetime(2026, 4, 1, 9, tzinfo=UTC)
    db.session.execute(insert(Commitment), [
        {"engagement_id": e3.id, "action": f"Commitment {n}", "responsible_organisation_id": e3.lead_organisation_id,
         "due_date": date(2026, 5, 1), "created_at": made, "updated_at": made,
         "status": CommitmentStatus.DONE if n % 2 else CommitmentStatus.PLANNED,
         "done_on": date(2026, 4, 11) if n % 2 else None} for n in range(MORE_COMMITMENTS)])
    # The activities went in as plain SQL, past the session: the day totals are worked out again, as the
    # benchmark's builder does.
    daily.refresh_all(db.session.connection())
    db.session.commit()


def test_the_query_count_does_not_grow_with_100000_activities(client, borough, app):
    small = {url: measure(client, url).queries for url in ADDRESSES}
    assert max(small.values()) <= MOST_QUERIES, small
    before = client.get(f"/api/v1/report-card?{QUERY}").get_json()

    _grow(borough)
    started = time.perf_counter()
    large = {url: measure(client, url) for url in ADDRESSES}
    seconds = time.perf_counter() - started

    assert {url: m.queries for url, m in large.items()} == small
    # No statement returns more rows than the categories it counts (themes, areas, communities...).
    assert max(m.most_rows for m in large.values()) < 50
    after = client.get(f"/api/v1/report-card?{QUERY}").get_json()
    assert after["engagements"]["total"] == before["engagements"]["total"] + MORE_ENGAGEMENTS
    assert after["activity"]["activities"] == before["activity"]["activities"] + MORE_ACTIVITIES
    assert after["activity"]["participants"] == before["activity"]["participants"] + MORE_ACTIVITIES
    assert after["activity"]["volunteer_hours"] == before["activity"]["volunteer_hours"] + MORE_ACTIVITIES * 6 / 60
    reach = {c["key"]: c["count"] for c in after["activity"]["reach"]}
    assert reach["carers-network"] == 6 + MORE_ACTIVITIES
    assert after["commitments"]["made"] == before["commitments"]["made"] + MORE_COMMITMENTS
    assert after["commitments"]["done_on_time"] == before["commitments"]["done_on_time"] + MORE_COMMITMENTS // 2
    # 21 days from e3's publication (21 March) to 11 April, 5,000 times: the median is taken in SQL, not in Python.
    assert after["commitments"]["median_days_from_publication_to_done"] == 21.0
    # Each address twice (measure() warms up first), so ten requests in all: well under a second each.
    assert seconds < 30, f"{seconds:.1f} s for ten requests"
