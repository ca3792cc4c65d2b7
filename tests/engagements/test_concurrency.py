"""Moving on at the same moment as someone else: the engagement moves once, and whoever loses the race is
told someone else made the change a moment ago, never shown an error.

The parallel test sends twenty requests at once from threads, as several workers would. The others make
the race happen at a known moment: just before the request writes, another connection commits a change to
the same row, as another worker's request would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from engage.engagements.models import Engagement, Step, StepChange
from engage.extensions import db
from engage.publication import services as publishing
from tests.concurrency import all_at_once, another_worker_writes_first, outcome_of, posting, signed_in_browsers
from tests.engagements.conftest import plan_time_together, post, tell_story
from tests.factories import csrf_token, sign_in
from tests.public.test_pages_record import text_of

THREADS = 20
CHANGED_MEANWHILE = "Someone else made a change a moment ago"
STEP_CHANGED = "Someone else changed this engagement\u2019s step a moment ago"


def _step_changes(engagement_id: int) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(c.from_step.value if c.from_step else "", c.to_step.value) for c in db.session.scalars(
        select(StepChange).where(StepChange.engagement_id == engagement_id).order_by(StepChange.id))]


def _ready_to_move_on(engagement_at, step: Step) -> Engagement:
    engagement = engagement_at(step)
    (plan_time_together if step is Step.FRAME else tell_story)(engagement, engagement.lead_user)
    db.session.commit()
    return engagement


def _current_step(engagement_id: int) -> Step:
    db.session.expire_all()
    return db.session.get(Engagement, engagement_id).current_step


@pytest.mark.parametrize("from_step", [Step.FRAME, Step.STORY])
def test_twenty_move_ons_at_once_move_the_engagement_once(app: Flask, engagement_at, from_step):
    engagement = _ready_to_move_on(engagement_at, from_step)
    base = f"/workspace/{engagement.slug}"
    browsers = signed_in_browsers(app, engagement.lead_user, THREADS)
    # Every browser was shown the task list at the same step, as people with it open at once would be.
    tasks = [posting(browser, f"{base}/move-on", {"from_step": from_step.value}, token_from=f"{base}/")
             for browser in browsers]

    outcomes = all_at_once(tasks)

    assert not [o for o in outcomes if not (o == f"302 {base}/" or o.startswith("409 "))], outcomes
    assert all(CHANGED_MEANWHILE in o for o in outcomes if o.startswith("409 "))
    assert _step_changes(engagement.id)[-1] == (from_step.value, from_step.next.value)
    assert [c for c in _step_changes(engagement.id) if c[0] == from_step.value] == [
        (from_step.value, from_step.next.value)]
    assert _current_step(engagement.id) is from_step.next
    if from_step.next is Step.COMPLETED:
        assert [v.number for v in publishing.versions_of(engagement.id)] == [1]
    # Exactly one person was told it moved on; those redirected were told someone else had moved it.
    said = Counter()
    for browser, outcome in zip(browsers, outcomes, strict=True):
        if outcome.startswith("302"):
            page = text_of(browser.get(f"{base}/"))
            said["moved"] += f"The engagement has moved on to \u2018{from_step.next.label}\u2019." in page
            said["someone else"] += STEP_CHANGED in page
    assert said["moved"] == 1
    assert said["moved"] + said["someone else"] == sum(o.startswith("302") for o in outcomes)


def test_a_move_on_from_a_page_showing_an_earlier_step_does_nothing(client, engagement_at):
    engagement = engagement_at(Step.FRAME)
    plan_time_together(engagement, engagement.lead_user)
    db.session.commit()
    base = f"/workspace/{engagement.slug}"
    sign_in(client, engagement.lead_user)

    # Pressed again on a page still showing the step before: the engagement is not moved on twice.
    moved = post(client, f"{base}/move-on", {"from_step": "collaborators"}, token_from=f"{base}/")

    assert outcome_of(moved) == f"302 {base}/"
    assert f"{STEP_CHANGED}: it is now at \u2018{Step.FRAME.label}\u2019." in text_of(client.get(f"{base}/"))
    assert _current_step(engagement.id) is Step.FRAME


def test_the_task_list_carries_the_step_it_shows(client, engagement_at):
    engagement = engagement_at(Step.FRAME)
    sign_in(client, engagement.lead_user)
    page = client.get(f"/workspace/{engagement.slug}/").get_data(as_text=True)
    assert 'name="from_step" type="hidden" value="frame"' in page


def test_a_step_back_from_a_page_showing_another_step_does_nothing(client, engagement_at):
    engagement = engagement_at(Step.FRAME)
    base = f"/workspace/{engagement.slug}"
    sign_in(client, engagement.lead_user)

    refused = post(client, f"{base}/step-back", {"from_step": "test", "reason": "Pressed twice."})

    assert outcome_of(refused) == f"302 {base}/"
    assert STEP_CHANGED in text_of(client.get(f"{base}/"))
    assert _current_step(engagement.id) is Step.FRAME


def _bump_version(engagement_id: int) -> Callable[[], None]:
    def write() -> None:
        with db.engine.begin() as connection:
            table = Engagement.__table__
            connection.execute(update(table).where(table.c.id == engagement_id)
                               .values(version=table.c.version + 1))

    return write


@pytest.mark.parametrize("from_step", [Step.FRAME, Step.STORY])
def test_a_move_on_that_loses_the_race_gets_a_plain_page_saying_so(client, engagement_at, from_step):
    engagement = _ready_to_move_on(engagement_at, from_step)
    base = f"/workspace/{engagement.slug}"
    sign_in(client, engagement.lead_user)
    token = csrf_token(client, f"{base}/")

    with another_worker_writes_first(_bump_version(engagement.id)):
        outcome = outcome_of(client.post(f"{base}/move-on", data={"from_step": from_step.value,
                                                                  "csrf_token": token}))

    assert outcome.startswith("409 "), outcome[:300]
    assert CHANGED_MEANWHILE in outcome and "Nothing you sent has been saved" in outcome
    assert "Go back to the page you were on" in outcome
    assert _current_step(engagement.id) is from_step
    assert publishing.versions_of(engagement.id) == []
    assert db.session.scalar(select(func.count(StepChange.id)).where(StepChange.engagement_id == engagement.id,
                                                                     StepChange.from_step == from_step)) == 0
