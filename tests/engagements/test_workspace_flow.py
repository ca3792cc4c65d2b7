"""A lead takes an engagement from the first step to the story through the workspace pages."""

from sqlalchemy import select

from engage.activity.services import record_test_result
from engage.engagements.models import Engagement, Step
from engage.extensions import db
from engage.organisations.models import OrganisationKind
from engage.vocabularies.services import load_defaults
from tests.factories import csrf_token, log_activity, sign_in, signed_agreement


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_lead_takes_an_engagement_from_challenge_to_story(client, make):
    load_defaults()
    lead = make.lead()
    charity = make.organisation(kind=OrganisationKind.VCFSE, name="Common Ground")
    sign_in(client, lead)

    response = _post(client, "/workspace/new", {"title": "Urgent care redesign"})
    assert response.status_code == 302
    engagement = Engagement.query.filter_by(slug="urgent-care-redesign").one()
    base = f"/workspace/{engagement.slug}"

    refused = _post(client, f"{base}/move-on", {})
    assert refused.status_code == 302
    page = client.get(base + "/").get_data(as_text=True)
    assert "Write the challenge statement" in page

    assert _post(client, f"{base}/challenge", {
        "version": engagement.version, "title": "Urgent care redesign",
        "challenge_statement": "How should urgent care work?", "why_now": "The programme starts in spring.",
        "summary": "Shaping urgent care with the people who use it.", "area": "", "budget": "1500",
    }).status_code == 302
    assert _post(client, f"{base}/hooks", {"title": "Urgent care redesign programme"}).status_code == 302
    level_answers = {"decision_made": "no", "input_can_change": "yes", "specific_community": "yes",
                     "partner_budget": "yes", "enough_time": "yes", "lived_experience_ready": "no"}
    db.session.expire_all()
    db_engagement = db.session.get(Engagement, engagement.id)
    assert _post(client, f"{base}/level", {**level_answers, "level": "co-design", "rationale": "Time and budget.",
                                           "version": db_engagement.version}).status_code == 302
    assert _post(client, f"{base}/move-on", {}).status_code == 302
    assert _engagement_step(engagement.id) is Step.COLLABORATORS

    assert _post(client, f"{base}/collaborators", {"organisation": str(charity.id),
                                                   "role": "vcfse_partner"}).status_code == 302
    _post(client, f"{base}/move-on", {})
    assert _engagement_step(engagement.id) is Step.COLLABORATORS
    assert "Sign an expectation agreement" in client.get(base + "/").get_data(as_text=True)
    signed_agreement(db.session.get(Engagement, engagement.id), lead=lead, partner=make.partner(organisation=charity))
    _post(client, f"{base}/move-on", {})
    assert _engagement_step(engagement.id) is Step.FRAME

    _post(client, f"{base}/perspectives", {"text": "People wait too long.", "lens": "lived_experience",
                                           "organisation": ""})
    _post(client, f"{base}/ideas", {"text": "A walk-in evening clinic", "proposed_by": "Residents in Kirkholt",
                                    "organisation": "", "imagined_impact": "Fewer A&E visits"})
    _post(client, f"{base}/tests", {"idea": "", "what": "Open on two evenings", "how": "A four-week pilot",
                                    "success_measure": "Fewer walk-ins at A&E"})
    _post(client, f"{base}/move-on", {})
    assert _engagement_step(engagement.id) is Step.TEST
    _post(client, f"{base}/move-on", {})
    assert _engagement_step(engagement.id) is Step.TEST
    page = client.get(base + "/").get_data(as_text=True)
    assert "Log at least one activity" in page
    record_test_result(db.session.get(Engagement, engagement.id).planned_tests[0], actor=lead,
                       what_happened="Ran for four weeks.", what_it_showed="Fewer walk-ins.")
    db.session.commit()
    log_activity(db.session.get(Engagement, engagement.id), partner=lead)
    _post(client, f"{base}/move-on", {})
    assert _engagement_step(engagement.id) is Step.STORY
    page = client.get(base + "/").get_data(as_text=True)
    assert "Write the \u201cWe asked\u201d section of the story" in page


def _engagement_step(engagement_id: int) -> Step:
    db.session.expire_all()
    return db.session.scalar(select(Engagement.current_step).where(Engagement.id == engagement_id))


def test_a_save_without_the_version_it_started_from_is_refused_as_stale(app, make, engagement_at):
    engagement = engagement_at()
    lead = engagement.lead_user
    client = app.test_client()
    sign_in(client, lead)
    path = f"/workspace/{engagement.slug}/story"

    response = client.post(path, data={"story_we_asked": "Typed without a version",
                                       "csrf_token": csrf_token(client, path)})

    assert response.status_code == 409
    assert "Typed without a version" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Engagement, engagement.id).story_we_asked == ""
