"""Text already stored can break no page: Markdown nested too deeply to parse, or slow to parse, saved before the
forms refused it (or written by another route), is shown as escaped plain text on the public record, in the
workspace and on published versions, which are immutable and so must render whatever they hold."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from engage.commitments import services as commitments
from engage.engagements.models import ProgressUpdate, Step
from engage.extensions import db
from engage.publication.models import PublishedVersion
from engage.publication.record import latest_version
from tests.commitments.conftest import a_day, completed  # noqa: F401 - the fixture
from tests.engagements.conftest import engagement_at  # noqa: F401 - the fixture
from tests.factories import sign_in
from tests.public.test_pages_record import text_of

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

DEEP = "- " * 500 + "x"  # a RecursionError in Python-Markdown: the pages were 500s for ever
STORED = [DEEP, ">" * 1_000 + " quoted", "- > " * 300 + "mixed", "[" * 9_999 + "x"]


@pytest.mark.parametrize("body", STORED)
def test_a_stored_progress_update_nested_too_deeply_shows_on_every_page(client, engagement_at, make,  # noqa: F811
                                                                       body):
    engagement = engagement_at(Step.FRAME)  # public from the second step
    partner = make.partner(organisation=engagement.collaborators[0].organisation)
    # As saved before the forms refused it: straight into the table.
    db.session.add(ProgressUpdate(engagement_id=engagement.id, body=body, author_id=partner.id,
                                  organisation_id=partner.organisation_id))
    db.session.commit()

    public = client.get(f"/engagements/{engagement.slug}")
    assert public.status_code == 200
    assert body in text_of(public)
    assert client.get(f"/api/v1/engagements/{engagement.slug}").status_code == 200

    sign_in(client, partner)
    workspace = client.get(f"/workspace/{engagement.slug}/updates")
    assert workspace.status_code == 200
    assert body in text_of(workspace)


def test_a_published_version_holding_text_that_cannot_be_parsed_renders_again(client, completed):  # noqa: F811
    one = completed.add()
    commitments.record_update(one, actor=completed.lead, occurred_on=a_day(), body="Talks have started.")
    db.session.commit()
    engagement = completed.engagement
    published = latest_version(engagement.id)
    # A version published with the text in every Markdown part of the record, stored as it would have been: a
    # version is never changed once published, so the page has to render what it holds.
    record = copy.deepcopy(published.record)
    record["story"] = {section: f"{section}\n\n{DEEP}" for section in record["story"]}
    record["get_involved"] = DEEP
    record["updates"] = [{"at": published.published_at.isoformat(), "organisation": None, "text": DEEP}]
    record["commitments"][0]["updates"][0]["text"] = DEEP
    number = published.number + 1
    record["version"] = number
    db.session.add(PublishedVersion(engagement_id=engagement.id, number=number, record=record,
                                    change_note="Published before such text was refused."))
    db.session.commit()

    for path in (f"/engagements/{engagement.slug}/versions/{number}", f"/engagements/{engagement.slug}"):
        response = client.get(path)
        assert response.status_code == 200, path
        words = text_of(response)
        # The five story sections, the progress update and the commitment's (how to get involved is shown only
        # while an engagement is in progress).
        assert words.count(DEEP) == 7, path
        assert "so_what" in words
    assert client.get(f"/api/v1/engagements/{engagement.slug}/versions/{number}").status_code == 200
    assert db.session.scalar(select(func.count(PublishedVersion.id))
                             .where(PublishedVersion.engagement_id == engagement.id)) == number
