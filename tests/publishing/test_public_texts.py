"""Texts that are public while an engagement is in progress are checked for personal data when they are saved,
with the story step's findings, wording and "accept with a reason"; the first move on shows what will become
public; `publish scan-public` lists what is public already."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.audit.models import AuditEvent
from engage.clock import today
from engage.engagements import level_guide
from engage.engagements import services as engagements
from engage.engagements.models import Engagement, Step
from engage.engagements.public_save import PersonalDataFound
from engage.extensions import db
from engage.publication import services
from engage.publication.check import texts_of
from engage.publication.models import AcceptedFinding
from engage.publication.public_texts import unresolved_public_findings
from engage.publication.record import in_progress_record
from engage.templating import format_date
from engage.text import personal_data as check
from tests.engagements.conftest import LEVEL_ANSWERS, describe_challenge, error_summary, parsed, tell_story
from tests.factories import csrf_token, sign_in

PERSONAL = "Call Jo on 01706 123456 or e-mail jo@example.org, NHS number 943 476 5919."
FOUND = [("nhs_number", "943 476 5919"), ("email", "jo@example.org"), ("phone", "01706 123456")]
REASON = "The hub's public booking line and inbox; the number is a published example."


def kinds(findings: list[check.Finding]) -> list[tuple[str, str]]:
    return [(f.kind, f.value) for f in findings]


def accepted(engagement: Engagement) -> list[tuple[str, str, str]]:
    db.session.expire_all()
    return [(a.kind, a.where, a.reason) for a in db.session.scalars(
        select(AcceptedFinding).where(AcceptedFinding.engagement_id == engagement.id).order_by(AcceptedFinding.id))]


# Every save of text that is public while in progress ---------------------------------------------------------

def _challenge(engagement, lead, text, **kwargs):
    engagements.update_challenge(engagement, actor=lead, expected_version=None, title=engagement.title,
                                 summary=text, challenge_statement=engagement.challenge_statement,
                                 why_now=engagement.why_now, area=None, themes=[], start_date=None, end_date=None,
                                 budget_pence=None, **kwargs)


def _level(engagement, lead, text, **kwargs):
    engagements.choose_level(engagement, actor=lead, expected_version=None, answers=LEVEL_ANSWERS,
                             level=level_guide.recommend(LEVEL_ANSWERS).level, rationale=text, **kwargs)


SAVES = {
    "summary": (_challenge, "summary"),
    "level rationale": (_level, "level_rationale"),
    "how to get involved": (lambda e, lead, text, **kw: engagements.update_engagement(
        e, actor=lead, expected_version=None, get_involved=text, **kw), "get_involved"),
    "hook": (lambda e, lead, text, **kw: engagements.add_hook(e, actor=lead, title=text, **kw), "hooks[2].title"),
    "progress update": (lambda e, lead, text, **kw: engagements.post_update(e, actor=lead, body=text, **kw),
                        "updates[1].text"),
    "step-back reason": (lambda e, lead, text, **kw: engagements.step_back(e, actor=lead, reason=text, **kw),
                         "steps[3].reason"),
}


@pytest.mark.parametrize("what", list(SAVES))
def test_personal_data_in_public_text_is_refused_when_saved(engagement_at, what):
    engagement = engagement_at(Step.COLLABORATORS)
    save, where = SAVES[what]

    with pytest.raises(PersonalDataFound) as refused:
        save(engagement, engagement.lead_user, PERSONAL)

    assert kinds(refused.value.findings) == FOUND
    assert {f.where for f in refused.value.findings} == {where}
    # The same words as the story step's check.
    assert str(refused.value) == "; ".join(check.instruction(f) for f in refused.value.findings)
    assert check.instruction(refused.value.findings[2]) == (
        f"Remove or accept a UK phone number in {where}: \u201c01706 123456\u201d")
    db.session.rollback()
    # Nothing of it was kept: not in what residents see, nor anywhere in what would be published.
    assert PERSONAL not in [text for _where, text in texts_of(in_progress_record(engagement))]
    assert services.findings(engagement) == []
    assert engagement.current_step is Step.COLLABORATORS


@pytest.mark.parametrize("what", list(SAVES))
def test_confirming_it_is_public_information_accepts_each_finding_with_the_reason(engagement_at, what):
    engagement = engagement_at(Step.COLLABORATORS)
    save, where = SAVES[what]

    save(engagement, engagement.lead_user, PERSONAL, public_reason=REASON)
    db.session.commit()

    assert accepted(engagement) == [(kind, where, REASON) for kind, _value in FOUND]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "publication.finding_accepted")).all()
    assert [(e.actor_id, e.data["where"], e.data["reason"]) for e in events] == [
        (engagement.lead_user.id, where, REASON)] * 3
    # The story step's check holds the same acceptance: nothing to do there again while the text stays.
    assert unresolved_public_findings(engagement) == []
    assert services.unresolved_findings(engagement) == []


def test_a_confirmation_without_a_reason_is_refused_with_the_story_steps_words(engagement_at):
    engagement = engagement_at(Step.COLLABORATORS)
    with pytest.raises(PersonalDataFound) as refused:
        engagements.post_update(engagement, actor=engagement.lead_user, body=PERSONAL, public_reason="  ")
    assert refused.value.reason_error == "Give the reason it is right to publish this"
    db.session.rollback()
    assert accepted(engagement) == []


def test_text_without_personal_data_is_saved_as_before(engagement_at):
    engagement = engagement_at(Step.COLLABORATORS)
    engagements.post_update(engagement, actor=engagement.lead_user, body="Four conversations held in Heywood.")
    db.session.commit()
    assert [u.body for u in engagement.updates] == ["Four conversations held in Heywood."]


def test_a_finding_accepted_once_is_not_asked_about_again_and_a_changed_text_is(engagement_at):
    engagement = engagement_at(Step.COLLABORATORS)
    lead = engagement.lead_user
    engagements.update_engagement(engagement, actor=lead, expected_version=None,
                                  get_involved="Book on 01706 123456.", public_reason=REASON)
    db.session.commit()

    # Saving the same text again, or another field, needs nothing more.
    engagements.update_engagement(engagement, actor=lead, expected_version=None, get_involved="Book on 01706 123456.")
    engagements.post_update(engagement, actor=lead, body="The first session is full.")
    db.session.commit()
    # A new number is a new finding.
    with pytest.raises(PersonalDataFound) as refused:
        engagements.update_engagement(engagement, actor=lead, expected_version=None,
                                      get_involved="Book on 01706 123456 or 07700 900123.")
    assert kinds(refused.value.findings) == [("phone", "07700 900123")]
    db.session.rollback()


def test_the_registered_names_of_people_are_found_too(engagement_at, make):
    engagement = engagement_at(Step.COLLABORATORS)
    make.partner(name="Bernadette Okonjo")
    with pytest.raises(PersonalDataFound) as refused:
        engagements.post_update(engagement, actor=engagement.lead_user, body="Bernadette Okonjo ran the session.")
    assert kinds(refused.value.findings) == [("name", "Bernadette Okonjo")]
    db.session.rollback()


def test_texts_a_save_leaves_alone_are_not_looked_at_again(engagement_at):
    # Saved before the check existed: `publish scan-public` lists it; it does not block unrelated saves.
    engagement = engagement_at(Step.COLLABORATORS)
    engagement.summary = "Ring 01706 123456"
    db.session.commit()
    engagements.post_update(engagement, actor=engagement.lead_user, body="Nothing personal here.")
    db.session.commit()
    assert [u.body for u in engagement.updates] == ["Nothing personal here."]
    assert kinds(unresolved_public_findings(engagement)) == [("phone", "01706 123456")]


# The pages ----------------------------------------------------------------------------------------------------

def test_the_updates_page_refuses_personal_data_keeps_what_was_typed_and_takes_a_confirmation(client, engagement_at):
    engagement = engagement_at(Step.COLLABORATORS)
    sign_in(client, engagement.lead_user)
    path = f"/workspace/{engagement.slug}/updates"

    response = client.post(path, data={"body": PERSONAL, "csrf_token": csrf_token(client, path)})

    assert response.status_code == 200
    soup = parsed(response)
    # Each named by its place, linked to where it is quoted with the finding marked.
    update = f"the progress update of {format_date(today())}"
    assert error_summary(soup) == [
        ("#public-finding-1", f"Remove or accept an NHS number in {update}: \u201c943 476 5919\u201d"),
        ("#public-finding-2", f"Remove or accept an e-mail address in {update}: \u201cjo@example.org\u201d"),
        ("#public-finding-3", f"Remove or accept a UK phone number in {update}: \u201c01706 123456\u201d"),
    ]
    assert [mark.get_text() for mark in soup.select("#public-text-findings mark")] == [
        "943 476 5919", "jo@example.org", "01706 123456"]
    assert soup.select_one("#body").get_text() == PERSONAL
    assert soup.select_one("#public-confirmed") is not None and soup.select_one("#public-reason") is not None
    db.session.expire_all()
    assert engagement.updates == []
    assert client.get(f"/api/v1/engagements/{engagement.slug}").get_json()["updates"] == []

    # Without a reason, the confirmation is refused too.
    shown = shown_findings(soup)
    response = client.post(path, data={"body": PERSONAL, "public-confirmed": "y", "public-reason": "",
                                       "public-shown": shown, "csrf_token": csrf_token(client, path)})
    assert response.status_code == 200
    assert ("#public-reason", "Give the reason it is right to publish this") in error_summary(parsed(response))

    response = client.post(path, data={"body": PERSONAL, "public-confirmed": "y", "public-reason": REASON,
                                       "public-shown": shown, "csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    db.session.expire_all()
    assert [u.body for u in engagement.updates] == [PERSONAL]
    assert [(kind, reason) for kind, _where, reason in accepted(engagement)] == [(k, REASON) for k, _v in FOUND]


def shown_findings(soup) -> str:
    """The findings the page showed, as the browser sends them back with the confirmation."""
    return soup.select_one("input[name=public-shown]")["value"]


def test_a_confirmation_accepts_only_the_findings_it_was_shown(client, engagement_at):
    """The box stays ticked when the form is shown again: text changed meanwhile to hold other personal data is
    shown again with its own findings, not accepted with the reason given for the first."""
    engagement = engagement_at(Step.COLLABORATORS)
    sign_in(client, engagement.lead_user)
    path = f"/workspace/{engagement.slug}/updates"
    first = parsed(client.post(path, data={"body": "Call Jo on 01706 123456.", "csrf_token": csrf_token(client, path)}))

    other = "Write to jo@example.org instead."
    response = client.post(path, data={"body": other, "public-confirmed": "y", "public-reason": REASON,
                                       "public-shown": shown_findings(first), "csrf_token": csrf_token(client, path)})

    assert response.status_code == 200
    again = parsed(response)
    assert error_summary(again) == [
        ("#public-finding-1", "Remove or accept an e-mail address in the progress update of "
                              f"{format_date(today())}: \u201cjo@example.org\u201d")]
    assert shown_findings(again) != shown_findings(first)
    db.session.expire_all()
    assert engagement.updates == [] and accepted(engagement) == []

    response = client.post(path, data={"body": other, "public-confirmed": "y", "public-reason": REASON,
                                       "public-shown": shown_findings(again), "csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    db.session.expire_all()
    assert [u.body for u in engagement.updates] == [other]


@pytest.mark.parametrize(("path", "data", "field", "linked_to"), [
    # A text the page holds in a field: its errors link to that field, whose hint quotes the finding.
    ("/challenge", {"title": "Urgent care redesign", "summary": PERSONAL}, "#summary", "#summary"),
    ("/get-involved", {"get_involved": PERSONAL}, "#get_involved", "#get_involved"),
    # A new item of a list: to the finding quoted in the list of what was found.
    ("/hooks", {"title": "Jo on 01706 123456", "url": ""}, "#title", "#public-finding-1"),
    ("/step-back", {"reason": PERSONAL, "from_step": "collaborators"}, "#reason", "#public-finding-1"),
])
def test_each_public_text_page_shows_the_findings_and_keeps_what_was_typed(client, engagement_at, path, data, field,
                                                                          linked_to):
    engagement = engagement_at(Step.COLLABORATORS)
    sign_in(client, engagement.lead_user)
    base = f"/workspace/{engagement.slug}"
    if "version" not in data and path in ("/challenge", "/get-involved"):
        data = {**data, "version": str(engagement.version)}

    response = client.post(base + path, data={**data, "csrf_token": csrf_token(client, base + path)})

    assert response.status_code == 200
    soup = parsed(response)
    errors = error_summary(soup)
    assert errors[0][0] == linked_to and soup.select_one(linked_to) is not None
    assert all(text.startswith("Remove or accept ") and "[" not in text and "." not in text.split(":")[0]
               for _, text in errors)
    assert soup.select("#public-text-findings mark")
    typed = soup.select_one(field)
    assert (typed.get("value") or typed.get_text()) == next(v for k, v in data.items() if f"#{k}" == field)
    db.session.expire_all()
    assert engagement.current_step is Step.COLLABORATORS
    assert "01706 123456" not in str(client.get(f"/api/v1/engagements/{engagement.slug}").get_json())


def test_a_private_link_on_the_hooks_page_is_refused_beside_the_field(app, client, engagement_at, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", [])
    engagement = engagement_at(Step.COLLABORATORS)
    sign_in(client, engagement.lead_user)
    path = f"/workspace/{engagement.slug}/hooks"
    response = client.post(path, data={"title": "Locality plan", "url": "http://169.254.169.254/latest/",
                                       "csrf_token": csrf_token(client, path)})
    assert response.status_code == 200
    assert ("#url", engagements.PRIVATE_LINK_MESSAGE) in error_summary(parsed(response))


# Moving on from the first step ---------------------------------------------------------------------------------

def test_moving_on_from_the_challenge_shows_what_will_be_public_first(client, engagement_at):
    engagement = engagement_at(Step.CHALLENGE)
    lead = engagement.lead_user
    describe_challenge(engagement, lead)
    db.session.commit()
    sign_in(client, lead)
    base = f"/workspace/{engagement.slug}"

    task_list = parsed(client.get(base + "/"))
    button = task_list.find("a", class_="govuk-button", href=f"{base}/going-public")
    assert button is not None and button.get_text(strip=True).startswith("Move on to")

    preview = parsed(client.get(base + "/going-public"))
    assert preview.h1.get_text(strip=True) == "What will be public"
    assert preview.select_one("#public-summary dd").get_text(strip=True) == engagement.summary
    assert preview.select_one("#public-challenge dd").get_text(strip=True) == engagement.challenge_statement
    assert "Urgent care redesign programme" in preview.select_one("#public-hooks dd").get_text()
    form = preview.find("form", action=f"{base}/move-on")
    assert form is not None and "Make it public" in form.get_text()

    moved = client.post(base + "/move-on", data={"from_step": "challenge",
                                                  "csrf_token": csrf_token(client, base + "/going-public")})
    assert moved.status_code == 302
    db.session.expire_all()
    assert engagement.current_step is Step.COLLABORATORS
    assert client.get(base + "/going-public").headers["Location"] == base + "/"


def test_personal_data_already_in_the_challenge_holds_the_first_move_on_until_accepted(client, engagement_at):
    engagement = engagement_at(Step.CHALLENGE)
    lead = engagement.lead_user
    describe_challenge(engagement, lead)
    engagement.why_now = "Ask Jo: jo@example.org"  # saved before the check existed
    db.session.commit()
    message = "Remove or accept an e-mail address in \u2018Why now?\u2019 in the challenge: \u201cjo@example.org\u201d"

    with pytest.raises(engagements.GateClosed) as closed:
        engagements.move_on(engagement, actor=lead)
    assert closed.value.missing == [message]
    db.session.rollback()

    sign_in(client, lead)
    base = f"/workspace/{engagement.slug}"
    preview = parsed(client.get(base + "/going-public"))
    assert [li.get_text(strip=True) for li in preview.select("#what-is-missing li")] == [message]
    assert preview.find("form", action=f"{base}/move-on") is None
    place = preview.select_one("#unresolved-findings .govuk-summary-list__value a")
    assert place.get_text() == "\u2018Why now?\u2019 in the challenge"
    assert place["href"].startswith(base + "/challenge?finding=") and place["href"].endswith("#why_now")
    hint = parsed(client.get(place["href"])).select_one("#why_now-hint")
    assert hint is not None and hint.select_one("mark").get_text() == "jo@example.org"
    accept = preview.select_one("#unresolved-findings .govuk-summary-list__actions a")["href"]
    back = parsed(client.get(accept)).find("a", string="Back to what will be public")
    assert back is not None and back["href"] == base + "/going-public"
    done = client.post(accept, data={"reason": "The programme's public inbox.",
                                     "csrf_token": csrf_token(client, accept)})
    assert done.headers["Location"] == base + "/going-public"
    assert parsed(client.get(base + "/going-public")).find("form", action=f"{base}/move-on") is not None


# What is public already ----------------------------------------------------------------------------------------

def test_scan_public_lists_findings_per_engagement_by_field_without_the_values(app, engagement_at):
    clean = engagement_at(Step.COLLABORATORS, title="Library hours")
    in_progress = engagement_at(Step.COLLABORATORS, title="Urgent care redesign")
    in_progress.get_involved = "Text 07700 900123"  # saved before the check existed
    accepted_one = engagement_at(Step.COLLABORATORS, title="Parks plan")
    engagements.update_engagement(accepted_one, actor=accepted_one.lead_user, expected_version=None,
                                  get_involved="Call 01706 123456", public_reason=REASON)
    held_back = engagement_at(Step.COLLABORATORS, title="Held back plan")
    held_back.summary = "jo@example.org"
    engagements.set_held_back(held_back, actor=held_back.lead_user, held_back=True, reason="Board first")
    not_public = engagement_at(Step.CHALLENGE, title="Not public yet")
    not_public.summary = "jo@example.org"
    completed = engagement_at(Step.STORY, title="Evening clinic")
    tell_story(completed, completed.lead_user)
    engagements.update_engagement(completed, actor=completed.lead_user, expected_version=None,
                                  story_we_did="Opened the clinic; book on 01706 654321.")
    [finding] = services.unresolved_findings(completed)
    services.accept_finding(completed, finding, actor=completed.lead_user, reason=REASON)
    engagements.move_on(completed, actor=completed.lead_user)
    db.session.commit()
    # The version is published; the acceptance is then withdrawn, as if the number had been wrongly accepted.
    db.session.execute(AcceptedFinding.__table__.delete().where(AcceptedFinding.engagement_id == completed.id))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["publish", "scan-public"])

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines == [
        f"{in_progress.slug} (in progress), led by {in_progress.lead_organisation.name}: 1 to remove or accept at "
        f"{app.config['BASE_URL']}/workspace/{in_progress.slug}/",
        "  a UK phone number in get_involved",
        f"{completed.slug} (version 1), led by {completed.lead_organisation.name}: 1 to remove or accept at "
        f"{app.config['BASE_URL']}/workspace/{completed.slug}/",
        "  a UK phone number in story.we_did",
        "2 findings in 2 public engagements.",
    ]
    assert "07700" not in result.output and "01706" not in result.output
    assert clean.slug not in result.output

    shown = app.test_cli_runner().invoke(args=["publish", "scan-public", "--show-values"])
    assert "  a UK phone number in get_involved: \u201cText 07700 900123\u201d" not in shown.output
    assert "  a UK phone number in get_involved: \u201c07700 900123\u201d" in shown.output


def test_scan_public_says_so_when_nothing_is_found(app, engagement_at):
    engagement_at(Step.COLLABORATORS)
    result = app.test_cli_runner().invoke(args=["publish", "scan-public"])
    assert (result.exit_code, result.output) == (0, "0 findings in 0 public engagements.\n")
