"""The words of the e-mails residents who follow records get. Each ends with why it was sent and the link to
stop (which also deletes the address)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from engage.clock import LONDON
from engage.mail.footers import external_url
from engage.publication.models import PublishedVersion
from engage.templating import format_date

if TYPE_CHECKING:
    from engage.following.models import Follow

def with_unsubscribe(body: str, follow: Follow, url: str) -> str:
    why = (f"You get this e-mail because you asked for e-mails about {follow.description} from "
           f"{current_app.config['SERVICE_NAME']}.")
    return (f"{body.rstrip()}\n\n---\n{why}\n"
            f"Stop these e-mails and delete your address (no sign-in needed): {url}\n")


def confirmation(description: str, link: str, hours: int) -> str:
    service = current_app.config["SERVICE_NAME"]
    return (f"Someone, hopefully you, asked {service} to e-mail this address about {description}.\n\n"
            f"To start getting these e-mails, open this link and confirm. It works once, for {hours} hours:\n"
            f"{link}\n\n"
            f"If it was not you, you do not need to do anything. We will not e-mail you again, and we will delete "
            f"this address when the link expires.\n")


def already_following(description: str) -> str:
    return (f"Someone, hopefully you, asked to follow {description} with this address.\n\n"
            "You already get these e-mails, so nothing has changed and you do not need to do anything.\n")


def _version_lines(version: PublishedVersion) -> list[str]:
    title = version.record.get("title") or "An engagement"
    published = format_date(version.published_at.astimezone(LONDON).date())
    what = "First publication of the record" if version.number == 1 else f"Version {version.number}"
    return [title, f"{what}, published {published}.", f"What changed: {version.change_note}",
            external_url("public.version", slug=version.record["slug"], number=version.number)]


def update(versions: list[PublishedVersion]) -> tuple[str, str]:
    """The subject and body for one new version, or a digest of several, oldest first."""
    service = current_app.config["SERVICE_NAME"]
    if len(versions) == 1:
        version = versions[0]
        title = version.record.get("title") or "An engagement"
        subject = f"Record published: {title}" if version.number == 1 else f"Record updated: {title}"
        lines = _version_lines(version)
        body = "\n".join([f"There is news on {service} about a record you follow.", "", *lines[:3], "",
                          f"Read it: {lines[3]}"])
        return subject, body + "\n"
    subject = f"{len(versions)} updates to records you follow"
    lines = [f"There are {len(versions)} updates on {service} to records you follow. "
             "We send at most one e-mail a day, so here they are together, oldest first.", ""]
    for number, version in enumerate(versions, start=1):
        title, published, what, link = _version_lines(version)
        lines += [f"{number}. {title}", f"   {published}", f"   {what}", f"   {link}", ""]
    return subject, "\n".join(lines)
