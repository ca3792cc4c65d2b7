"""What every e-mail the service writes shares: full links into the service, and the footer that says why
it was sent and where to choose which e-mails to get.

With the outbox, below every domain that writes e-mail (accounts, notifications, following, commitments), so
each can link into the service and sign off the same way without importing the others.
"""

from __future__ import annotations

from flask import current_app

PREFERENCES_PATH = "/account/notifications"


def external_url(endpoint: str, **values: object) -> str:
    """A full link for an e-mail, built from the URL map rather than a request: jobs and the command line have none."""
    return current_app.config["BASE_URL"] + current_app.url_map.bind("localhost").build(endpoint, values)


def preferences_url() -> str:
    return current_app.config["BASE_URL"] + PREFERENCES_PATH


def with_footer(body: str, why: str) -> str:
    """The body, then a short footer: ``why`` (one sentence) and the link to the preferences page."""
    return f"{body.rstrip()}\n\n---\n{why}\nChoose which e-mails you get: {preferences_url()}\n"


def security_footer(body: str) -> str:
    """For sign-in codes and password resets: these are always sent, whatever the person has chosen."""
    return (f"{body.rstrip()}\n\n---\nWe always send security e-mails like this one. "
            f"Choose which other e-mails you get: {preferences_url()}\n")


def invitation_footer(body: str) -> str:
    # The invitee has no account yet, so there is no preferences page they can open.
    return (f"{body.rstrip()}\n\n---\nWe always send security e-mails like this one. Once you have an account, "
            "you can choose which other e-mails you get from your account page.\n")
