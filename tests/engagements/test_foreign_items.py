"""Something of another engagement reached through this engagement's address (its agreement, activity, test,
output, milestone, insight…) does not exist as far as the person can tell (404), and the refusal is audited like
every other refusal. Something that does not exist at all is simply not found."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from engage.accounts.models import User
from engage.activity import services as activity
from engage.activity.models import Activity, Insight
from engage.agreements.models import Agreement, Milestone
from engage.audit.models import AuditEvent
from engage.engagements import services
from engage.engagements.models import (
    Collaborator,
    Engagement,
    Hook,
    Idea,
    Lens,
    OutputKind,
    Perspective,
    PlannedTest,
    Step,
    StoryOutput,
)
from engage.extensions import db
from tests.factories import csrf_token, log_activity, sign_in


@dataclass
class Side:
    """One engagement at the test step with one of everything, and the partner who logged its activity."""

    engagement: Engagement
    lead: User
    partner: User
    ids: dict[str, int]


def build_side(engagement_at, title: str) -> Side:
    engagement = engagement_at(Step.TEST, title=title)
    agreement = db.session.scalars(select(Agreement).where(Agreement.engagement_id == engagement.id)).one()
    partner = agreement.vcfse_signatory
    logged = log_activity(engagement, partner=partner)
    insight = activity.add_insight(logged, actor=partner, text="Evening opening matters most.",
                                   lens=Lens.LIVED_EXPERIENCE, themes=[], organisation=None, system_blocker=False)
    output = services.add_output(engagement, actor=engagement.lead_user, title="Interim report",
                                 kind=OutputKind.REPORT, description="", url="https://example.org/report")
    db.session.commit()
    ids = {"agreement": agreement.id, "milestone": agreement.milestones[0].id, "activity": logged.id,
           "insight": insight.id, "test": engagement.planned_tests[0].id, "output": output.id,
           "hook": engagement.hooks[0].id, "collaborator": engagement.collaborators[0].id,
           "idea": engagement.ideas[0].id, "perspective": engagement.perspectives[0].id}
    return Side(engagement, engagement.lead_user, partner, ids)


@dataclass
class World:
    mine: Side
    theirs: Side


@pytest.fixture
def world(engagement_at) -> World:
    return World(build_side(engagement_at, "Urgent care redesign"), build_side(engagement_at, "Library hours"))


# (what, method, address: "my" ids except the one named in braces, which is the other engagement's; who asks)
MATRIX = [
    ("agreement", "GET", "/agreements/{agreement}", "lead"),
    ("agreement", "GET", "/agreements/{agreement}/sign", "partner"),
    ("agreement", "POST", "/agreements/{agreement}/vary", "lead"),
    ("milestone", "GET", "/agreements/{my_agreement}/milestones/{milestone}/status", "partner"),
    ("milestone", "POST", "/agreements/{my_agreement}/milestones/{milestone}/remove", "lead"),
    ("activity", "GET", "/activity/{activity}", "partner"),
    ("activity", "GET", "/activity/{activity}/change", "partner"),
    ("insight", "POST", "/activity/{my_activity}/insights/{insight}/remove", "partner"),
    ("test", "GET", "/tests/{test}/result", "partner"),
    ("output", "GET", "/outputs/{output}/file", "lead"),
    ("output", "POST", "/outputs/{output}/remove", "lead"),
    ("hook", "POST", "/hooks/{hook}/remove", "lead"),
    ("collaborator", "POST", "/collaborators/{collaborator}/remove", "lead"),
    ("idea", "POST", "/ideas/{idea}/remove", "lead"),
    ("perspective", "POST", "/perspectives/{perspective}/remove", "lead"),
]
MODELS = {"agreement": Agreement, "milestone": Milestone, "activity": Activity, "insight": Insight,
          "test": PlannedTest, "output": StoryOutput, "hook": Hook, "collaborator": Collaborator, "idea": Idea,
          "perspective": Perspective}


def refusals() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access.refused")
                                   .order_by(AuditEvent.id)))


def request(client, world: World, method: str, template: str, who: str, ids: dict[str, int]):
    mine = world.mine
    path = f"/workspace/{mine.engagement.slug}" + template.format(
        my_agreement=mine.ids["agreement"], my_activity=mine.ids["activity"], **ids)
    sign_in(client, mine.lead if who == "lead" else mine.partner)
    if method == "GET":
        return client.get(path), path
    token = csrf_token(client, f"/workspace/{mine.engagement.slug}/updates")
    return client.post(path, data={"csrf_token": token}), path


@pytest.mark.parametrize(("what", "method", "template", "who"), MATRIX,
                         ids=[f"{method} {template}" for _what, method, template, _who in MATRIX])
def test_another_engagements_item_through_this_address_is_not_found_and_the_refusal_audited(
        client, world, what, method, template, who):
    before = len(refusals())
    ids = {key: world.mine.ids[key] for key in world.mine.ids} | {what: world.theirs.ids[what]}

    response, path = request(client, world, method, template, who, ids)

    assert response.status_code == 404
    [event] = refusals()[before:]
    asker = world.mine.lead if who == "lead" else world.mine.partner
    assert (event.actor_id, event.subject_type, event.subject_id) == (asker.id, "Engagement",
                                                                      world.mine.engagement.id)
    assert event.data == {"path": path, "reason": "not part of this engagement", "kind": MODELS[what].__name__,
                          "id": world.theirs.ids[what]}
    # Nothing of the other engagement was removed.
    assert db.session.get(MODELS[what], world.theirs.ids[what]) is not None


@pytest.mark.parametrize(("what", "method", "template", "who"), MATRIX,
                         ids=[f"{method} {template}" for _what, method, template, _who in MATRIX])
def test_an_item_that_does_not_exist_is_simply_not_found(client, world, what, method, template, who):
    before = len(refusals())
    ids = {key: world.mine.ids[key] for key in world.mine.ids} | {what: 999_999}

    response, _path = request(client, world, method, template, who, ids)

    assert response.status_code == 404
    assert refusals()[before:] == []
