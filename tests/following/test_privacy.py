"""Followers' addresses are kept only to send their e-mails: after residents sign up, confirm and are e-mailed,
no public page, open-data file, static export, administrators' page, other table or log line holds an address
(or a part of one), and no address ever travels in a web address."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from engage.database import utcnow
from engage.export.static_site import public_urls
from engage.extensions import db
from tests.factories import sign_in
from tests.following.conftest import (
    NEIGHBOUR,
    RESIDENT,
    confirm_link_in,
    follow_and_confirm,
    follow_path,
    messages_to,
    publish_change,
    sign_up,
    unsubscribe_link_in,
)

pytestmark = pytest.mark.date_sensitive

UNCONFIRMED = "never.confirmed@example.co.uk"
ADDRESSES = (RESIDENT, NEIGHBOUR, UNCONFIRMED)
# The part before the @ is personal data too, and unusual enough not to appear by chance.
LOCAL_PARTS = tuple(address.split("@")[0] for address in ADDRESSES)


def leaks(text: str) -> list[str]:
    return [part for part in (*ADDRESSES, *LOCAL_PARTS) if part in text]


def test_follower_addresses_appear_in_no_page_export_table_or_log(app, world, smtp_server, make, caplog,
                                                                   tmp_path, monkeypatch):
    caplog.set_level(logging.DEBUG)
    seen_locations: list[str] = []
    # Sign-ups while no mail server is set and e-mails are echoed to the log (the development default).
    monkeypatch.setitem(app.config, "MAIL_ECHO", True)
    smtp_host = app.config["SMTP_HOST"]
    monkeypatch.setitem(app.config, "SMTP_HOST", "")
    follow_and_confirm(app, follow_path("engagement", world.completed.slug), RESIDENT)
    follow_and_confirm(app, follow_path("theme", world.theme.slug), NEIGHBOUR)
    browser = app.test_client()
    response = sign_up(browser, follow_path("area", world.area.slug), UNCONFIRMED)
    seen_locations.append(response.headers["Location"])
    monkeypatch.setitem(app.config, "SMTP_HOST", smtp_host)

    # A change, the job and delivery, run as the scheduler and the command line run them.
    with time_machine.travel(utcnow() + timedelta(minutes=5)):
        publish_change(world.completed, "Commitment 'Extend evening opening' marked done")
        runner = app.test_cli_runner()
        for args in (["scheduler", "run-job", "follower-updates"], ["mail", "deliver"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
            assert not leaks(result.output), args
    assert {m["To"] for m in smtp_server.messages} == set(ADDRESSES)
    updates = [m for m in smtp_server.messages if m["Subject"].startswith("Record updated")]
    assert sorted(m["To"] for m in updates) == sorted([RESIDENT, NEIGHBOUR])

    # Every page residents can reach, and every open-data file, as the static export finds them.
    client = app.test_client()
    paths = [*public_urls(), f"/engagements?area={world.area.slug}", f"/engagements?theme={world.theme.slug}",
             "/engagements?q=heywood", "/insights", follow_path("engagement", world.completed.slug),
             follow_path("area", world.area.slug), f"{follow_path('area', world.area.slug)}/check-your-email",
             unsubscribe_link_in(messages_to(RESIDENT)[0]), confirm_link_in(messages_to(UNCONFIRMED)[0])]
    for path in paths:
        response = client.get(path, follow_redirects=True)
        assert response.status_code in (200, 404), path
        assert not leaks(response.get_data(as_text=True)), path
        seen_locations.extend(r.headers.get("Location", "") for r in response.history)

    # The static export, written as the command line writes it.
    site = tmp_path / "site"
    assert runner.invoke(args=["publish", "export", str(site)]).exit_code == 0
    exported = [path for path in Path(site).rglob("*") if path.is_file()]
    assert len(exported) > 10
    for path in exported:
        assert not leaks(path.read_bytes().decode("utf-8", "replace")), path

    # Administrators see neither the addresses in the outbox nor anything of them in the audit log.
    admin = make.admin()
    admin_browser = app.test_client()
    sign_in(admin_browser, admin)
    for path in ["/admin/outbox/", "/admin/audit", *(f"/admin/outbox/{m.id}" for m in messages_to(RESIDENT))]:
        response = admin_browser.get(path)
        assert response.status_code == 200, path
        assert not leaks(response.get_data(as_text=True)), path

    # No table but the follows and the outbox holds an address (the audit log records the confirmation only).
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name in ("follows", "outbox_messages"):
                continue
            rows = " ".join(str(tuple(row)) for row in connection.execute(select(table)))
            assert not leaks(rows), table.name
        actions = [row.action for row in connection.execute(select(db.metadata.tables["audit_events"]))]
    assert actions.count("following.confirmed") == 2

    # No address in any log line of the service (the test's own mail server, aiosmtpd's "mail.log", logs what it
    # receives), nor in any web address the service sent a browser to.
    service_lines = [record.getMessage() for record in caplog.records if not record.name.startswith("mail.log")]
    assert len(service_lines) > 10
    assert not leaks("\n".join(service_lines))
    assert any("E-mail to a follower" in record.getMessage() for record in caplog.records), \
        "the development echo ran, without the address"
    assert seen_locations and not leaks(" ".join(seen_locations))
