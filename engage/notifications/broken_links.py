"""Telling an engagement's lead that a link to one of its outputs has stopped working.

The link check (`engagements.link_check`) finds it and announces it once each time it breaks
(`engage.events.output_link_broke`); the lead is told by a notification whose key names the last time the link
was seen working, so a re-run, or a second checker, finds the key taken and tells no one again.
"""

from __future__ import annotations

from datetime import datetime

from engage import events
from engage.engagements.models import Engagement, StoryOutput
from engage.extensions import db
from engage.mail.footers import external_url
from engage.notifications.kinds import BROKEN_LINK
from engage.notifications.services import notify


def tell_lead(output: StoryOutput, *, last_working: datetime | None, checked_at: datetime) -> None:
    engagement = db.session.get(Engagement, output.engagement_id)
    since = last_working.isoformat() if last_working else "never-checked"
    notify(engagement.lead_user, kind=BROKEN_LINK, key=f"broken-link:{output.id}:{since}",
           subject=f"A link to an output of {engagement.title} is not working",
           body=(f"The output \"{output.title}\" links to {output.url}\n\n"
                 f"When we checked it on {checked_at:%d %B %Y}: {output.link_problem}.\n\n"
                 f"Change or remove the link on the engagement's outputs page:\n"
                 f"{external_url('workspace.outputs', slug=engagement.slug)}\n"),
           engagement=engagement)


def subscribe() -> None:
    events.output_link_broke.connect(tell_lead, weak=False)
