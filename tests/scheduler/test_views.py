"""The administrators' page of scheduled jobs: who may see it, and what it shows."""

from __future__ import annotations

import pytest

from engage.scheduler import lease
from engage.scheduler.jobs import JOBS, JOBS_BY_NAME
from engage.scheduler.runner import run_job
from tests.factories import sign_in

PATH = "/admin/scheduler"


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(PATH)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("role", ["partner", "lead"])
def test_partners_and_leads_are_refused(client, make, role):
    sign_in(client, getattr(make, role)())
    assert client.get(PATH).status_code == 403


def test_administrators_see_every_job_its_last_runs_and_who_holds_the_lease(client, make):
    run_job(JOBS_BY_NAME["deliver-mail"], "runner-host:99:cafe")
    assert lease.acquire("runner-host:99:cafe")
    sign_in(client, make.admin())

    response = client.get(PATH)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for job in JOBS:
        assert f'id="job-{job.name}"' in page
        assert job.schedule() in page
    assert "Last runs of deliver-mail" in page
    assert "No mail server is set (SMTP_HOST), so e-mails stay in the outbox" in page
    assert "Succeeded" in page
    assert "The scheduler <code>runner-host:99:cafe</code> runs the jobs." in page
    assert "Not run yet." in page  # every other job
    assert "Run the scheduler with <code>flask --app wsgi scheduler run</code>." in page


def test_administrators_are_told_when_no_scheduler_is_running(client, make):
    sign_in(client, make.admin())
    assert '<p class="govuk-body" id="lease">No scheduler is running the jobs.</p>' in client.get(PATH).get_data(
        as_text=True)


def test_the_administration_page_links_to_the_scheduled_jobs(client, make):
    sign_in(client, make.admin())
    assert f'href="{PATH}"' in client.get("/admin/").get_data(as_text=True)
