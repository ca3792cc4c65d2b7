"""The engagement page: a completed engagement's published record, an in-progress engagement, earlier
versions, and downloads of the files a record publishes."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from engage.engagements import services as engagements
from engage.engagements.models import Hook
from engage.extensions import db
from engage.publication import services as publishing
from engage.publication.record import latest_version
from tests.engagements.conftest import STORY, engagement_at  # noqa: F401 - the fixture
from tests.public.page_records import (
    COMPLETED_TITLE,
    INSIGHT_TEXT,
    OUTPUT_FILE_BYTES,
    PublicWorld,
    build_world,
)


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def world(engagement_at, make, uploads) -> PublicWorld:  # noqa: F811 - the fixture imported above
    return build_world(engagement_at, make, uploads_dir=uploads)


def text_of(response) -> str:
    """The page's visible words, without tags, so that assertions read like the page."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_a_completed_engagement_shows_its_published_record(client, world):
    engagement = world.completed
    response = client.get(f"/engagements/{engagement.slug}")
    assert response.status_code == 200
    page = text_of(response)

    assert f"{COMPLETED_TITLE}" in page and "Completed" in page and "Version 1, published" in page
    for label, key in (("We asked", "story_we_asked"), ("You said", "story_you_said"), ("We did", "story_we_did"),
                       ("So what?", "story_so_what"), ("What now?", "story_what_now")):
        assert f"{label} {STORY[key]}" in page
    # Attribution, agreement, figures, insights, tests, outputs, budget, timeline and versions.
    assert "Proposed by: Residents in Kirkholt" in page
    assert f"Gathered by {engagement.collaborators[0].organisation.name}" in page
    assert INSIGHT_TEXT in page and "System blocker" in page
    agreement = latest_version(engagement.id).record["agreement"]
    assert agreement["content_sha256"] in page
    assert "Four community conversations." in page and "£1,500.00" in page and "First conversation held" in page
    assert "People who took part 12" in page and "Unpaid carers" in page
    assert "Budget planned £12,000.00 For the whole engagement" in page
    assert "Spent on activities £25.00 As the partners logged it, of the £1,500.00 funding agreed" in page
    assert "In-kind value of volunteer time" in page
    assert "What it showed Fewer walk-ins at A&E on clinic evenings." in page
    assert 'href="https://example.org/report"' in response.get_data(as_text=True)
    assert "Moved on to \u2018Completed and published\u2019" in page
    assert "Version 1 (this page)" in page and "First publication." in page


def test_an_in_progress_engagement_shows_what_is_public_while_it_runs(client, world):
    engagement = world.in_progress
    response = client.get(f"/engagements/{engagement.slug}")
    assert response.status_code == 200
    page = text_of(response)
    html = response.get_data(as_text=True)

    assert "In progress" in page and "Step 3 of 6: Time together" in page
    assert "Keeping warm spaces open with the groups that run them." in page
    assert "How to get involved" in page and "<em>drop-in</em>" in html
    assert "Urgent care redesign programme" in page  # a hook
    assert "Mapped twelve warm spaces so far." in page
    assert "Moved on to \u2018Time together\u2019" in page
    assert engagement.lead_organisation.name in page
    # Not yet: what partners found is published only on completion.
    assert "What happened" not in page and "The expectation agreement" not in page
    assert "Versions of this record" not in page


@pytest.mark.parametrize("which", ["held_back", "at_challenge"])
def test_an_engagement_that_is_not_public_does_not_exist_for_residents(client, world, which):
    engagement = getattr(world, which)
    assert client.get(f"/engagements/{engagement.slug}").status_code == 404
    assert client.get(f"/engagements/{engagement.slug}/versions/1").status_code == 404


def test_a_completed_engagement_held_back_later_disappears_with_its_versions_and_files(client, world):
    engagement = world.completed
    engagements.set_held_back(engagement, actor=engagement.lead_user, held_back=True, reason="Legal advice.")
    db.session.commit()
    output = next(o for o in engagement.outputs if o.stored_name)

    assert client.get(f"/engagements/{engagement.slug}").status_code == 404
    assert client.get(f"/engagements/{engagement.slug}/versions/1").status_code == 404
    assert client.get(f"/engagements/{engagement.slug}/outputs/{output.id}").status_code == 404


def test_an_unknown_engagement_or_version_is_not_found(client, world):
    assert client.get("/engagements/no-such-engagement").status_code == 404
    assert client.get(f"/engagements/{world.completed.slug}/versions/2").status_code == 404
    assert client.get(f"/engagements/{world.in_progress.slug}/versions/1").status_code == 404


def _correct(engagement) -> None:
    lead = engagement.lead_user
    engagements.update_engagement(engagement, actor=lead, expected_version=None,
                                  story_we_did="Opened the clinic on three evenings a week.")
    publishing.publish(engagement, actor=lead, change_note="Corrected the number of evenings.")
    db.session.commit()


def test_after_a_correction_the_page_shows_version_2_and_version_1_stays_readable(client, world):
    engagement = world.completed
    _correct(engagement)

    latest = text_of(client.get(f"/engagements/{engagement.slug}"))
    assert "Version 2, published" in latest and "Opened the clinic on three evenings a week." in latest
    assert "Corrected the number of evenings." in latest
    assert "An earlier version" not in latest

    response = client.get(f"/engagements/{engagement.slug}/versions/1")
    assert response.status_code == 200
    earlier = text_of(response)
    assert "An earlier version" in earlier and "This is version 1" in earlier
    assert "Read the latest version (version 2)" in earlier
    assert f"We did {STORY['story_we_did']}" in earlier
    assert "three evenings" not in earlier
    assert f'href="/engagements/{engagement.slug}"' in response.get_data(as_text=True)
    # Every version is listed on every version, with its change note.
    assert "Corrected the number of evenings." in earlier and "Version 1 (this page)" in earlier


def test_a_published_file_downloads_as_an_attachment_that_is_never_sniffed(client, world):
    engagement = world.completed
    output = next(o for o in engagement.outputs if o.stored_name)
    page = client.get(f"/engagements/{engagement.slug}").get_data(as_text=True)
    assert f'href="/engagements/{engagement.slug}/outputs/{output.id}"' in page

    response = client.get(f"/engagements/{engagement.slug}/outputs/{output.id}")
    assert response.status_code == 200
    assert response.data == OUTPUT_FILE_BYTES
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "visits.csv" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_not_in_any_published_version_cannot_be_downloaded(client, world, uploads):
    import io

    from engage.engagements import files
    from engage.engagements.models import OutputKind

    engagement = world.completed
    stored = files.store(io.BytesIO(b"draft,notes\n"), "draft.csv")
    draft = engagements.add_output(engagement, actor=engagement.lead_user, title="Draft notes",
                                   kind=OutputKind.OTHER, description="", upload=stored)
    db.session.commit()
    assert client.get(f"/engagements/{engagement.slug}/outputs/{draft.id}").status_code == 404
    # Nor another engagement's file through this engagement's address.
    other = world.in_progress
    assert client.get(f"/engagements/{other.slug}/outputs/{draft.id}").status_code == 404


def test_only_web_addresses_become_links_on_the_record(client, world):
    engagement = world.in_progress
    # The services refuse such an address; the page must still not link one stored some other way.
    db.session.add(Hook(engagement=engagement, title="Sneaky hook", url="javascript://example.org/%0Aalert(1)"))
    engagements.add_hook(engagement, actor=engagement.lead_user, title="Strategy", url="https://example.org/plan")
    db.session.commit()
    html = client.get(f"/engagements/{engagement.slug}").get_data(as_text=True)
    assert "javascript:" not in html and "Sneaky hook" in html
    assert '<a class="govuk-link" href="https://example.org/plan">Strategy</a>' in html
