"""Tests for backend.identifiers. All identifiers here are fictional or reserved:
Ofcom drama phone ranges, example.com / made-up nhs.net addresses, the published
test NHS number and never-issued 999 numbers, and well-known example postcodes."""

from __future__ import annotations

import dataclasses

import pytest

from backend.identifiers import Finding, find_identifiers, nhs_checksum_ok, redact


def check_digit(nine: str) -> int | None:
    """Independent Modulus 11 implementation; None when the prefix is unusable."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = 11 - total % 11
    return {11: 0, 10: None}.get(check, check)


def with_check_digit(nine: str) -> str:
    check = check_digit(nine)
    assert check is not None, f"{nine} cannot form a valid NHS number"
    return nine + str(check)


def wrong_check_digit(nine: str) -> str:
    check = check_digit(nine)
    return nine + str(((check or 0) + 1) % 10)


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in find_identifiers(text)]


def spaced(number: str, sep: str) -> str:
    return f"{number[:3]}{sep}{number[3:6]}{sep}{number[6:]}"


# 999 numbers are never issued to patients, so they are safe test data.
VALID_NHS = ["9434765919", with_check_digit("999000012"), with_check_digit("999123450")]
# Prefix whose check digit works out as 10: no valid NHS number starts with it.
UNUSABLE_PREFIX = next(p for p in (f"9990000{n:02d}" for n in range(100)) if check_digit(p) is None)


# --- NHS numbers -------------------------------------------------------------


def test_well_known_test_number_is_valid() -> None:
    assert check_digit("943476591") == 9
    assert nhs_checksum_ok("9434765919")


@pytest.mark.parametrize("number", VALID_NHS)
@pytest.mark.parametrize("sep", ["", " ", "-"])
def test_valid_nhs_numbers_found_in_all_formats(number: str, sep: str) -> None:
    written = spaced(number, sep)
    assert found(f"NHS no {written} checked.") == [("nhs_number", written)]


@pytest.mark.parametrize("number", VALID_NHS)
@pytest.mark.parametrize("sep", ["", " ", "-"])
def test_invalid_check_digit_is_not_an_nhs_number(number: str, sep: str) -> None:
    wrong = wrong_check_digit(number[:9])
    assert not nhs_checksum_ok(wrong)
    written = spaced(wrong, sep)
    assert found(f"NHS no {written} checked.") == []


def test_check_digit_of_ten_is_never_valid() -> None:
    for last in "0123456789":
        assert not nhs_checksum_ok(UNUSABLE_PREFIX + last)
        assert found(f"ref {UNUSABLE_PREFIX + last}") == []


@pytest.mark.parametrize(
    "text",
    [
        "19434765919",
        "94347659190",
        "943 476 59190",
        "1943 476 5919",
        "7-943-476-5919",
        "943-476-5919-2",
    ],
)
def test_nhs_number_inside_longer_digit_run_not_reported(text: str) -> None:
    assert "nhs_number" not in [kind for kind, _ in found(text)]


def test_nhs_number_next_to_separate_numbers_still_found() -> None:
    assert found("bed 12 9434765919 / 2") == [("nhs_number", "9434765919")]


def test_checksum_rejects_non_digits_and_wrong_length() -> None:
    assert not nhs_checksum_ok("943476591")
    assert not nhs_checksum_ok("94347659199")
    assert not nhs_checksum_ok("943 476 5919")
    assert not nhs_checksum_ok("٩٤٣٤٧٦٥٩١٩")  # non-ASCII digits


def test_ten_digit_number_failing_checksum_can_still_be_a_phone() -> None:
    # 01632 is reserved for drama; some 01 areas have 9-digit national numbers.
    number = wrong_check_digit("016329601")
    for written in (number, spaced(number, " ")):
        assert found(f"call {written}") == [("phone_number", written)]


# --- Phone numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "07700 900123",
        "07700900123",
        "07700 900 123",
        "0770 090 0123",
        "020 7946 0958",
        "020-7946-0958",
        "02079460958",
        "(020) 7946 0958",
        "0161 496 0000",
        "(0161) 496 0000",
        "01632 960123",
        "+44 7700 900123",
        "+447700900123",
        "0044 7700 900123",
        "+44 (0)20 7946 0958",
        "+44 (0) 20 7946 0958",
        "+44 20 7946 0958",
        "+44 161 496 0000",
        "(+44) 7700 900123",
    ],
)
def test_uk_phone_numbers_found(number: str) -> None:
    assert found(f"Daughter's number is {number}, call after 5.") == [("phone_number", number)]
    assert found(f"tel:{number}") == [("phone_number", number)]


@pytest.mark.parametrize(
    "text",
    [
        "gave 10 units at 15:30",
        "in 2024 on ward 7, bed 12",
        "0.5 mg then 12345 ml",
        "on 01-03-2024 10 units were given",
        "obs 01 02 03 04 05",
        "ref 0770090",
        "0161 496",
        "extension 0123",
    ],
)
def test_numbers_that_are_not_phone_numbers(text: str) -> None:
    assert found(text) == []


def test_two_phone_numbers_separated_by_slash() -> None:
    assert found("07700 900123/020 7946 0958") == [
        ("phone_number", "07700 900123"),
        ("phone_number", "020 7946 0958"),
    ]


# --- E-mail addresses ------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "jo.bloggs@example.com",
        "A.N.Other+incident@nhs.net",
        "pat_o'neill@mail.example.co.uk",
        "ward7-team@example.org",
    ],
)
def test_emails_found(email: str) -> None:
    assert found(f"Family emailed from {email}.") == [("email", email)]
    assert found(f"<{email}>") == [("email", email)]


@pytest.mark.parametrize("text", ["@ward7 handover", "user@localhost", "a @ b", "x@y.c"])
def test_not_emails(text: str) -> None:
    assert found(text) == []


# --- Postcodes ---------------------------------------------------------------


@pytest.mark.parametrize(
    "postcode",
    [
        "SW1A 1AA",
        "M1 1AE",
        "B33 8TH",
        "CR2 6XH",
        "DN55 1PT",
        "EC1A 1BB",
        "W1A 0AX",
        "sw1a 1aa",
        "b33 8th",
        "SW1A1AA",
        "m11ae",
        "Sw1a 1aa",
    ],
)
def test_postcodes_found(postcode: str) -> None:
    assert found(f"Lives at 1 Any Street, {postcode}.") == [("postcode", postcode)]


@pytest.mark.parametrize(
    "text",
    [
        "given IV fluids",
        "vitamin B12 low",
        "PR 2 doses",
        "seen by GP",
        "bay A1",
        "bay A1 2nd bed",  # lower-case letters after an upper-case code
        "B12 5ng/L",
        "ward C3 1hr later",
        "NEWS2 3 at 10",
        "HbA1c 48",
        "B12 5mg",
        "QA1 1AA",  # Q is never a first letter
    ],
)
def test_non_postcode_tokens_not_flagged(text: str) -> None:
    assert found(text) == []


# --- Dates of birth ------------------------------------------------------------

DOB_CUES = [
    "DOB",
    "DOB:",
    "DOB is",
    "dob -",
    "D.O.B.",
    "D.O.B.:",
    "d.o.b",
    "date of birth",
    "Date of birth:",
    "date of birth is",
    "born",
    "born on",
    "Born on the",
    "she was born",
]
DOB_DATES = [
    "12/03/1956",
    "12-03-56",
    "12.03.1956",
    "1/3/56",
    "12 March 1956",
    "12th Mar 1956",
    "12th of March 1956",
    "12 Sept. 1956",
    "March 12 1956",
    "Mar 12th, 1956",
]


@pytest.mark.parametrize("cue", DOB_CUES)
@pytest.mark.parametrize("date", DOB_DATES)
def test_dates_of_birth_found_after_cue(cue: str, date: str) -> None:
    # The finding covers the date only; the cue stays in the text.
    assert found(f"Patient ({cue} {date}) fell.") == [("date_of_birth", date)]


def test_dob_cue_without_space() -> None:
    assert found("DOB:12/03/1956") == [("date_of_birth", "12/03/1956")]


@pytest.mark.parametrize(
    "text",
    [
        "on 12/03/2024 the patient fell",
        "admitted 12 March 2024 and discharged March 14 2024",
        "born at 32 weeks",
        "DOB not recorded, seen 12/03/2024",
        "newborn 12/03/2024",
        "dobutamine 12.03.2024",
        "born 12/2024",
    ],
)
def test_dates_without_cue_not_flagged(text: str) -> None:
    assert found(text) == []


# --- Redaction, offsets and overlaps --------------------------------------------

MIXED = (
    "Patient (NHS 943 476 5919, DOB 12/03/1956) of SW1A 1AA rang 07700 900123 "
    "and emailed jo.bloggs@example.com."
)


def test_redaction_of_mixed_sentence() -> None:
    redacted, findings = redact(MIXED)
    assert redacted == (
        "Patient (NHS [NHS number removed], DOB [date of birth removed]) of "
        "[postcode removed] rang [phone number removed] and emailed [email removed]."
    )
    assert [f.kind for f in findings] == [
        "nhs_number",
        "date_of_birth",
        "postcode",
        "phone_number",
        "email",
    ]


def test_offsets_point_at_original_text() -> None:
    _, findings = redact(MIXED)
    assert [MIXED[f.start : f.end] for f in findings] == [
        "943 476 5919",
        "12/03/1956",
        "SW1A 1AA",
        "07700 900123",
        "jo.bloggs@example.com",
    ]
    assert [f.start for f in findings] == [
        MIXED.index(s) for s in ("943", "12/", "SW1A", "07700", "jo.")
    ]
    assert findings == find_identifiers(MIXED)


def test_findings_sorted_and_non_overlapping() -> None:
    text = MIXED + " Also 0161 496 0000, m1 1ae, born on 1 Jan 1950, " + MIXED
    findings = find_identifiers(text)
    assert len(findings) == 13
    for a, b in zip(findings[:-1], findings[1:], strict=True):
        assert a.end <= b.start


@pytest.mark.parametrize(
    "text, expected",
    [
        # Digits and a postcode inside an e-mail: the longer e-mail wins.
        ("9434765919@example.com", [("email", "9434765919@example.com")]),
        ("sw1a1aa.07700900123@example.com", [("email", "sw1a1aa.07700900123@example.com")]),
        # "161 496 0003" passes Modulus 11, but with +44 it is a longer phone number.
        ("+44 161 496 0003", [("phone_number", "+44 161 496 0003")]),
    ],
)
def test_overlapping_candidates_resolved(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_overlap_fixture_really_overlaps() -> None:
    assert nhs_checksum_ok("1614960003")
    assert found("161 496 0003") == [("nhs_number", "161 496 0003")]


def test_valid_nhs_number_wins_tie_with_phone() -> None:
    # A 01 number with a 9-digit national part that also passes Modulus 11.
    number = with_check_digit("016329602")
    assert found(f"call {number}") == [("nhs_number", number)]


@pytest.mark.parametrize("text", ["", "   ", "Patient fell in the bathroom.", "\n"])
def test_no_identifiers(text: str) -> None:
    assert find_identifiers(text) == []
    assert redact(text) == (text, [])


def test_clinical_sentence_has_no_findings() -> None:
    text = "yesterday 3pm on ward 7 a patient got 10 units of insulin instead of 1"
    assert find_identifiers(text) == []
    assert redact(text) == (text, [])


# --- Finding -------------------------------------------------------------------


def test_finding_labels_and_placeholders() -> None:
    expected = {
        "nhs_number": ("an NHS number", "[NHS number removed]"),
        "phone_number": ("a phone number", "[phone number removed]"),
        "email": ("an email address", "[email removed]"),
        "postcode": ("a postcode", "[postcode removed]"),
        "date_of_birth": ("a date of birth", "[date of birth removed]"),
    }
    for kind, (label, placeholder) in expected.items():
        finding = Finding(kind, 0, 1)
        assert finding.label() == label
        assert finding.placeholder() == placeholder


def test_finding_is_frozen() -> None:
    finding = Finding("email", 0, 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.start = 1  # type: ignore[misc]


# --- Variants that used to slip through (issue 16) --------------------------------

NBSP, EN_DASH, THIN = "\u00a0", "\u2013", "\u2009"
FULL_WIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + d) for d in range(10)))


@pytest.mark.parametrize(
    "written",
    [
        f"943{NBSP}476{NBSP}5919",
        f"943{EN_DASH}476{EN_DASH}5919",
        f"943{THIN}476{THIN}5919",
        "943.476.5919",
        "943/476/5919",
        "943  476  5919",
        "943 - 476 - 5919",
        "943\n476\n5919",
        "9434765919".translate(FULL_WIDTH),
        "943 476 5919".translate(FULL_WIDTH),
        "943\u200b476\u200b5919",  # zero-width spaces
    ],
)
def test_nhs_number_variants_found(written: str) -> None:
    assert found(f"NHS no {written} checked.") == [("nhs_number", written)]


@pytest.mark.parametrize("written", ["943.476.5919.2", "1.943.476.5919", "943/476/59190"])
def test_nhs_number_variants_inside_longer_references_not_reported(written: str) -> None:
    assert "nhs_number" not in [kind for kind, _ in found(written)]


@pytest.mark.parametrize(
    "number",
    [
        "07700.900.123",
        "447700900123",
        "07 700 900 123",
        f"07700{NBSP}900123",
        f"07700{EN_DASH}900{EN_DASH}123",
        "07700  900  123",
        "+44 7 700 900 123",
        "07700900123".translate(FULL_WIDTH),
    ],
)
def test_phone_number_variants_found(number: str) -> None:
    assert found(f"Daughter's number is {number}, call after 5.") == [("phone_number", number)]


@pytest.mark.parametrize("text", ["on 01.03.2024 10 units were given", "01 03 2024 10 units", "v 1.2.3.4"])
def test_dotted_and_spaced_numbers_that_are_not_phones(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("postcode", ["SW1A  1AA", "SW1A-1AA", "sw1a 1aa", f"SW1A{NBSP}1AA", "SW1A\t1AA"])
def test_postcode_variants_found(postcode: str) -> None:
    assert found(f"Lives at 1 Any Street, {postcode}.") == [("postcode", postcode)]


@pytest.mark.parametrize(
    "text, date",
    [
        ("DOB 1956-03-12", "1956-03-12"),
        ("birthday 12/03/1956", "12/03/1956"),
        ("b. 12/03/1956", "12/03/1956"),
        ("DOB 12031956", "12031956"),
        ("DOB 120356", "120356"),
        ("birth date: 12 03 1956", "12 03 1956"),
        ("birthdate 1956/03/12", "1956/03/12"),
        (f"DOB{NBSP}12{EN_DASH}03{EN_DASH}1956", f"12{EN_DASH}03{EN_DASH}1956"),
        ("DOB " + "12/03/1956".translate(FULL_WIDTH), "12/03/1956".translate(FULL_WIDTH)),
        ("born    on   12 March 1956", "12 March 1956"),
    ],
)
def test_date_of_birth_variants_found(text: str, date: str) -> None:
    assert found(f"Patient ({text}) fell.") == [("date_of_birth", date)]


@pytest.mark.parametrize("text", ["seen 2024-03-12 at 10", "ref 12031956", "vitamin b. 12 units"])
def test_dates_and_numbers_without_cue_still_not_flagged(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "email",
    [
        "name at nhs dot net",
        "jo dot bloggs at example dot co dot uk",
        "jo.bloggs [at] example [dot] com",
        "jo(at)nhs(dot)net",
        "jo (at) nhs.net",
        "jo.bloggs at nhs.net",
        "jo @ example.com",
        "jo.bloggs\uff20example.com",  # full-width at sign
        "JO DOT BLOGGS AT NHS DOT NET",
    ],
)
def test_spelled_out_emails_found(email: str) -> None:
    assert found(f"Family emailed from {email} today.") == [("email", email)]


@pytest.mark.parametrize(
    "text",
    [
        "the nurse was at home. Then she called",
        "seen at ward dot 7",
        "arrived at 10. Net result was fine",
        "met at clinic dot matrix printer",
    ],
)
def test_ordinary_at_and_dot_are_not_emails(text: str) -> None:
    assert found(text) == []


def test_folded_findings_point_at_original_text() -> None:
    text = f"NHS\u3000943{NBSP}{NBSP}476{NBSP}5919 and ｓｗ１ａ　１ａａ and 07700{EN_DASH}900123"
    redacted, findings = redact(text)
    assert [text[f.start : f.end] for f in findings] == [
        f"943{NBSP}{NBSP}476{NBSP}5919",
        "ｓｗ１ａ　１ａａ",
        f"07700{EN_DASH}900123",
    ]
    assert redacted == "NHS\u3000[NHS number removed] and [postcode removed] and [phone number removed]"


def test_identifiers_across_scan_windows_are_found_whole() -> None:
    from backend.identifiers.detect import WINDOW

    ids = ["943 476 5919", "07700 900123", "jo.bloggs@example.com", "SW1A 1AA", "name at nhs dot net"]
    text = ""
    for boundary, ident in enumerate(ids, start=1):
        # Each identifier straddles a window boundary; ordinary words fill the rest.
        cut = boundary * WINDOW - len(ident) // 2
        text += ("ward " * WINDOW)[: cut - len(text) - 1] + " " + ident + " "
    text += "fell."
    assert len(text) > len(ids) * WINDOW
    assert [text[f.start : f.end] for f in find_identifiers(text)] == ids


def test_generated_variants_all_redacted_as_their_kind() -> None:
    from backend.identifiers.evaluate import covered
    from backend.identifiers.variants import generate

    variants = generate()
    assert len(variants) > 2000
    missed = [(v.kind, v.form, v.text) for v in variants if not covered(v, same_kind=True)]
    assert missed == []


def test_generated_clinical_text_has_no_findings() -> None:
    from backend.identifiers.evaluate import example_narratives
    from backend.identifiers.variants import clinical_texts

    flagged = [t for t in clinical_texts() + example_narratives() if find_identifiers(t)]
    assert flagged == []
