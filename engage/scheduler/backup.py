"""The nightly backup of an SQLite database (the embedded default), with SQLite's online backup API: a
consistent copy taken while the service keeps running. PostgreSQL is backed up by its server instead."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from engage.extensions import db

PREFIX = "engage-"
SUFFIX = ".sqlite3"


class BackupError(RuntimeError):
    pass


def backups(directory: Path) -> list[Path]:
    """The backups in `directory`, oldest first (their names sort by time)."""
    return sorted(path for path in directory.glob(f"{PREFIX}*{SUFFIX}") if path.is_file())


def _verify(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
        result = copy.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"the copy failed its check: {result}")


def backup_database() -> str:
    """The backup-database job: copy the database to BACKUP_DIR, check the copy, keep the newest BACKUP_KEEP."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return "Not needed on PostgreSQL (use the server's own backups)."
    source_path = engine.url.database
    if not source_path or source_path == ":memory:":
        return "Nothing to back up: the database is in memory."
    directory = Path(current_app.config["BACKUP_DIR"])
    # A backup holds everything the service holds, personal data included: for the service's account only.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = directory / f"{PREFIX}{stamp}{SUFFIX}"
    # Written under a name the clean-up and restores ignore, and renamed once checked: a backup cut short
    # never looks like a good one.
    partial = directory / f".{target.name}.partial"
    try:
        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
        with contextlib.closing(sqlite3.connect(source_path)) as source, \
                contextlib.closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
            # A single self-contained file: the copy takes the live database's write-ahead log mode otherwise.
            copy.execute("PRAGMA journal_mode=DELETE")
        _verify(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    keep = max(int(current_app.config["BACKUP_KEEP"]), 1)
    removed = 0
    for old in backups(directory)[:-keep]:
        old.unlink()
        removed += 1
    size_kb = target.stat().st_size // 1024
    return f"Backed up to {target.name} ({size_kb} KB, checked); kept {min(len(backups(directory)), keep)}, " \
           f"removed {removed}."
