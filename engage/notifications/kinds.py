"""The kinds of e-mail a person can choose to get straight away, in a weekly summary, or not at all.

Security e-mails (sign-in codes, invitations, password resets) are deliberately not a kind: they are
always sent, because turning them off would lock people out or hide an attack on their account.
"""

from __future__ import annotations

from flask import current_app

DUE_SOON = "milestone_due_soon"
OVERDUE = "milestone_overdue"
QUIET = "quiet_engagement"
BROKEN_LINK = "broken_link"
COMMITMENT_DUE_SOON = "commitment_due_soon"
COMMITMENT_OVERDUE = "commitment_overdue"

KINDS: dict[str, str] = {
    DUE_SOON: "A milestone in an agreement you signed is due within 7 days",
    OVERDUE: "A milestone in an agreement you signed is past its due date and not yet done",
    QUIET: "An engagement you lead has had no activity or update for 30 days",
    BROKEN_LINK: "A link to an output of an engagement you lead has stopped working",
    COMMITMENT_DUE_SOON: "A commitment (what will happen next) on an engagement you lead is due within 14 days",
    COMMITMENT_OVERDUE: "A commitment on an engagement you lead is past its due date and is neither done nor "
                        "marked as not going ahead",
}

# Short headings for the preferences page; the description above is shown under each.
TITLES: dict[str, str] = {
    DUE_SOON: "Milestones due soon",
    OVERDUE: "Overdue milestones",
    QUIET: "Quiet engagements",
    BROKEN_LINK: "Broken links to outputs",
    COMMITMENT_DUE_SOON: "Commitments due soon",
    COMMITMENT_OVERDUE: "Overdue commitments",
}


def describe(kind: str) -> str:
    """KINDS' description with the numbers of days this service is configured with."""
    text = KINDS[kind]
    if kind == DUE_SOON:
        return text.replace("7 days", day_count(current_app.config["MILESTONE_DUE_SOON_DAYS"]))
    if kind == COMMITMENT_DUE_SOON:
        return text.replace("14 days", day_count(current_app.config["COMMITMENT_DUE_SOON_DAYS"]))
    if kind == QUIET:
        return text.replace("30 days", day_count(current_app.config["QUIET_ENGAGEMENT_DAYS"]))
    return text


def day_count(count: int) -> str:
    """A number of days in words (1 day, 2 days), for these descriptions and the reminders."""
    return "1 day" if count == 1 else f"{count} days"
