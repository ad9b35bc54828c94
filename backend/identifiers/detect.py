"""Find and redact personal identifiers in free text typed by reporters.

Incident narratives must not hold patients' details, so every detector leans
towards redacting when a match is structurally convincing, and relies on
structure (checksums, digit counts, grouping, cue words) rather than on any
single loose pattern to keep ordinary clinical text untouched.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from backend.identifiers.normalise import fold

NHS_NUMBER = "nhs_number"
PHONE_NUMBER = "phone_number"
EMAIL = "email"
POSTCODE = "postcode"
DATE_OF_BIRTH = "date_of_birth"

_LABELS: dict[str, str] = {
    NHS_NUMBER: "an NHS number",
    PHONE_NUMBER: "a phone number",
    EMAIL: "an email address",
    POSTCODE: "a postcode",
    DATE_OF_BIRTH: "a date of birth",
}

_PLACEHOLDERS: dict[str, str] = {
    NHS_NUMBER: "[NHS number removed]",
    PHONE_NUMBER: "[phone number removed]",
    EMAIL: "[email removed]",
    POSTCODE: "[postcode removed]",
    DATE_OF_BIRTH: "[date of birth removed]",
}

# Tie-break when two candidates cover the same span: lower wins. NHS first so a
# 10-digit string that passes Modulus 11 is never downgraded to a phone number.
_PRIORITY: dict[str, int] = {
    NHS_NUMBER: 0,
    PHONE_NUMBER: 1,
    EMAIL: 2,
    DATE_OF_BIRTH: 3,
    POSTCODE: 4,
}


@dataclass(frozen=True)
class Finding:
    """One identifier found in a text; offsets index the original text."""

    kind: str  # one of NHS_NUMBER, PHONE_NUMBER, EMAIL, POSTCODE, DATE_OF_BIRTH
    start: int
    end: int

    def label(self) -> str:
        """Plain-English name for messages to reporters, e.g. "an NHS number"."""
        return _LABELS[self.kind]

    def placeholder(self) -> str:
        """Text that replaces this identifier in redacted output."""
        return _PLACEHOLDERS[self.kind]


# Every pattern below runs on folded text (see normalise.py: one ASCII spelling,
# single spaces) and uses only bounded repetition, so each start position costs
# a constant amount of work and a scan is linear in the text: no input can make
# the backtracking engine stall the process. tests/backend/test_identifiers_fuzz.py
# holds them to that.

# --- NHS numbers -------------------------------------------------------------

# Contiguous, or 3-3-4 with a separator (space, hyphen, dot or slash, spaced or
# not) in *both* gaps: other groupings are too loose, since about 1 in 11 random
# 10-digit strings pass Modulus 11. A separator glued to another digit means
# the number continues (e.g. a reference).
_NHS_GAP = r"(?: ?[-./] ?| )"
_NHS_RE = re.compile(
    r"(?<![0-9])(?<![0-9][-./])"
    rf"[0-9]{{3}}(?:{_NHS_GAP}[0-9]{{3}}{_NHS_GAP}|[0-9]{{3}})[0-9]{{4}}"
    r"(?![0-9])(?![-./][0-9])"
)
_NHS_SEPARATORS = re.compile(r"[^0-9]")


def nhs_checksum_ok(digits: str) -> bool:
    """Modulus 11 check used by NHS numbers (10 ASCII digits, no separators)."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _valid_nhs(m: re.Match[str]) -> bool:
    return nhs_checksum_ok(_NHS_SEPARATORS.sub("", m.group()))


# --- UK phone numbers ---------------------------------------------------------

# Prefix is +44/0044/44 (optionally "(0)"), a bracketed area code "(020)", or
# the trunk 0. The rest is the national significant number (NSN): 10 digits, or
# 9 for some 01 areas, starting 1/2/3/7 so that 08/09 service numbers and plain
# counts never match. Groups are separated by a space, hyphen or dot; grouping
# is checked in _valid_phone.
_PHONE_RE = re.compile(
    r"(?<![\w+])"
    r"(?P<prefix>\(?(?:\+|00)?44\)?[ -]?(?:\(0\)[ -]?)?|\(0(?=[1237][0-9]{1,4}\))|0)"
    r"(?P<nsn>[1237](?:(?:[ .-]|\) ?)?[0-9]){8,9})"
    r"(?![0-9])(?![.-][0-9])"
)
_PHONE_SEPARATOR = re.compile(r"\) ?|[ .-]")


def _valid_phone(m: re.Match[str]) -> bool:
    nsn, prefix = m["nsn"], m["prefix"]
    # A ")" is only allowed to close the bracketed area code we opened.
    if nsn.count(")") != (1 if prefix == "(0" else 0):
        return False
    groups = _PHONE_SEPARATOR.split(nsn)
    digits = "".join(groups)
    if len(digits) == 9 and digits[0] != "1":
        return False
    # The trunk 0 belongs to the first group ("07 700 900 123"); after +44 it
    # is left out, so the first group is judged as if it were there.
    groups[0] = "0" + groups[0]
    if not all(len(g) >= 2 for g in groups):
        return False
    # Up to 3 groups covers every common UK spacing while rejecting dates and
    # lists such as "01-03-2024 10"; four only as "07 700 900 123".
    return len(groups) <= 3 or (len(groups) == 4 and [len(g) for g in groups[1:]] == [3, 3, 3])


# --- E-mail addresses ----------------------------------------------------------

_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+'-]{0,62}[A-Za-z0-9_%+-])?"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = re.compile(
    r"(?<![\w.%+'-])"
    rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL}){{0,8}}\.[A-Za-z]{{2,24}}"
    r"(?![\w-])"
)

# Spelled out to get past filters: "jo dot bloggs at nhs dot net",
# "jo.bloggs [at] example [dot] com", "jo (at) nhs.net", "jo @ nhs.net".
# Only a domain ending in a common top-level domain counts, so "seen at home.
# Then" never does.
_WORD_AT = r"(?: ?[\[(] ?at ?[\])] ?| at | ?@ ?)"
_WORD_DOT = r"(?: ?[\[(] ?dot ?[\])] ?| dot |\.)"
# Words of the local part exclude the characters that join them, so a run such
# as "a-a-a-a" has exactly one way to match (no backtracking between the two).
_SPELLED_LOCAL = r"[a-z0-9%+']{1,64}"
_SPELLED_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_TLD = r"(?:com|net|org|uk|nhs|gov|edu|ac|co|io|info|me|scot|wales|eu|ie|biz)"
_SPELLED_EMAIL_RE = re.compile(
    r"(?<![\w.%+'-])"
    rf"{_SPELLED_LOCAL}(?:(?:{_WORD_DOT}|[_-]){_SPELLED_LOCAL}){{0,4}}"
    rf"{_WORD_AT}{_SPELLED_LABEL}(?:{_WORD_DOT}{_SPELLED_LABEL}){{0,6}}{_WORD_DOT}{_TLD}"
    r"(?![\w-])",
    re.IGNORECASE,
)


# --- UK postcodes --------------------------------------------------------------

# Full outward + inward code only, using the Royal Mail letter rules, so short
# tokens such as "B12", "IV", "PR 2" or "A1" can never match on their own.
_POSTCODE_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?P<outward>"
    r"[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRV-Y]"
    r"|GIR(?=[ -]?0AA)"
    r")"
    r"[ -]?"
    r"(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def _valid_postcode(m: re.Match[str]) -> bool:
    # "bay A1 2nd bed", "B12 5ng/L", "C3 1hr": lower-case letters after an
    # upper-case code are an ordinal or unit, not a postcode typed in one case.
    # All-lower-case "b33 8th" is kept: missing a postcode costs more.
    outward, inward = m["outward"], m["inward"]
    return not (outward.isupper() and inward[1:].islower())


# --- Dates of birth ----------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"[0-9]{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:[0-9]{4}|'?[0-9]{2})(?![0-9])"
_DATE = (
    # 12/03/1956, 12-03-56, 12.03.1956, 12 03 1956 (same separator both times)
    r"[0-9]{1,2}(?P<sep>[/. -])[0-9]{1,2}(?P=sep)(?:[0-9]{4}|[0-9]{2})(?![0-9])"
    # 1956-03-12, 1956/03/12
    r"|[0-9]{4}(?P<isosep>[/.-])[0-9]{1,2}(?P=isosep)[0-9]{1,2}(?![0-9])"
    # 12031956, 120356, 19560312
    r"|[0-9]{6}(?:[0-9]{2})?(?![0-9])"
    # 12 March 1956, 12th of Mar, 1956, 12-Mar-1956
    rf"|{_DAY}(?: ?-| )(?:of )?{_MONTH},?(?: ?- ?| ){_YEAR}"
    # March 12 1956, Mar 12th, 1956
    rf"|{_MONTH} {_DAY},? {_YEAR}"
)
# A date is only a date of birth when a cue introduces it; the finding covers
# the date alone so redacted text keeps the cue ("DOB: [date of birth removed]").
_DOB_CUE = r"(?:d\.?o\.?b\.?|date of birth|birth ?date|birthday|born(?: on)?|b\.)"
_DOB_RE = re.compile(
    rf"(?<![A-Za-z]){_DOB_CUE}(?![A-Za-z])"
    r"(?: (?:is|was)(?![A-Za-z]))? ?[:=-]? ?(?:the )?"
    rf"(?P<date>{_DATE})",
    re.IGNORECASE,
)


# --- Scanning and overlap resolution --------------------------------------

_Validator = Callable[[re.Match[str]], bool]

_DETECTORS: tuple[tuple[str, re.Pattern[str], _Validator | None, str | int], ...] = (
    (NHS_NUMBER, _NHS_RE, _valid_nhs, 0),
    (PHONE_NUMBER, _PHONE_RE, _valid_phone, 0),
    (EMAIL, _EMAIL_RE, None, 0),
    (EMAIL, _SPELLED_EMAIL_RE, None, 0),
    (POSTCODE, _POSTCODE_RE, _valid_postcode, 0),
    (DATE_OF_BIRTH, _DOB_RE, None, "date"),
)

# Each pattern sees at most a window of this many characters (plus the margin
# on each side), so even a pattern that went wrong could not cost more than
# linear time overall. The margin is longer than any match can be (the longest,
# a spelled-out e-mail, is under 900 characters) so nothing is cut in two.
WINDOW = 8192
_MARGIN = 1024


def _scan(
    kind: str,
    pattern: re.Pattern[str],
    valid: _Validator | None,
    group: str | int,
    text: str,
) -> Iterator[tuple[str, int, int]]:
    for core in range(0, max(len(text), 1), WINDOW):
        core_end = min(core + WINDOW, len(text))
        endpos = min(core_end + _MARGIN, len(text))
        pos = core
        while pos < core_end and (m := pattern.search(text, pos, endpos)) is not None:
            if m.start() >= core_end:
                break
            if valid is None or valid(m):
                yield kind, m.start(group), m.end(group)
                pos = m.end()
            else:
                # A rejected candidate may hide a valid one starting inside it.
                pos = m.start() + 1


def find_identifiers(text: str) -> list[Finding]:
    """Return identifiers in ``text``, sorted by start and non-overlapping.

    The text is folded first (normalise.fold: NFKC, dashes, digits, spaces), so
    "943\u00a0476\u00a05919" and full-width digits are found like ASCII ones;
    offsets always index the original ``text``.

    Where candidates overlap, the longest wins (an e-mail address containing
    digits stays one e-mail); equal spans go to the more specific kind, so a
    valid NHS number is never reported as a phone number. A date-of-birth
    finding covers the date only, not its cue: "DOB: 12/03/1956" yields the
    span of "12/03/1956", so redaction leaves "DOB: [date of birth removed]".
    """
    folded = fold(text)
    candidates = [
        Finding(kind, *folded.span(start, end))
        for spec in _DETECTORS
        for kind, start, end in _scan(*spec, folded.text)
        if end > start
    ]
    candidates.sort(key=lambda f: (f.start - f.end, _PRIORITY[f.kind], f.start))
    chosen: list[Finding] = []  # kept sorted by start, so overlap checks are local
    for cand in candidates:
        i = bisect.bisect_left(chosen, cand.start, key=lambda f: f.start)
        if (i == 0 or chosen[i - 1].end <= cand.start) and (
            i == len(chosen) or cand.end <= chosen[i].start
        ):
            chosen.insert(i, cand)
    return chosen


def redact(text: str) -> tuple[str, list[Finding]]:
    """Replace each identifier with a placeholder such as "[NHS number removed]".

    The returned findings carry offsets into the original ``text``, not into the
    redacted string.
    """
    findings = find_identifiers(text)
    parts: list[str] = []
    pos = 0
    for f in findings:
        parts.append(text[pos : f.start])
        parts.append(f.placeholder())
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts), findings
