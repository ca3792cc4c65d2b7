"""The scheduled check that outputs' links still work.

Each linked output is asked for with HEAD (no body), and with GET when a site refuses HEAD. Redirects
are followed here, a few at most, and every hop goes through the outbound guard, so a public page
cannot redirect the checker into a private network. Bodies are never downloaded. A broken link is
flagged on the workspace, and announced once for each time it breaks (`engage.events.output_link_broke`,
with the last time it was seen working: the notifications tell the lead). Once the link works again, the
next breakage is new.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import requests
from flask import current_app
from sqlalchemy import select

from engage import events
from engage.database import utcnow
from engage.engagements.models import LinkStatus, StoryOutput
from engage.extensions import db
from engage.security.outbound import OutboundRefused, checked_request, guarded_session

REDIRECTS = (301, 302, 303, 307, 308)
# Answers to HEAD that say "ask me with GET", or that some sites give to HEAD alone.
TRY_GET_AFTER = (400, 403, 405, 406, 429, 501)
HEAD_IS_FINAL = (404, 410)


class TooManyRedirects(Exception):
    pass


@dataclass
class Finding:
    working: bool
    problem: str = ""


def user_agent() -> str:
    config = current_app.config
    return f"{config['SERVICE_NAME']} link checker (+{config['BASE_URL']})"


def describe_status(code: int) -> str:
    if code == 404:
        return "The page was not found (404)"
    if code == 410:
        return "The page has been removed (410)"
    if code in (401, 403):
        return f"The site refused to show the page ({code})"
    if code >= 500:
        return f"The site had a problem answering ({code})"
    return f"The site answered with an error ({code})"


def _fetch(session: requests.Session, method: str, url: str) -> requests.Response:
    """The final answer after following at most LINK_CHECK_MAX_REDIRECTS redirects, each address checked."""
    config = current_app.config
    timeout = config["LINK_CHECK_TIMEOUT_SECONDS"]
    for _ in range(config["LINK_CHECK_MAX_REDIRECTS"] + 1):
        response = checked_request(session, method, url, stream=True, timeout=(timeout, timeout))
        response.close()  # the status is enough: never download the body
        location = response.headers.get("Location")
        if response.status_code not in REDIRECTS or not location:
            return response
        url = urljoin(url, location)
    raise TooManyRedirects


def _status(session: requests.Session, url: str) -> int:
    try:
        response: requests.Response | None = _fetch(session, "HEAD", url)
    except requests.exceptions.SSLError:
        raise
    except requests.ConnectionError:
        response = None  # some sites drop HEAD requests but answer GET
    if response is not None and (response.status_code < 400 or response.status_code in HEAD_IS_FINAL):
        return response.status_code
    return _fetch(session, "GET", url).status_code


def check(session: requests.Session, url: str) -> Finding:
    """What the link's address gives now, in plain English when it does not work."""
    try:
        code = _status(session, url)
    except OutboundRefused as refusal:
        return Finding(False, "The address is on a private network" if refusal.reason == "private"
                       else refusal.message)
    except TooManyRedirects:
        return Finding(False, "Too many redirects")
    except requests.exceptions.SSLError:
        return Finding(False, "The site's security certificate could not be checked")
    except requests.Timeout:
        return Finding(False, "The site took too long to answer")
    except requests.RequestException:
        return Finding(False, "The site could not be reached")
    if 200 <= code < 300:
        return Finding(True)
    if code in REDIRECTS:
        return Finding(False, "The site redirects without saying where to")
    return Finding(False, describe_status(code))


def check_output(session: requests.Session, output: StoryOutput) -> Finding:
    """Check one output's link, record what was found, and tell the lead when it has just broken.
    Does not commit."""
    finding = check(session, output.url)
    now = utcnow()
    last_working = output.link_checked_at if output.link_status is not LinkStatus.BROKEN else None
    was_reported = output.link_reported_at is not None
    output.link_checked_at = now
    if finding.working:
        output.link_status = LinkStatus.WORKING
        output.link_problem = ""
        output.link_reported_at = None
        return finding
    output.link_status = LinkStatus.BROKEN
    output.link_problem = finding.problem[:300]
    if not was_reported:
        output.link_reported_at = now  # before telling, so it is written with the finding in one UPDATE
        events.output_link_broke.send(output, last_working=last_working, checked_at=now)
    return finding


def check_output_links() -> str:
    """The scheduler's job: every linked output, each committed on its own."""
    ids = list(db.session.scalars(select(StoryOutput.id).where(StoryOutput.url != "").order_by(StoryOutput.id)))
    working = broken = 0
    session = guarded_session(user_agent())
    try:
        for output_id in ids:
            output = db.session.get(StoryOutput, output_id)
            if output is None or not output.url:
                continue  # removed meanwhile
            if check_output(session, output).working:
                working += 1
            else:
                broken += 1
            db.session.commit()
    finally:
        session.close()
    return f"link check: {working} working, {broken} broken"
