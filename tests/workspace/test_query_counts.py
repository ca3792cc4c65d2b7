"""The "Your engagements" page runs the same SQL however many engagements a person has: what needs doing next in each
(the step gates, the publication check at the story step included) is worked out for all of them together, and
the names of the people registered, which the check looks for, are read once.

Statements are counted as the database driver receives them, as for the public pages."""

from __future__ import annotations

import pytest

from engage.accounts.models import User
from engage.engagements import services as engagements
from engage.engagements.models import Step
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from engage.workspace import tasks
from engage.workspace.dashboard import your_engagements
from tests.engagements.conftest import tell_story
from tests.factories import sign_in
from tests.public.test_query_counts import measure
from tests.publishing.test_completion_queries import REGISTERED_NAMES

# Every step, and at the story step both a story still to tell and a told one with personal data the check finds.
STEPS = [Step.CHALLENGE, Step.COLLABORATORS, Step.FRAME, Step.TEST, Step.STORY, Step.STORY, Step.COMPLETED]


def _one_of_each(engagement_at, lead: User, make, n: int) -> None:
    charity = make.organisation(kind=OrganisationKind.VCFSE)
    for index, step in enumerate(STEPS):
        engagement = engagement_at(step, lead=lead, title=f"Engagement {n}.{index}", partner_organisation=charity)
        if step is Step.STORY and index == len(STEPS) - 2:
            tell_story(engagement, lead)
            engagements.update_engagement(engagement, actor=lead, expected_version=None,
                                          story_we_did="We opened the hub: call 01706 123456 to book.")
    db.session.commit()


@pytest.fixture
def lead(make) -> User:
    return make.lead()


def test_your_engagements_runs_the_same_queries_for_7_engagements_and_for_21(client, engagement_at, make, lead):
    _one_of_each(engagement_at, lead, make, 1)
    sign_in(client, lead)
    small = measure(client, "/dashboard")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Remove or accept a UK phone number in the \u2018We did\u2019 part of the story" in page

    _one_of_each(engagement_at, lead, make, 2)
    _one_of_each(engagement_at, lead, make, 3)
    large = measure(client, "/dashboard")

    assert large.queries == small.queries, [" ".join(s.sql.split())[:120] for s in large.statements]
    assert sum(1 for s in large.statements if REGISTERED_NAMES.match(" ".join(s.sql.split()))) == 1
    # A query or more for each engagement took 53 with 7 engagements and 149 with 21.
    assert large.queries <= 30


def test_what_needs_doing_is_the_same_worked_out_together_as_one_engagement_at_a_time(app, engagement_at, make,
                                                                                      lead):
    _one_of_each(engagement_at, lead, make, 1)
    _one_of_each(engagement_at, lead, make, 2)

    with app.test_request_context():  # each thing to do links to its page
        together = your_engagements(lead)
        one_at_a_time = [tasks.next_thing_to_do(e) for e, _ in together]

    assert len(together) == 2 * len(STEPS)
    assert [todo for _, todo in together] == one_at_a_time
    assert sum(todo.text.startswith("Remove or accept a UK phone number") for _, todo in together) == 2
