"""The nightly SQLite backup: a checked copy that restores, written under its final name only when whole, the
newest BACKUP_KEEP kept; on PostgreSQL, nothing to do."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import timedelta

import pytest
import time_machine

from engage.extensions import db
from engage.scheduler.backup import backup_database, backups

pytestmark = pytest.mark.date_sensitive

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")
on_sqlite = pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite's online backup")


@pytest.fixture
def backup_dir(app, tmp_path, monkeypatch):
    directory = tmp_path / "backups"
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(directory))
    return directory


@on_sqlite
def test_a_backup_is_a_checked_private_copy_that_restores_with_the_data(make, backup_dir):
    organisation = make.organisation(name="Northbrook Allotment Society")

    with time_machine.travel("2026-05-04 02:30:00+00:00", tick=False):
        summary = backup_database()

    [copy] = backups(backup_dir)
    assert copy.name == "engage-20260504-023000.sqlite3"
    assert summary.startswith("Backed up to engage-20260504-023000.sqlite3 (")
    assert summary.endswith("KB, checked); kept 1, removed 0.")
    assert copy.stat().st_mode & 0o777 == 0o600
    assert backup_dir.stat().st_mode & 0o777 == 0o700
    assert [path.name for path in backup_dir.iterdir()] == [copy.name], "no partial file left behind"
    with contextlib.closing(sqlite3.connect(copy)) as restored:
        assert restored.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert restored.execute("SELECT name FROM organisations WHERE id = ?", (organisation.id,)).fetchone() == (
            "Northbrook Allotment Society",)
        assert restored.execute("SELECT version_num FROM alembic_version").fetchone() is not None


@on_sqlite
def test_only_the_newest_backups_are_kept(app, make, backup_dir, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_KEEP", 2)
    make.organisation()
    with time_machine.travel("2026-05-04 02:30:00+00:00", tick=False) as traveller:
        for _night in range(4):
            summary = backup_database()
            traveller.shift(timedelta(days=1))

    assert [path.name for path in backups(backup_dir)] == ["engage-20260506-023000.sqlite3",
                                                           "engage-20260507-023000.sqlite3"]
    assert summary.endswith("kept 2, removed 1.")


@on_sqlite
def test_a_backup_taken_while_the_service_writes_is_consistent(app, make, backup_dir):
    make.organisation()
    # An open write transaction on another connection: the backup copies the last committed state.
    with db.engine.connect() as writer:
        writer.exec_driver_sql("BEGIN IMMEDIATE")
        writer.exec_driver_sql("DELETE FROM organisations")
        backup_database()
        writer.rollback()
    [copy] = backups(backup_dir)
    with contextlib.closing(sqlite3.connect(copy)) as restored:
        assert restored.execute("SELECT count(*) FROM organisations").fetchone() == (1,)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL has its own backups")
def test_on_postgresql_the_job_does_nothing_and_says_why(backup_dir):
    assert backup_database() == "Not needed on PostgreSQL (use the server's own backups)."
    assert not backup_dir.exists()
