"""A published version's page body and JSON are built once and kept (`site/record_pages.py`): publishing stores
them, readers are served the stored ones without rendering the body again, and nothing that is not fixed by the
version (overdue today, the latest version, the templates) is ever served from a stale row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import template_rendered
from sqlalchemy import delete, func, select

from engage.extensions import db
from engage.publication import services as publishing
from engage.publication.models import PublishedVersion, StoredRecordPage
from engage.site import record_pages
from tests.commitments.conftest import Completed, completed  # noqa: F401 - the fixture
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture the one above uses
from tests.public.test_pages_record import text_of

pytestmark = pytest.mark.date_sensitive

BODY = record_pages.BODY_TEMPLATE


@contextmanager
def rendered(app) -> Iterator[list[str]]:
    """The names of the templates rendered meanwhile."""
    names: list[str] = []

    def note(_sender, template, **_extra) -> None:
        names.append(template.name)

    template_rendered.connect(note, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(note, app)


def stored_rows(version_id: int | None = None) -> list[StoredRecordPage]:
    query = select(StoredRecordPage).order_by(StoredRecordPage.id)
    if version_id is not None:
        query = query.where(StoredRecordPage.version_id == version_id)
    db.session.expire_all()
    return list(db.session.scalars(query))


def latest_of(completed: Completed) -> PublishedVersion:  # noqa: F811 - the fixture's type
    return db.session.scalars(select(PublishedVersion).where(
        PublishedVersion.engagement_id == completed.engagement.id).order_by(PublishedVersion.number.desc())).first()


def test_publishing_stores_the_page_body_and_json_so_no_reader_renders_them(app, client, completed):  # noqa: F811
    version = latest_of(completed)
    assert {row.kind for row in stored_rows(version.id)} == {"html", "json"}
    slug = completed.engagement.slug
    with rendered(app) as names:
        page = client.get(f"/engagements/{slug}")
        record = client.get(f"/api/v1/engagements/{slug}")
    assert page.status_code == record.status_code == 200
    assert "public/engagement.html" in names and BODY not in names
    assert completed.engagement.title in text_of(page)
    assert record.get_json() == version.record  # no commitments: nothing worked out at serving
    assert record.mimetype == "application/json"


def test_a_page_is_the_same_served_from_the_stored_body_as_built_afresh(app, client, completed):  # noqa: F811
    completed.add(due_in_days=5)
    slug = completed.engagement.slug
    stored = client.get(f"/engagements/{slug}").get_data(as_text=True)
    stored_json = client.get(f"/api/v1/engagements/{slug}").get_data(as_text=True)
    db.session.execute(delete(StoredRecordPage))
    db.session.commit()
    with rendered(app) as names:
        built = client.get(f"/engagements/{slug}").get_data(as_text=True)
        built_json = client.get(f"/api/v1/engagements/{slug}").get_data(as_text=True)
    assert BODY in names
    nonce = 'nonce="'
    # Only the script's nonce differs between two responses.
    assert stored.split(nonce)[0] == built.split(nonce)[0]
    assert stored.split(nonce)[1].split('"', 1)[1] == built.split(nonce)[1].split('"', 1)[1]
    assert stored_json == built_json
    assert json.loads(built_json)["commitments"][0]["overdue"] is False


def test_a_missing_row_is_built_for_the_first_reader_and_kept_once(app, client, completed):  # noqa: F811
    db.session.execute(delete(StoredRecordPage))
    db.session.commit()
    slug = completed.engagement.slug
    with rendered(app) as first:
        client.get(f"/engagements/{slug}")
    with rendered(app) as second:
        client.get(f"/engagements/{slug}")
    assert first.count(BODY) == 1 and BODY not in second
    assert [row.kind for row in stored_rows()] == ["html"]
    # A second reader who built the same row meanwhile inserts nothing and fails nothing.
    row = stored_rows()[0]
    with db.engine.begin() as connection:
        record_pages._insert([{**{c: getattr(row, c) for c in ("version_id", "kind", "variant", "fingerprint")},
                               "body": b"", "built_at": row.built_at}], connection)
    assert len(stored_rows()) == 1
    assert client.get(f"/engagements/{slug}").status_code == 200


def test_changed_templates_or_code_never_serve_a_body_they_did_not_build(app, client, completed, monkeypatch):  # noqa: F811
    slug = completed.engagement.slug
    client.get(f"/engagements/{slug}")
    monkeypatch.setattr(record_pages, "fingerprint", lambda: "a-new-deploy")
    with rendered(app) as names:
        assert client.get(f"/engagements/{slug}").status_code == 200
    assert BODY in names
    assert {row.fingerprint for row in stored_rows()} >= {"a-new-deploy"}
    # Filling after the deploy drops what the old templates built.
    assert record_pages.fill_missing() == 1
    assert {row.fingerprint for row in stored_rows()} == {"a-new-deploy"}


def test_the_fingerprint_covers_every_template(app, monkeypatch):
    before = record_pages.fingerprint()
    source = app.jinja_env.loader.get_source

    def one_template_changed(env, name):
        text, filename, uptodate = source(env, name)
        return text + (" " if name == "public/_commitments.html" else ""), filename, uptodate

    monkeypatch.setattr(app.jinja_env.loader, "get_source", one_template_changed)
    record_pages._fingerprints.clear()
    try:
        assert record_pages.fingerprint() != before
    finally:
        record_pages._fingerprints.clear()


def test_a_commitment_overdue_on_a_later_day_is_shown_overdue_from_a_body_of_its_own(app, client, completed):  # noqa: F811
    commitment = completed.add(due_in_days=3)
    slug = completed.engagement.slug
    assert "Overdue" not in text_of(client.get(f"/engagements/{slug}"))
    version = latest_of(completed)
    due = commitment.due_date
    the_day_after = datetime(due.year, due.month, due.day, 12, tzinfo=UTC) + timedelta(days=1)
    with time_machine.travel(the_day_after, tick=False):
        with rendered(app) as names:
            page = client.get(f"/engagements/{slug}")
        assert "Planned Overdue" in text_of(page) and BODY in names
        assert client.get(f"/api/v1/engagements/{slug}").get_json()["commitments"][0]["overdue"] is True
        # The numbered version is served as published, never overdue.
        assert "Overdue" not in text_of(client.get(f"/engagements/{slug}/versions/{version.number}"))
        with rendered(app) as again:
            assert "Planned Overdue" in text_of(client.get(f"/engagements/{slug}"))
        assert BODY not in again
    # Back on a day it is not overdue (a clock put right), the body without it is read again.
    assert "Overdue" not in text_of(client.get(f"/engagements/{slug}"))
    assert client.get(f"/api/v1/engagements/{slug}").get_json()["commitments"][0]["overdue"] is False


def test_an_earlier_version_lists_the_versions_published_after_it(client, completed):  # noqa: F811
    slug = completed.engagement.slug
    first = client.get(f"/engagements/{slug}/versions/1")
    assert "Read the latest version" not in text_of(first)
    publishing.publish(completed.engagement, actor=completed.lead, change_note="Corrected the dates.")
    db.session.commit()
    earlier = text_of(client.get(f"/engagements/{slug}/versions/1"))
    assert "Read the latest version (version 2)" in earlier and "Corrected the dates." in earlier
    # Publishing dropped the rows of version 1, which were built when it was the latest.
    one = db.session.scalar(select(PublishedVersion.id).where(PublishedVersion.engagement_id == completed.engagement.id,
                                                              PublishedVersion.number == 1))
    assert all("|2|" in row.variant for row in stored_rows(one) if row.kind == "html")
    assert "Corrected the dates." in text_of(client.get(f"/engagements/{slug}"))


def test_fill_missing_stores_what_publishing_would_have(app, client, completed):  # noqa: F811
    version = latest_of(completed)
    published = {(row.kind, row.variant): row.body for row in stored_rows(version.id)}
    db.session.execute(delete(StoredRecordPage))
    db.session.commit()
    assert record_pages.fill_missing() == 1
    assert {(row.kind, row.variant) for row in stored_rows(version.id)} == set(published)
    assert record_pages.fill_missing() == 1
    assert db.session.scalar(select(func.count()).select_from(StoredRecordPage)) == len(published)


def test_the_command_fills_them(app, completed):  # noqa: F811
    db.session.execute(delete(StoredRecordPage))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["publish", "record-pages"])
    assert result.exit_code == 0, result.output
    assert "1 published record" in result.output
    assert len(stored_rows()) == 2
