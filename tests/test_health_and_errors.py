"""The health check, and what people see when the database fails: a plain page, nothing half-saved,
and a service that recovers by itself once the database is back.

The outages are real (see tests/databases.py): the app under test has a database of its own, which is
made unreachable and then restored. Requests are made outside any app context of that app, so each
one gets its own context and session, as in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from engage.accounts.models import User
from engage.audit.models import AuditEvent
from engage.database import lock_row
from engage.extensions import db
from engage.organisations.models import Organisation
from tests.databases import Outage, app_with_outage
from tests.factories import Factories, csrf_token, sign_in

# Words that would show the page leaks the failure's internals.
INTERNALS = ("Traceback", "OperationalError", "IntegrityError", "sqlalchemy", "sqlite", "psycopg",
             "unable to open", "server closed", "audit log refuses", "File \"")


@pytest.fixture
def private(database_url: str, tmp_path) -> Iterator[tuple[Flask, Outage]]:
    with app_with_outage(database_url, tmp_path) as (app, outage):
        yield app, outage


def signed_in_admin_client(app: Flask):
    client = app.test_client()
    with app.app_context():
        admin = Factories(app).admin()
        response = sign_in(client, admin)
        assert response.status_code == 302
    return client


def assert_plain_error_page(response, status: int, heading: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in body
    assert "Nothing you sent has been saved." in body
    for word in INTERNALS:
        assert word not in body


def test_healthz_reports_the_database_as_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_while_the_database_is_unreachable_and_ok_once_it_is_back(private):
    app, outage = private
    client = app.test_client()
    assert client.get("/healthz").status_code == 200

    outage.cut()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "checks": {"database": "unavailable"}}
    assert response.headers["Cache-Control"] == "no-store"

    outage.restore()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}}


def test_a_page_with_the_database_down_is_a_plain_503_page_and_the_app_reconnects_afterwards(private):
    app, outage = private
    client = signed_in_admin_client(app)
    assert client.get("/admin/organisations/").status_code == 200
    token = csrf_token(client, "/admin/organisations/new")

    outage.cut()
    assert_plain_error_page(client.get("/admin/organisations/"), 503, "Sorry, the service is unavailable")
    response = client.post("/admin/organisations/new",
                           data={"name": "Sent During The Outage", "kind": "vcfse", "csrf_token": token})
    assert_plain_error_page(response, 503, "Sorry, the service is unavailable")

    outage.restore()
    page = client.get("/admin/organisations/")
    assert page.status_code == 200
    assert "All organisations" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Organisation.id))) == 0


def refuse_audit_events(app: Flask) -> None:
    """Make the database itself refuse every new audit event, the second write of most changes."""
    with app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("CREATE TRIGGER refuse_audit_events BEFORE INSERT ON audit_events "
                                    "BEGIN SELECT RAISE(ABORT, 'the audit log refuses this write'); END"))
        else:
            connection.execute(text("CREATE FUNCTION refuse_audit_events() RETURNS trigger LANGUAGE plpgsql AS "
                                    "$$ BEGIN RAISE EXCEPTION 'the audit log refuses this write'; END $$"))
            connection.execute(text("CREATE TRIGGER refuse_audit_events BEFORE INSERT ON audit_events "
                                    "FOR EACH ROW EXECUTE FUNCTION refuse_audit_events()"))


def accept_audit_events(app: Flask) -> None:
    with app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER refuse_audit_events"))
        else:
            connection.execute(text("DROP TRIGGER refuse_audit_events ON audit_events"))


def saved_organisations_and_events(app: Flask) -> tuple[list[str], int]:
    with app.app_context():
        names = list(db.session.scalars(select(Organisation.name)))
        events = db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "organisation.created"))
        return names, events


def test_a_change_whose_second_write_fails_saves_nothing(private):
    app, _ = private
    client = signed_in_admin_client(app)
    form = {"name": "Half Written Trust", "kind": "vcfse", "description": "Should not survive.",
            "csrf_token": csrf_token(client, "/admin/organisations/new")}

    refuse_audit_events(app)
    response = client.post("/admin/organisations/new", data=form)
    assert_plain_error_page(response, 500, "Sorry, there is a problem with the service")
    # The organisation's row was written (and given its id) before the audit event failed.
    assert saved_organisations_and_events(app) == ([], 0)

    accept_audit_events(app)
    response = client.post("/admin/organisations/new", data=form)
    assert response.status_code == 302
    assert saved_organisations_and_events(app) == (["Half Written Trust"], 1)


def _answer_to(app: Flask, change) -> tuple[int, str]:
    """What the application answers when `change` is refused by the database in the middle of a request."""
    with app.test_request_context("/admin/organisations/new", method="POST"):
        with pytest.raises(IntegrityError) as refused:
            change()
            db.session.flush()
        response = app.make_response(app.handle_user_exception(refused.value))
    return response.status_code, response.get_data(as_text=True)


def test_a_row_refused_as_a_duplicate_is_a_lost_race_and_any_other_refusal_a_fault(app: Flask, make):
    existing = make.organisation()
    member = make.partner(organisation=existing)
    organisations = Organisation.__table__
    users = User.__table__

    def values(**changed) -> dict:
        return {"name": "Another Trust", "slug": "another-trust", "kind": "vcfse", "description": "", "website": "",
                **changed}

    duplicates = [lambda: db.session.execute(insert(organisations).values(values(slug=existing.slug))),
                  lambda: db.session.execute(insert(organisations).values(values(id=existing.id)))]
    faults = [lambda: db.session.execute(insert(organisations).values(values(name=None))),  # NOT NULL
              lambda: db.session.execute(update(users).where(users.c.id == member.id)
                                         .values(organisation_id=existing.id + 1000)),  # a foreign key
              lambda: db.session.execute(update(users).where(users.c.id == member.id)
                                         .values(organisation_id=None))]  # a check

    for change in duplicates:
        status, page = _answer_to(app, change)
        assert status == 409
        assert "Someone else made a change a moment ago" in page and "Nothing you sent has been saved" in page
    for change in faults:
        status, page = _answer_to(app, change)
        assert status == 500
        assert "Sorry, there is a problem with the service" in page
    assert db.session.scalars(select(Organisation.name)).all() == [existing.name]


def test_locking_a_row_for_a_change_leaves_the_row_as_it_was(make):
    # On SQLite the lock is a write of the row to itself, which must not set its `updated_at` anew (the workspace
    # lists engagements by it), as it does not on PostgreSQL.
    organisation = make.organisation()
    row = select(Organisation.__table__).where(Organisation.id == organisation.id)
    before = db.session.execute(row).one()

    with time_machine.travel(datetime.now(UTC) + timedelta(days=1)):
        lock_row(Organisation, organisation.id)
        after = db.session.execute(row).one()
    db.session.rollback()

    assert after == before
