"""The publication check finds personal data in realistic text and leaves ordinary text alone."""

import pytest

from engage.text.personal_data import Text, nhs_number_is_valid, normalise, scan, scan_text

NAMES = ["Priya Shah", "Jo Whitworth"]


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.value) for f in scan_text(Text("story", text), NAMES)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Contact the hub on 01706 123456.", [("phone", "01706 123456")]),
    ("Ring (01706) 123456 after six", [("phone", "(01706) 123456")]),
    ("Mobile: 07700 900123", [("phone", "07700 900123")]),
    ("From abroad: +44 (0)161 496 0000", [("phone", "+44 (0)161 496 0000")]),
    ("Freephone 0800 123 4567", [("phone", "0800 123 4567")]),
    ("E-mail jo.whitworth@commonground.example.org for a place",
     [("email", "jo.whitworth@commonground.example.org")]),
    ("Meet at 12 High Street, Rochdale OL16 1AB", [("postcode", "OL16 1AB")]),
    ("Deliveries to m1 1ae please", [("postcode", "m1 1ae")]),
    ("Her NHS number is 943 476 5919", [("nhs_number", "943 476 5919")]),
    ("NHS no. 9434765919", [("nhs_number", "9434765919")]),
    ("Priya Shah explained the plan", [("name", "Priya Shah")]),
    ("as jo   whitworth said", [("name", "Jo Whitworth")]),
])
def test_personal_data_is_found(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize("text", [
    "From 2019 to 2024 we met 1500 residents in 12 sessions.",
    "The Q3 2026 report is due on 10-12-2026 at 0930.",
    "A budget of £150,000.00 for 3 townships and 17 networks.",
    "Reference 1234567890 on the invoice",  # ten digits that fail the NHS checksum
    "Shah and Priya are common words here only separately.",
    "Visit https://www.northbrook.example.org/urgent-care",
    "Room B12 on the 4th floor; OL postcodes vary.",
    "A score of 07 out of 10",
])
def test_ordinary_text_is_left_alone(text):
    assert kinds(text) == []


@pytest.mark.parametrize(("text", "kind"), [
    ("\uff10\uff11\uff17\uff10\uff16 \uff11\uff12\uff13\uff14\uff15\uff16", "phone"),  # full-width digits
    ("01706\u00a0123456", "phone"),  # non-breaking space
    ("jo\u200b@example.org", "email"),  # zero-width space inside
    ("OL16\u202f1AB", "postcode"),  # narrow no-break space
    ("943\u2009476\u20095919", "nhs_number"),  # thin spaces
    ("Priya\u00a0Shah", "name"),
])
def test_disguised_personal_data_is_still_found(text, kind):
    assert [k for k, _ in kinds(text)] == [kind]


def test_the_nhs_number_checksum():
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("0000000000")


def test_normalise_removes_what_hides_data():
    assert normalise("a\u200bb\u00a0c\uff11") == "ab c1"


def test_the_same_finding_in_two_places_is_reported_once_per_place():
    findings = scan([Text("summary", "Call 01706 123456"), Text("story", "Call 01706 123456"),
                     Text("story", "or 01706 123456 again")], NAMES)
    assert [(f.where, f.kind) for f in findings] == [("summary", "phone"), ("story", "phone")]
