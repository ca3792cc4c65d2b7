"""Which changes write webhook events, and what the events say: public facts only."""

from __future__ import annotations

import json

from sqlalchemy import select

from engage.accounts.models import User
from engage.engagements import services as engagements
from engage.engagements.models import Step
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from engage.publication import services as publishing
from engage.webhooks.models import WebhookDelivery
from tests.engagements.conftest import tell_story
from tests.factories import signed_agreement


def events() -> list[dict]:
    db.session.expire_all()
    return [json.loads(d.payload) for d in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))]


def of_type(event_type: str) -> list[dict]:
    return [event for event in events() if event["type"] == event_type]


def test_leaving_the_first_step_is_announced_with_public_addresses(app, subscribe, engagement_at):
    subscribe()
    engagement = engagement_at(Step.COLLABORATORS)
    [event] = of_type("engagement.step_changed")
    base = app.config["BASE_URL"]
    assert event["data"] == {
        "engagement": {"slug": engagement.slug, "title": engagement.title,
                       "url": f"{base}/engagements/{engagement.slug}",
                       "json_url": f"{base}/api/v1/engagements/{engagement.slug}"},
        "from_step": "challenge", "to_step": "collaborators", "direction": "on",
    }
    assert event["timestamp"].startswith("20")


def test_a_step_back_is_announced_while_public_but_not_back_to_the_first_step(subscribe, engagement_at):
    subscribe()
    engagement = engagement_at(Step.FRAME)
    engagements.step_back(engagement, actor=engagement.lead_user, reason="We need another partner.")
    engagements.step_back(engagement, actor=engagement.lead_user, reason="Restate the challenge.")
    db.session.commit()
    changes = [(e["data"]["from_step"], e["data"]["to_step"], e["data"]["direction"])
               for e in of_type("engagement.step_changed")]
    assert changes == [("challenge", "collaborators", "on"), ("collaborators", "frame", "on"),
                       ("frame", "collaborators", "back")]


def test_a_held_back_engagement_is_not_announced(subscribe, engagement_at):
    subscribe()
    engagement = engagement_at(Step.COLLABORATORS)
    engagements.set_held_back(engagement, actor=engagement.lead_user, held_back=True, reason="Sensitive for now.")
    db.session.commit()
    before = len(events())
    engagements.step_back(engagement, actor=engagement.lead_user, reason="Restate the challenge.")
    db.session.commit()
    assert len(events()) == before


def test_an_engagement_at_the_first_step_is_not_announced(subscribe, engagement_at):
    subscribe()
    engagement_at(Step.CHALLENGE)
    assert events() == []


def test_first_publication_and_a_correction(app, subscribe, engagement_at):
    subscribe()
    engagement = engagement_at(Step.STORY)
    tell_story(engagement, engagement.lead_user)
    engagements.move_on(engagement, actor=engagement.lead_user)
    db.session.commit()
    [published] = of_type("record.published")
    base = app.config["BASE_URL"]
    assert published["data"]["version"]["number"] == 1
    assert published["data"]["version"]["change_note"] == "First publication."
    assert published["data"]["version"]["url"] == f"{base}/engagements/{engagement.slug}/versions/1"
    assert published["data"]["version"]["json_url"] == f"{base}/api/v1/engagements/{engagement.slug}/versions/1"
    assert of_type("record.version") == []

    engagements.update_engagement(engagement, actor=engagement.lead_user, expected_version=None,
                                  story_we_did="Corrected text.")
    publishing.publish(engagement, actor=engagement.lead_user, change_note="Corrected what we did.")
    db.session.commit()
    [correction] = of_type("record.version")
    assert correction["data"]["version"]["number"] == 2
    assert correction["data"]["version"]["change_note"] == "Corrected what we did."
    assert len(of_type("record.published")) == 1


def test_a_failed_publication_writes_no_event(subscribe, engagement_at):
    subscribe()
    engagement = engagement_at(Step.STORY)
    try:
        publishing.publish(engagement, actor=engagement.lead_user, change_note="Too early.")
    except publishing.PublicationError:
        db.session.rollback()
    assert of_type("record.published") == []


def test_a_fully_signed_agreement_is_announced_with_the_organisations_names(make, subscribe, engagement_at):
    subscribe()
    engagement = engagement_at(Step.COLLABORATORS)
    partner_org = make.organisation(kind=OrganisationKind.VCFSE, name="Kirkholt Community Action")
    engagements.add_collaborator(engagement, actor=engagement.lead_user, organisation=partner_org,
                                 role=engagements.CollaboratorRole.VCFSE_PARTNER)
    db.session.commit()
    partner = make.partner(organisation=partner_org)
    agreement = signed_agreement(engagement, lead=engagement.lead_user, partner=partner)

    [event] = of_type("agreement.signed")
    assert event["data"]["engagement"]["slug"] == engagement.slug
    assert event["data"]["agreement"]["vcfse_organisation"] == "Kirkholt Community Action"
    assert event["data"]["agreement"]["public_sector_organisation"] == engagement.lead_organisation.name
    assert event["data"]["agreement"]["version_number"] == agreement.version_number
    assert event["data"]["agreement"]["signed_at"] is not None


def test_events_never_carry_peoples_names_or_email_addresses(make, subscribe, engagement_at):
    subscribe()
    lead = make.lead(name="Imogen Threlfall", email="imogen.threlfall@council.example.org")
    engagement = engagement_at(Step.STORY, lead=lead)
    tell_story(engagement, lead)
    engagements.move_on(engagement, actor=lead)
    db.session.commit()
    payloads = [d.payload for d in db.session.scalars(select(WebhookDelivery))]
    kinds = {json.loads(p)["type"] for p in payloads}
    assert kinds == {"engagement.step_changed", "record.published", "agreement.signed"}
    people = db.session.scalars(select(User)).all()  # the lead and the signatories among them
    assert len(people) >= 2
    for payload in payloads:
        for person in people:
            assert person.name not in payload and person.email not in payload
        assert "@" not in payload
