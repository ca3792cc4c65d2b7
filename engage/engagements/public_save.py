"""Saving a change residents may see at once: what it adds to the public record is checked for personal data
before it is kept (BRIEF §6.3).

The check reads the engagement's whole public record, which is built from domains above this one, so the
publication package provides it at start-up (`publication.public_texts.subscribe`); the engagement's services
wrap each change in `checked_on_save`, and a refusal (`PersonalDataFound`) leaves the caller to roll back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import AbstractContextManager

from engage.accounts.models import User
from engage.engagements.models import Engagement
from engage.text.personal_data import Finding, instruction


class PersonalDataFound(Exception):
    """The save would make these findings public, and none of them has been accepted."""

    def __init__(self, findings: list[Finding], reason_error: str | None = None):
        super().__init__("; ".join(instruction(f) for f in findings))
        self.findings = findings
        self.reason_error = reason_error  # confirmed as public information, but without a reason


Check = Callable[..., AbstractContextManager[None]]
_provided: list[Check] = []


def provide(check: Check) -> None:
    """Called once at start-up by the package that knows what the public record holds."""
    _provided[:] = [check]


def checked_on_save(engagement: Engagement, *, actor: User, public_reason: str | None = None,
                    shown_findings: Collection[str] | None = None) -> AbstractContextManager[None]:
    """Wrap a change: the texts it adds to or changes in the public record are checked once it is made.
    `public_reason` accepts what is found; `shown_findings` limits that to what the person was shown."""
    if not _provided:
        raise RuntimeError("No publication check is provided: the service saves nothing public without one")
    return _provided[0](engagement, actor=actor, public_reason=public_reason, shown_findings=shown_findings)
