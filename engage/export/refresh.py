"""Keeps the static export of the public site (STATIC_EXPORT_DIR) up to date, for the refresh-static-export job.

The export is rewritten only when something residents can see has changed since the last one (the same
moment the public pages give as Last-Modified), or when the last one is a day old. The daily rewrite catches
what that moment does not see, such as new page templates after an upgrade, at a cost paid once a day rather
than every quarter of an hour. `export_site` builds the new export beside the old one and swaps it in with
a rename, so a static host never serves half of one.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from engage.caching.changes import last_changed
from engage.database import utcnow
from engage.export.static_site import export_site

# Beside the export (not in it, so it is never published), what the last export was made from.
STATE_SUFFIX = ".state.json"
MAX_AGE = timedelta(days=1)


def _state_file(directory: Path) -> Path:
    return directory.with_name(f".{directory.name}{STATE_SUFFIX}")


def _read_state(directory: Path) -> dict[str, str]:
    try:
        return json.loads(_state_file(directory).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_state(directory: Path, state: dict[str, str]) -> None:
    path = _state_file(directory)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(state) + "\n", encoding="utf-8")
    os.replace(partial, path)


def _needs_export(directory: Path, changed: datetime | None, now: datetime) -> str | None:
    """Why the export must be rewritten, or None if it is up to date."""
    state = _read_state(directory)
    if not directory.is_dir() or "exported_at" not in state:
        return "no export yet"
    if now - datetime.fromisoformat(state["exported_at"]) >= MAX_AGE:
        return "the last export is a day old"
    if changed is not None and (not state.get("changed") or changed > datetime.fromisoformat(state["changed"])):
        return "the public site has changed"
    return None


def refresh_static_export() -> str:
    setting = current_app.config.get("STATIC_EXPORT_DIR") or ""
    if not setting:
        return "Nothing to do: STATIC_EXPORT_DIR is not set, so there is no static export to refresh."
    directory = Path(setting).resolve()
    now = utcnow()
    # Read before exporting: a change made while the export runs is then picked up by the next run.
    changed = last_changed()
    reason = _needs_export(directory, changed, now)
    if reason is None:
        return f"The static export in {directory} is up to date."
    report = export_site(current_app._get_current_object(), directory)
    _write_state(directory, {"exported_at": now.isoformat(), "changed": changed.isoformat() if changed else ""})
    broken = f"; {len(report.broken)} linked pages answered with an error" if report.broken else ""
    return f"Exported {len(report.files)} pages and files to {directory} ({reason}){broken}."
