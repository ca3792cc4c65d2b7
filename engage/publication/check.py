"""The publication check (BRIEF §6.3): before anything becomes public, every text of the record that people
wrote is scanned for personal data (`text.personal_data`), and for the names of registered people. Findings
block publication until each is removed or accepted by the lead with a reason (`services.accept_finding`).
"""

from __future__ import annotations

from typing import Any

from engage.accounts.services import registered_names
from engage.engagements.steps import once
from engage.text.personal_data import Finding, Text, scan

# Values the service itself writes (identifiers, fingerprints, dates and fixed vocabularies): not text
# people wrote, and a fingerprint's digits would look like phone or NHS numbers.
NOT_WRITTEN_BY_PEOPLE = frozenset({
    "licence", "versions", "slug", "status", "step", "level", "version", "published_at", "content_sha256",
    "signed_at", "at", "due_date", "review_date", "start", "end", "role", "kind", "lens", "group",
    "on", "done_on", "status_from", "status_to", "overdue",
})
# Copies of texts the record holds elsewhere: what a commitment answers repeats insights and ideas, which are
# checked where they stand (a finding accepted there must not come back under a second address).
COPIES = frozenset({"answers"})


def texts_of(record: Any, where: str = "") -> list[tuple[str, str]]:
    """Every string people wrote in the record, with the path it sits at: what the publication check scans."""
    if isinstance(record, dict):
        return [item for key, value in record.items() if key not in NOT_WRITTEN_BY_PEOPLE and key not in COPIES
                for item in texts_of(value, f"{where}.{key}" if where else key)]
    if isinstance(record, list):
        return [item for index, value in enumerate(record) for item in texts_of(value, f"{where}[{index + 1}]")]
    if isinstance(record, str) and record.strip():
        return [(where, record)]
    return []


def names() -> list[str]:
    """The registered names the check looks for: read once for a move or a list of engagements (see
    steps.reading_together), however many checks are run."""
    return once("publication.registered_names", registered_names)


def scan_texts(texts: list[tuple[str, str]], known_names: list[str] | None = None) -> list[Finding]:
    """What the check finds in these (where, text) pairs."""
    return scan([Text(where, text) for where, text in texts], names() if known_names is None else known_names)


def findings_in(record: dict[str, Any]) -> list[Finding]:
    """What the check finds in a whole record, accepted or not."""
    return scan_texts(texts_of(record))
