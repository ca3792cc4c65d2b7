"""The scheduled check of outputs' links, against a real HTTP server on loopback: what counts as working,
HEAD then GET, redirects within a limit and each one guarded, the flag on the workspace, and the lead
told once for each time a link breaks."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.engagements import services
from engage.engagements.link_check import check_output_links
from engage.engagements.models import Engagement, LinkStatus, OutputKind, Step, StoryOutput
from engage.extensions import db
from engage.notifications.models import Notification
from tests import receiver as receivers
from tests.conftest import free_port
from tests.factories import sign_in
from tests.receiver import Answer

receiver = receivers.receiver
allow_loopback = receivers.allow_loopback


@pytest.fixture
def link_to(engagement_at):
    engagement = engagement_at(Step.STORY)

    def add(url: str) -> StoryOutput:
        output = services.add_output(engagement, actor=engagement.lead_user, title="Evaluation report",
                                     kind=OutputKind.REPORT, description="", url=url)
        db.session.commit()
        return output

    return add


def fresh(output: StoryOutput) -> StoryOutput:
    db.session.expire_all()
    return db.session.get(StoryOutput, output.id)


def told(output: StoryOutput) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.kind == "broken_link",
                                                              Notification.idempotency_key.like(
                                                                  f"broken-link:{output.id}:%"))))


def test_a_working_link_is_asked_for_with_head_only_and_a_polite_user_agent(app, receiver, allow_loopback, link_to):
    output = link_to(receiver.url("/report"))
    assert check_output_links() == "link check: 1 working, 0 broken"
    checked = fresh(output)
    assert checked.link_status is LinkStatus.WORKING
    assert checked.link_checked_at is not None
    assert checked.link_problem == ""
    [request] = receiver.requests_to("/report")
    assert request.method == "HEAD"
    agent = request.headers["User-Agent"]
    assert app.config["SERVICE_NAME"] in agent and app.config["BASE_URL"] in agent


def test_a_missing_page_is_broken_and_the_lead_is_told(receiver, allow_loopback, link_to):
    receiver.script("/gone", Answer(404))
    output = link_to(receiver.url("/gone"))
    assert check_output_links() == "link check: 0 working, 1 broken"
    checked = fresh(output)
    assert checked.link_status is LinkStatus.BROKEN
    assert checked.link_problem == "The page was not found (404)"
    assert checked.link_reported_at is not None
    [notification] = told(output)
    assert notification.user_id == db.session.get(Engagement, output.engagement_id).lead_user_id
    assert "Evaluation report" in notification.body_text
    assert "/outputs" in notification.body_text
    assert [r.method for r in receiver.requests_to("/gone")] == ["HEAD"]


def test_a_site_that_refuses_head_is_asked_with_get_and_the_body_is_not_needed(receiver, allow_loopback, link_to):
    receiver.script("/no-head", Answer(405), Answer(200, body=b"x" * 100_000))
    output = link_to(receiver.url("/no-head"))
    check_output_links()
    assert fresh(output).link_status is LinkStatus.WORKING
    assert [r.method for r in receiver.requests_to("/no-head")] == ["HEAD", "GET"]


def test_redirects_within_the_limit_are_followed(app, receiver, allow_loopback, link_to, monkeypatch):
    monkeypatch.setitem(app.config, "LINK_CHECK_MAX_REDIRECTS", 3)
    receiver.script("/a", Answer(301, {"Location": "/b"}))
    receiver.script("/b", Answer(302, {"Location": receiver.url("/c")}))
    receiver.script("/c", Answer(308, {"Location": "/final"}))
    output = link_to(receiver.url("/a"))
    check_output_links()
    assert fresh(output).link_status is LinkStatus.WORKING
    assert len(receiver.requests_to("/final")) == 1


def test_more_redirects_than_the_limit_is_broken(app, receiver, allow_loopback, link_to, monkeypatch):
    monkeypatch.setitem(app.config, "LINK_CHECK_MAX_REDIRECTS", 3)
    receiver.script("/loop", Answer(302, {"Location": "/loop"}))
    output = link_to(receiver.url("/loop"))
    check_output_links()
    checked = fresh(output)
    assert checked.link_status is LinkStatus.BROKEN
    assert checked.link_problem == "Too many redirects"
    assert len(receiver.requests_to("/loop")) == 4  # the first request and three redirects, HEAD only


def test_a_redirect_into_a_private_network_is_refused_before_connecting(app, receiver, link_to, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", ["127.0.0.1/32"])
    receiver.script("/sneaky", Answer(302, {"Location": f"http://127.0.0.2:{receiver.port}/admin"}))
    output = link_to(receiver.url("/sneaky"))
    check_output_links()
    checked = fresh(output)
    assert checked.link_problem == "The address is on a private network"
    assert receiver.requests_to("/admin") == []


def test_an_address_on_a_private_network_is_reported_as_broken(app, receiver, link_to, monkeypatch):
    # Saved while loopback was allowed (a link into a private network is refused when saved otherwise), then
    # the administrator took the allowance away: the check asks the guard again each time.
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", list(receivers.LOOPBACK))
    output = link_to(receiver.url("/internal"))
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", [])
    check_output_links()
    checked = fresh(output)
    assert checked.link_status is LinkStatus.BROKEN
    assert checked.link_problem == "The address is on a private network"
    assert receiver.received == []


def test_a_site_that_cannot_be_reached_is_broken(allow_loopback, link_to):
    output = link_to(f"http://127.0.0.1:{free_port()}/report")
    check_output_links()
    assert fresh(output).link_problem == "The site could not be reached"


def test_a_site_that_answers_too_slowly_is_broken(app, receiver, allow_loopback, link_to, monkeypatch):
    monkeypatch.setitem(app.config, "LINK_CHECK_TIMEOUT_SECONDS", 1)
    receiver.script("/slow", Answer(200, delay=2.5))
    output = link_to(receiver.url("/slow"))
    check_output_links()
    assert fresh(output).link_problem == "The site took too long to answer"


def test_the_lead_is_told_once_per_breakage(receiver, allow_loopback, link_to):
    receiver.script("/flaky", Answer(500))
    output = link_to(receiver.url("/flaky"))
    check_output_links()
    check_output_links()
    assert len(told(output)) == 1
    assert fresh(output).link_problem == "The site had a problem answering (500)"

    receiver.script("/flaky", Answer(200))
    check_output_links()
    recovered = fresh(output)
    assert recovered.link_status is LinkStatus.WORKING
    assert recovered.link_reported_at is None
    assert len(told(output)) == 1

    receiver.script("/flaky", Answer(404))
    check_output_links()
    check_output_links()
    assert len(told(output)) == 2


def test_a_broken_link_is_flagged_on_the_workspace(client, receiver, allow_loopback, link_to):
    receiver.script("/gone", Answer(404))
    output = link_to(receiver.url("/gone"))
    working = link_to(receiver.url("/fine"))
    check_output_links()
    engagement = db.session.get(Engagement, output.engagement_id)
    sign_in(client, engagement.lead_user)
    page = client.get(f"/workspace/{engagement.slug}/outputs").get_data(as_text=True)
    assert f'id="link-problem-{output.id}"' in page
    assert f'id="link-problem-{working.id}"' not in page
    assert "Link not working" in page
    assert "The page was not found (404). Checked" in page


def test_outputs_that_are_files_are_not_checked(receiver, allow_loopback, link_to):
    linked = link_to(receiver.url("/report"))
    stored = StoryOutput(engagement_id=linked.engagement_id, title="Photos", kind=OutputKind.PHOTO, url="",
                         stored_name="0123456789abcdef.zip", original_filename="photos.zip")
    db.session.add(stored)
    db.session.commit()
    assert check_output_links() == "link check: 1 working, 0 broken"
    assert fresh(stored).link_status is LinkStatus.UNCHECKED
