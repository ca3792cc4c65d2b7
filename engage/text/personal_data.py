"""What personal data looks like in a text: e-mail addresses, UK phone numbers, full postcodes, NHS numbers
and the names given. The publication check (`publication.check`) scans every text that will be published with
it; commitments, published the moment they are saved, scan their fields with it too.

Texts are normalised first, so full-width digits, non-breaking and zero-width spaces cannot hide an
e-mail address, phone number, postcode or NHS number.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# UK numbers: +44 or 0, then 9 or 10 more digits, allowing spaces, dashes, dots and brackets between them.
PHONE = re.compile(r"(?<![\d+])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s().-]{0,2}\d){8,9}(?!\d)")
# A full postcode (outward and inward code), following the Royal Mail format.
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")

KIND_LABELS = {
    "email": "an e-mail address",
    "phone": "a UK phone number",
    "postcode": "a full postcode",
    "nhs_number": "an NHS number",
    "name": "the name of a registered person",
}


@dataclass(frozen=True)
class Text:
    """A text that will be published, and where it comes from (shown to the lead)."""

    where: str
    value: str


@dataclass(frozen=True)
class Finding:
    kind: str
    value: str
    where: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def fingerprint(self) -> str:
        """Identifies the same finding across runs, so an acceptance holds until the text changes."""
        return hashlib.sha256(f"{self.kind}\x00{self.where}\x00{self.value.casefold()}".encode()).hexdigest()


def instruction(finding: Finding) -> str:
    """What the lead is asked to do about a finding, in the same words wherever it is shown."""
    return f"Remove or accept {finding.label} in {finding.where}: \u201c{finding.value}\u201d"


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate(ZERO_WIDTH)
    return SPACES.sub(" ", text)


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def scan_text(text: Text, names: Iterable[str] = ()) -> list[Finding]:
    value = normalise(text.value)
    findings: list[Finding] = []
    nhs_spans: list[tuple[int, int]] = []
    for match in NHS_NUMBER.finditer(value):
        if nhs_number_is_valid(_digits(match.group())):
            findings.append(Finding("nhs_number", match.group(), text.where))
            nhs_spans.append(match.span())
    for match in EMAIL.finditer(value):
        findings.append(Finding("email", match.group(), text.where))
    for match in PHONE.finditer(value):
        start, end = match.span()
        if any(start < e and s < end for s, e in nhs_spans):
            continue
        digits = _digits(match.group())
        national = (digits[2:] if digits.startswith("44") else digits).removeprefix("0")
        if len(national) in (9, 10) and national[0] in "123578":
            findings.append(Finding("phone", match.group().strip(), text.where))
    for match in POSTCODE.finditer(value):
        findings.append(Finding("postcode", match.group(), text.where))
    folded = value.casefold()
    for name in names:
        name = normalise(name).strip()
        if len(name.split()) < 2:
            continue  # a single word is too often an ordinary word to treat as a person's name
        if re.search(r"(?<!\w)" + re.escape(name.casefold()).replace(r"\ ", r"\s+") + r"(?!\w)", folded):
            findings.append(Finding("name", name, text.where))
    return findings


def scan(texts: Iterable[Text], names: Iterable[str] = ()) -> list[Finding]:
    names = list(names)
    seen: set[str] = set()
    findings = []
    for text in texts:
        for finding in scan_text(text, names):
            if finding.fingerprint not in seen:
                seen.add(finding.fingerprint)
                findings.append(finding)
    return findings
