"""The publication check on texts that are public while an engagement is in progress (BRIEF §6.1, §6.3).

From the moment an engagement leaves its first step, residents and the API see its in-progress record (its
summary, challenge, hooks, how to get involved, progress updates, step history…) built live from what people
saved. There is no draft to check before it is published, so each text is checked as it is saved: a save that
adds personal data the lead has not accepted is refused (`PersonalDataFound`), unless the person confirms it is
public information and says why, which accepts the findings exactly as the story step's check does (the same
`AcceptedFinding`, so the acceptance holds there too while the text stays the same).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select

from engage.accounts.models import User
from engage.engagements import public_save
from engage.engagements.models import Engagement, Step
from engage.engagements.public_save import PersonalDataFound
from engage.extensions import db
from engage.publication import check, places, services
from engage.publication.record import in_progress_record, latest_version
from engage.publication.visibility import is_public
from engage.text.personal_data import Finding


def _texts(engagement: Engagement) -> dict[str, str]:
    return dict(check.texts_of(in_progress_record(engagement)))


def _unaccepted_in(engagement: Engagement, texts: Iterable[tuple[str, str]], names: list[str] | None = None
                   ) -> list[Finding]:
    found = check.scan_texts(list(texts), names)
    return services.not_accepted(engagement.id, found)


def in_context(engagement: Engagement, findings: list[Finding]) -> list[places.InContext]:
    """These findings of the in-progress record, each with its place and the words around it, as the record is
    now (before a refused save is rolled back: what was typed)."""
    record = in_progress_record(engagement)
    return places.in_context(findings, record, dict(check.texts_of(record)))


def unresolved_public_findings(engagement: Engagement) -> list[Finding]:
    """What the check finds, not yet accepted, in what residents see (or will see) of the engagement in progress."""
    return _unaccepted_in(engagement, _texts(engagement).items())


def unresolved_in_context(engagement: Engagement) -> list[places.InContext]:
    return in_context(engagement, unresolved_public_findings(engagement))


@contextmanager
def checked_on_save(engagement: Engagement, *, actor: User, public_reason: str | None = None,
                    shown_findings: Collection[str] | None = None) -> Iterator[None]:
    """Wrap a change to an engagement: the texts of its in-progress record that the change adds or changes are
    checked once it is made. Findings not yet accepted refuse the change (`PersonalDataFound`: the caller rolls
    back), unless `public_reason` is given, which accepts each of them with that reason (and an audit entry).
    From a page, `shown_findings` are the fingerprints of the findings the person was shown when they confirmed:
    a finding outside them is refused as if nothing had been confirmed, so the person sees it first.
    Texts the change leaves as they were are not looked at again here: `publish scan-public` lists those."""
    before = _texts(engagement) if engagement.id is not None else {}
    yield
    db.session.flush()  # new updates, hooks and step changes take their place (and ids) in the record
    changed = [(where, text) for where, text in _texts(engagement).items() if before.get(where) != text]
    if not changed:
        return
    new = _unaccepted_in(engagement, changed)
    if not new:
        return
    if public_reason is None or (shown_findings is not None
                                 and any(finding.fingerprint not in shown_findings for finding in new)):
        raise PersonalDataFound(new)
    try:
        for finding in new:
            services.accept_finding(engagement, finding, actor=actor, reason=public_reason)
    except services.PublicationError as error:
        raise PersonalDataFound(new, reason_error=error.message) from None


# What is public already ---------------------------------------------------------------------------------------

@dataclass
class PublicFindings:
    """What the check finds, not accepted, in what one engagement shows the public now."""

    engagement: Engagement
    source: str  # "in progress" or "version N"
    findings: list[Finding] = field(default_factory=list)


def scan_public() -> list[PublicFindings]:
    """Every public engagement whose public record (the live in-progress one, or the latest published version)
    holds findings that have not been accepted, for its lead to remove or accept."""
    names = check.names()
    results = []
    for engagement in db.session.scalars(select(Engagement).order_by(Engagement.id)):
        if not is_public(engagement):
            continue
        if engagement.current_step is Step.COMPLETED:
            latest = latest_version(engagement.id)
            if latest is None:
                continue
            record: dict = latest.record
            source = f"version {latest.number}"
        else:
            record, source = in_progress_record(engagement), "in progress"
        found = _unaccepted_in(engagement, check.texts_of(record), names)
        if found:
            results.append(PublicFindings(engagement, source, found))
    return results


def subscribe() -> None:
    public_save.provide(checked_on_save)
