"""Each planned test gets a result (what happened, what it showed) or is dropped with a reason; the `test`
gate needs every planned test resolved and at least one activity logged."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from engage.activity import services
from engage.audit.models import AuditEvent
from engage.engagements import services as engagements
from engage.engagements import steps
from engage.engagements.models import PlannedTest, Step
from engage.extensions import db
from tests.activity.conftest import Scene, log, post


def _test(test_id: int) -> PlannedTest:
    db.session.expire_all()
    return db.session.get(PlannedTest, test_id)


def _summary(response) -> list[str]:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [a.get_text(strip=True) for a in page.select(".govuk-error-summary a")]


def test_a_partner_records_what_happened_and_what_it_showed(app, scene: Scene):
    planned = scene.engagement.planned_tests[0]
    client = scene.client_for(app, scene.partner)
    path = f"{scene.base}/tests/{planned.id}/result"

    response = post(client, path, {"action": "result", "what_happened": "Open two evenings for four weeks.",
                                   "what_it_showed": "A third fewer walk-ins at A&E on those evenings."})

    assert response.status_code == 302
    assert response.headers["Location"] == f"{scene.base}/tests#test-{planned.id}"
    test = _test(planned.id)
    assert (test.result_what_happened, test.result_what_it_showed, test.dropped, test.is_resolved) == (
        "Open two evenings for four weeks.", "A third fewer walk-ins at A&E on those evenings.", False, True)
    assert test.resolved_by_id == scene.partner.id
    page = BeautifulSoup(client.get(f"{scene.base}/tests").get_data(as_text=True), "html.parser")
    shown = page.find(id=f"test-{planned.id}").get_text(" ", strip=True)
    assert "Result recorded" in shown and "A third fewer walk-ins" in shown and "Change the result" in shown
    assert db.session.query(AuditEvent).filter_by(action="test.result_recorded", subject_id=planned.id).count() == 1


def test_a_test_is_dropped_with_a_reason(app, scene: Scene):
    planned = scene.engagement.planned_tests[0]
    client = scene.client_for(app, scene.lead)
    path = f"{scene.base}/tests/{planned.id}/result"

    response = post(client, path, {"action": "drop", "reason": "The clinic's lease ended."})

    assert response.status_code == 302
    test = _test(planned.id)
    assert (test.dropped, test.dropped_reason, test.is_resolved) == (True, "The clinic's lease ended.", True)
    page = BeautifulSoup(client.get(f"{scene.base}/tests").get_data(as_text=True), "html.parser")
    shown = page.find(id=f"test-{planned.id}").get_text(" ", strip=True)
    assert "Dropped" in shown and "The clinic's lease ended." in shown
    result_page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    assert "This test was dropped: The clinic's lease ended." in result_page.get_text(" ", strip=True)


def test_an_unresolved_test_says_so_and_links_to_its_result_page(app, scene: Scene):
    planned = scene.engagement.planned_tests[0]
    client = scene.client_for(app, scene.partner)

    page = BeautifulSoup(client.get(f"{scene.base}/tests").get_data(as_text=True), "html.parser")

    item = page.find(id=f"test-{planned.id}")
    assert "No result yet" in item.get_text(" ", strip=True)
    assert item.find("a", href=f"{scene.base}/tests/{planned.id}/result")


def test_each_form_says_what_is_missing_and_only_the_one_sent_is_checked(app, scene: Scene):
    planned = scene.engagement.planned_tests[0]
    client = scene.client_for(app, scene.partner)
    path = f"{scene.base}/tests/{planned.id}/result"

    result = post(client, path, {"action": "result", "what_happened": "It ran.", "what_it_showed": ""})
    drop = post(client, path, {"action": "drop", "reason": "  "})

    assert _summary(result) == ["Say what it showed"]
    assert "It ran." in BeautifulSoup(result.get_data(as_text=True), "html.parser").find(id="what_happened").text
    assert _summary(drop) == ["Give the reason for dropping the test"]
    assert not _test(planned.id).is_resolved


def test_a_result_replaces_a_drop_and_a_drop_replaces_a_result(scene: Scene):
    test = scene.engagement.planned_tests[0]
    services.drop_test(test, actor=scene.lead, reason="No venue")
    services.record_test_result(test, actor=scene.lead, what_happened="Found a venue", what_it_showed="It works")
    assert (test.dropped, test.dropped_reason) == (False, "")
    services.drop_test(test, actor=scene.lead, reason="Funding ended")
    assert (test.dropped, test.result_what_happened, test.result_what_it_showed) == (True, "", "")


def test_an_activity_can_serve_a_test_and_is_listed_on_its_result_page(app, scene: Scene):
    planned = scene.engagement.planned_tests[0]
    log(scene.engagement, scene.partner, title="Evening clinic week one", planned_test_id=planned.id)
    client = scene.client_for(app, scene.partner)

    page = client.get(f"{scene.base}/tests/{planned.id}/result").get_data(as_text=True)

    assert "Evening clinic week one" in page
    new_page = BeautifulSoup(client.get(f"{scene.base}/activity/new?test={planned.id}").get_data(as_text=True),
                             "html.parser")
    assert new_page.select_one("#planned_test option[selected]")["value"] == str(planned.id)


# The `test` gate ---------------------------------------------------------------------------------------------

def test_the_gate_needs_every_test_resolved_and_an_activity(scene: Scene):
    engagement = scene.engagement
    second = engagements.add_planned_test(engagement, actor=scene.lead, idea=None, what="A carers' evening",
                                          how="One evening", success_measure="Twenty carers come")
    db.session.commit()

    assert steps.missing_to_leave(engagement) == [
        "Record a result for the test \u2018Open on two evenings\u2019, or drop it with a reason",
        "Record a result for the test \u2018A carers' evening\u2019, or drop it with a reason",
        "Log at least one activity",
    ]
    with pytest.raises(engagements.GateClosed):
        engagements.move_on(engagement, actor=scene.lead)
    db.session.rollback()

    services.record_test_result(engagement.planned_tests[0], actor=scene.partner, what_happened="Ran",
                                what_it_showed="Fewer walk-ins")
    services.drop_test(second, actor=scene.lead, reason="No venue")
    db.session.commit()
    assert steps.missing_to_leave(engagement) == ["Log at least one activity"]

    log(scene.engagement, scene.partner)
    assert steps.missing_to_leave(engagement) == []
    assert engagements.move_on(engagement, actor=scene.lead) is Step.STORY


def test_the_task_list_shows_what_the_test_step_still_needs(app, scene: Scene):
    client = scene.client_for(app, scene.lead)

    page = BeautifulSoup(client.get(f"{scene.base}/").get_data(as_text=True), "html.parser")

    missing = [li.get_text(strip=True) for li in page.select("#what-is-missing li")]
    assert "Log at least one activity" in missing
    tasks = {a.get_text(strip=True): a["href"] for a in page.select(".govuk-task-list a")}
    assert tasks["Log activity"] == f"{scene.base}/activity"
    assert tasks["Record test results"] == f"{scene.base}/tests"
