"""The refresh-static-export job: nothing without STATIC_EXPORT_DIR; otherwise an export written when there is
none, left alone while nothing residents can see has changed, and rewritten (swapped in whole) when something
has, or once a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from engage.database import utcnow
from engage.engagements.models import Step
from engage.export.refresh import refresh_static_export
from engage.export.static_site import MANIFEST
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture

pytestmark = pytest.mark.date_sensitive


@pytest.fixture
def export_dir(app, tmp_path, monkeypatch):
    directory = tmp_path / "public-site"
    monkeypatch.setitem(app.config, "STATIC_EXPORT_DIR", str(directory))
    return directory


def test_without_a_static_export_directory_the_job_does_nothing_and_says_so(app, tmp_path):
    assert app.config["STATIC_EXPORT_DIR"] == ""
    assert refresh_static_export() == ("Nothing to do: STATIC_EXPORT_DIR is not set, so there is no static export "
                                       "to refresh.")
    assert list(tmp_path.iterdir()) == []


def test_the_export_is_written_then_kept_until_the_public_site_changes_then_rewritten(
        export_dir, engagement_at):  # noqa: F811 - the fixture
    first = engagement_at(Step.COLLABORATORS, title="Library opening hours")

    summary = refresh_static_export()
    assert summary.startswith("Exported ") and summary.endswith(f"to {export_dir} (no export yet).")
    assert (export_dir / MANIFEST).is_file()
    assert (export_dir / "engagements" / first.slug / "index.html").is_file()
    written = (export_dir / MANIFEST).stat().st_ino
    assert [path.name for path in export_dir.parent.iterdir() if path.name.startswith(".")] == [
        ".public-site.state.json"], "the note of what was exported is beside the export, not in it"

    assert refresh_static_export() == f"The static export in {export_dir} is up to date."
    assert (export_dir / MANIFEST).stat().st_ino == written, "left alone"

    second = engagement_at(Step.COLLABORATORS, title="Park benches")
    summary = refresh_static_export()
    assert summary.endswith("(the public site has changed).")
    assert (export_dir / "engagements" / second.slug / "index.html").is_file()
    assert (export_dir / MANIFEST).stat().st_ino != written, "a new export swapped in"
    assert refresh_static_export() == f"The static export in {export_dir} is up to date."


def test_the_export_is_rewritten_once_a_day_even_without_a_change(export_dir):
    refresh_static_export()
    with time_machine.travel(utcnow() + timedelta(hours=23, minutes=59), tick=False):
        assert refresh_static_export().endswith("is up to date.")
    with time_machine.travel(utcnow() + timedelta(days=1), tick=False):
        assert refresh_static_export().endswith("(the last export is a day old).")
