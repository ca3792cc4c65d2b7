"""Publishing the public record: the check, accepting findings, first publication and corrections."""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engage import events
from engage.accounts.models import User
from engage.audit.services import record as audit
from engage.commitments.services import RecordRefused
from engage.database import lock_row, utcnow
from engage.engagements.models import Engagement, Step
from engage.engagements.steps import once_each
from engage.extensions import db
from engage.publication import check
from engage.publication.models import AcceptedFinding, PublishedVersion
from engage.publication.record import build_record
from engage.text.personal_data import Finding


class PublicationError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class PublishedMeanwhile(PublicationError):
    """Someone else published a version after the person was shown the one their correction was based on."""

    def __init__(self, latest: int):
        super().__init__("change_note", f"Someone else published a correction a moment ago: version {latest} is "
                                        "now the latest. Check the public record, then publish again if it "
                                        "still needs correcting")
        self.latest = latest


def findings(engagement: Engagement) -> list[Finding]:
    """Everything the check finds in what would be published now."""
    return check.findings_in(build_record(engagement, version=None, published_at=None))


def accepted_fingerprints_of(engagement_ids: Collection[int | None]) -> dict[int | None, set[str]]:
    """The fingerprints of the findings each engagement's lead accepted, in one query for them all."""
    accepted: dict[int | None, set[str]] = {i: set() for i in engagement_ids}
    for engagement_id, fingerprint in db.session.execute(
            select(AcceptedFinding.engagement_id, AcceptedFinding.fingerprint)
            .where(AcceptedFinding.engagement_id.in_([i for i in engagement_ids if i is not None]))):
        accepted[engagement_id].add(fingerprint)
    return accepted


def not_accepted(engagement_id: int, found: list[Finding]) -> list[Finding]:
    """The findings the engagement's lead has not accepted, wherever in its record they were found."""
    if not found:
        return []
    accepted = once_each(engagement_id, "publication.accepted", accepted_fingerprints_of)
    return [f for f in found if f.fingerprint not in accepted]


def unresolved_findings(engagement: Engagement) -> list[Finding]:
    return not_accepted(engagement.id, findings(engagement))


def accept_finding(engagement: Engagement, finding: Finding, *, actor: User, reason: str) -> AcceptedFinding:
    if not reason.strip():
        raise PublicationError("reason", "Give the reason it is right to publish this")
    acceptance = AcceptedFinding(engagement_id=engagement.id, fingerprint=finding.fingerprint, kind=finding.kind,
                                 where=finding.where[:200], reason=reason.strip(), accepted_by_id=actor.id)
    db.session.add(acceptance)
    audit("publication.finding_accepted", actor=actor, subject=engagement, kind=finding.kind, where=finding.where,
          reason=reason.strip())
    return acceptance


def versions_of(engagement_id: int) -> list[PublishedVersion]:
    return list(db.session.scalars(select(PublishedVersion).where(PublishedVersion.engagement_id == engagement_id)
                                   .order_by(PublishedVersion.number)))


def _version_list(existing: list[PublishedVersion], number: int, at: datetime, note: str) -> list[dict[str, Any]]:
    listed = [{"version": v.number, "published_at": v.published_at.isoformat(), "change_note": v.change_note}
              for v in existing]
    return [*listed, {"version": number, "published_at": at.isoformat(), "change_note": note}]


def publish(engagement: Engagement, *, actor: User, change_note: str, based_on: int | None = None
            ) -> PublishedVersion:
    """Publish a new numbered version of a completed engagement's record. Refused while the check has
    unresolved findings, and, when `based_on` is given (the latest version number the person was shown, 0 for
    none), if another version has been published since.

    Publications of one engagement are made one at a time: the engagement's row is locked before the versions
    are counted, so two at once cannot both take the next number or both publish the same correction (the
    unique number per engagement is the last line, should anything write versions another way)."""
    if engagement.current_step is not Step.COMPLETED:
        raise PublicationError("change_note", "Only a completed engagement is published as a record")
    if not change_note.strip():
        raise PublicationError("change_note", "Say what changed in this version")
    lock_row(Engagement, engagement.id)
    existing = versions_of(engagement.id)
    latest = existing[-1].number if existing else 0
    if based_on is not None and latest != based_on:
        raise PublishedMeanwhile(latest)
    number = latest + 1
    now = utcnow()
    snapshot = build_record(engagement, version=number, published_at=now,
                            versions=_version_list(existing, number, now, change_note.strip()))
    # The version itself is checked: its number, date and list of versions are not texts people wrote, so it
    # finds what the check of the draft would.
    unresolved = not_accepted(engagement.id, check.findings_in(snapshot))
    if unresolved:
        raise PublicationError("change_note", f"Remove or accept {len(unresolved)} possible piece"
                                              f"{'s' if len(unresolved) != 1 else ''} of personal data first")
    version = PublishedVersion(engagement_id=engagement.id, number=number, published_at=now,
                               change_note=change_note.strip(), record=snapshot, published_by_id=actor.id)
    db.session.add(version)
    audit("publication.published", actor=actor, subject=engagement, version=number)
    events.record_published.send(engagement, number=number, change_note=version.change_note,
                                 published_at=now, version=version)
    return version


def publish_on_completion(engagement: Engagement, actor: User) -> None:
    """Called when an engagement moves on to `completed`: its first version is published at once, unless one
    has been already (based on none: counted under `publish`'s lock)."""
    with contextlib.suppress(PublishedMeanwhile):
        publish(engagement, actor=actor, change_note="First publication.", based_on=0)


def _publish_commitment_change(engagement: Engagement, *, actor: User, change_note: str) -> None:
    """A commitment is public the moment it is saved: its change is published at once as a new version, and a
    refusal of that version refuses the change."""
    try:
        publish(engagement, actor=actor, change_note=change_note)
    except PublicationError as error:
        raise RecordRefused(error.message) from error


def subscribe() -> None:
    events.commitment_changed.connect(_publish_commitment_change, weak=False)
