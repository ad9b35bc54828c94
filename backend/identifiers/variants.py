"""Generated identifiers in the many ways people write them, and ordinary clinical text without any.

Used by `python -m backend.identifiers.evaluate` (`make redaction-eval`) and by the tests. Every
identifier is fictional or reserved: NHS numbers in the never-issued 999 range, Ofcom's drama phone
ranges, example.com / example.org / made-up nhs.net mailboxes, postcodes built from the Royal Mail
letter rules with no claim to exist.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from backend.identifiers.detect import DATE_OF_BIRTH, EMAIL, NHS_NUMBER, PHONE_NUMBER, POSTCODE


@dataclass(frozen=True)
class Variant:
    """A sentence holding one identifier of ``kind`` at ``text[start:end]``; ``form`` names how it is written."""

    kind: str
    form: str
    text: str
    start: int
    end: int


# Gaps between the groups of a number, as typed or pasted from elsewhere.
GAPS = {
    "space": " ",
    "double space": "  ",
    "hyphen": "-",
    "dot": ".",
    "slash": "/",
    "spaced hyphen": " - ",
    "no-break space": "\u00a0",
    "thin space": "\u2009",
    "narrow no-break space": "\u202f",
    "en dash": "\u2013",
    "em dash": "\u2014",
    "minus sign": "\u2212",
    "tab": "\t",
    "newline": "\n",
}
_FULL_WIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + d) for d in range(10)))
_ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x0660 + d) for d in range(10)))
SCRIPTS = {"ascii digits": None, "full-width digits": _FULL_WIDTH, "arabic-indic digits": _ARABIC_INDIC}

TEMPLATES = (
    "Patient's {what} is {x}, please call back.",
    "{x}",
    "({x})",
    "details: {x}.",
    "my {what} {x} thanks",
)


def _nhs_number(rng: random.Random) -> str:
    while True:
        nine = "999" + "".join(rng.choice("0123456789") for _ in range(6))
        check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(nine)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return nine + str(check)


def _nhs_variants(rng: random.Random) -> Iterator[tuple[str, str]]:
    for script, table in SCRIPTS.items():
        for gap_name, gap in (("contiguous", ""), *GAPS.items()):
            number = _nhs_number(rng)
            written = gap.join((number[:3], number[3:6], number[6:])) if gap else number
            yield f"{gap_name}, {script}", written.translate(table) if table else written


# Ofcom's drama ranges: (national number without the trunk 0, groupings of it).
_PHONE_RANGES = (
    ("77009001", ((4, 6), (4, 3, 3), (3, 3, 4), (1, 3, 3, 3))),  # 07700 900xxx
    ("20794600", ((2, 4, 4),)),  # 020 7946 0xxx
    ("16149600", ((3, 3, 4), (4, 2, 4))),  # 0161 496 0xxx
    ("11349600", ((3, 3, 4),)),  # 0113 496 0xxx
)
_PHONE_PREFIXES = {"trunk 0": "0", "+44": "+44 ", "+44 glued": "+44", "0044": "0044 ", "44": "44", "+44 (0)": "+44 (0)"}


def _phone_variants(rng: random.Random) -> Iterator[tuple[str, str]]:
    gaps = {name: gap for name, gap in GAPS.items() if name not in ("slash", "spaced hyphen")}
    for start, groupings in _PHONE_RANGES:
        for grouping in groupings:
            for gap_name, gap in (("contiguous", ""), *gaps.items()):
                for prefix_name, prefix in _PHONE_PREFIXES.items():
                    nsn = start + "".join(rng.choice("0123456789") for _ in range(10 - len(start)))
                    parts, pos = [], 0
                    for size in grouping:
                        parts.append(nsn[pos : pos + size])
                        pos += size
                    if prefix_name == "trunk 0":
                        parts[0] = "0" + parts[0]
                        written = gap.join(parts)
                    else:
                        written = prefix + gap.join(parts)
                    form = f"{prefix_name}, {'-'.join(map(str, grouping))}, {gap_name}"
                    yield form, written


_OUTWARD_LETTERS = "ABCDEFGHIJKLMNOPRSTUWYZ"
_SECOND_LETTERS = "ABCDEFGHKLMNOPQRSTUVWXY"
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _postcode(rng: random.Random, shape: str) -> tuple[str, str]:
    digit = lambda: rng.choice("0123456789")  # noqa: E731
    a, b = rng.choice(_OUTWARD_LETTERS), rng.choice(_SECOND_LETTERS)
    outward = {
        "A9": a + digit(),
        "A99": a + digit() + digit(),
        "AA9": a + b + digit(),
        "AA99": a + b + digit() + digit(),
        "A9A": a + digit() + rng.choice("ABCDEFGHJKPSTUW"),
        "AA9A": a + b + digit() + rng.choice("ABEHMNPRVWXY"),
    }[shape]
    return outward, digit() + rng.choice(_INWARD_LETTERS) + rng.choice(_INWARD_LETTERS)


def _postcode_variants(rng: random.Random) -> Iterator[tuple[str, str]]:
    gaps = {"no gap": "", **{n: GAPS[n] for n in ("space", "double space", "hyphen", "no-break space", "tab")}}
    cases = {"upper": str.upper, "lower": str.lower, "title": str.title}
    for shape in ("A9", "A99", "AA9", "AA99", "A9A", "AA9A"):
        for gap_name, gap in gaps.items():
            for case_name, case in cases.items():
                for _ in range(3):
                    outward, inward = _postcode(rng, shape)
                    yield f"{shape}, {gap_name}, {case_name}", case(outward + gap + inward)


_LOCALS = ("jo.bloggs", "a.n.other", "pat", "ward7-team", "sam_smith", "kim.lee2")
_DOMAINS = ("example.com", "nhs.net", "example.co.uk", "example.org")


def _spell(address: str, at: str, dot: str) -> str:
    local, domain = address.split("@")
    return local.replace(".", dot) + at + domain.replace(".", dot)


def _email_variants(rng: random.Random) -> Iterator[tuple[str, str]]:
    spellings = {
        "plain": ("@", "."),
        "full-width at": ("\uff20", "."),
        "spaced at": (" @ ", "."),
        "at, dot": (" at ", " dot "),
        "AT, DOT": (" AT ", " DOT "),
        "at, dots kept": (" at ", "."),
        "[at], [dot]": (" [at] ", " [dot] "),
        "(at), (dot)": (" (at) ", " (dot) "),
        "[at] glued": ("[at]", "[dot]"),
        "(at), dots kept": ("(at)", "."),
    }
    for local in _LOCALS:
        for domain in _DOMAINS:
            for name, (at, dot) in spellings.items():
                suffix = rng.choice(("", "", "1", "99"))
                yield name, _spell(f"{local}{suffix}@{domain}", at, dot)


_DOB_CUES = (
    "DOB", "DOB:", "dob -", "D.O.B.", "d.o.b", "DoB", "date of birth", "Date of birth:", "date of birth is",
    "born", "born on", "born on the", "birthday", "birthday:", "birth date", "birthdate", "b.",
)  # fmt: skip
_MONTHS = ("January", "Feb", "Mar", "April", "Sept.", "Oct", "December")


def _dob_dates(rng: random.Random) -> Iterator[tuple[str, str]]:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1925, 2020)
    yield "dd/mm/yyyy", f"{day:02d}/{month:02d}/{year}"
    yield "d/m/yy", f"{day}/{month}/{year % 100:02d}"
    yield "dd-mm-yyyy", f"{day:02d}-{month:02d}-{year}"
    yield "dd.mm.yyyy", f"{day:02d}.{month:02d}.{year}"
    yield "dd mm yyyy", f"{day:02d} {month:02d} {year}"
    yield "yyyy-mm-dd", f"{year}-{month:02d}-{day:02d}"
    yield "yyyy/mm/dd", f"{year}/{month:02d}/{day:02d}"
    yield "ddmmyyyy", f"{day:02d}{month:02d}{year}"
    yield "ddmmyy", f"{day:02d}{month:02d}{year % 100:02d}"
    month_name = rng.choice(_MONTHS)
    yield "d month yyyy", f"{day} {month_name} {year}"
    yield "dth of month, yyyy", f"{day}th of {month_name}, {year}"
    yield "d-mon-yyyy", f"{day}-{month_name[:3]}-{year}"
    yield "month d yyyy", f"{month_name} {day} {year}"
    yield "dd\u2013mm\u2013yyyy (en dash)", f"{day:02d}\u2013{month:02d}\u2013{year}"
    yield "full-width digits", f"{day:02d}/{month:02d}/{year}".translate(_FULL_WIDTH)


def generate(seed: int = 16) -> list[Variant]:
    """A few thousand sentences, each with one identifier; the same list for the same seed."""
    rng = random.Random(seed)
    out: list[Variant] = []

    def place(kind: str, what: str, form: str, written: str) -> None:
        template = rng.choice(TEMPLATES)
        before = template.split("{x}")[0].format(what=what)
        text = template.format(what=what, x=written)
        out.append(Variant(kind, form, text, len(before), len(before) + len(written)))

    for _ in range(5):
        for form, written in _nhs_variants(rng):
            place(NHS_NUMBER, "NHS number", form, written)
    for form, written in _phone_variants(rng):
        place(PHONE_NUMBER, "number", form, written)
    for form, written in _postcode_variants(rng):
        place(POSTCODE, "postcode", form, written)
    for _ in range(3):
        for form, written in _email_variants(rng):
            place(EMAIL, "email", form, written)
    for cue in _DOB_CUES:
        for _ in range(3):
            for form, date in _dob_dates(rng):
                before = f"Patient ({cue} "
                text = f"{before}{date}) fell on the ward."
                out.append(Variant(DATE_OF_BIRTH, f"{form} after {cue!r}", text, len(before), len(before) + len(date)))
    return out


# Ordinary clinical text full of numbers, dates, times, codes and "at": none is an identifier.
_CLINICAL = (
    "gave {n} units of insulin at {h}:{m}0 on {d}/{mo}/2024 instead of {n2}",
    "BP {s}/{dia}, HR {hr}, sats {sat}% on {l}L, NEWS2 {news} at {h}:{m}5",
    "on {d}/{mo}/2024 the patient fell in bay {bay}{bed}, bed {bed}, seen at {h}pm by the FY{fy}",
    "INR {inr}.{m} on {d}.{mo}.2024, warfarin {n}mg held, recheck {d2}/{mo}/24",
    "admitted {d} March 2024 and discharged March {d2} 2024 from ward {ward}",
    "ref {ref} logged at {h}:{m}0, datix {ref2}, {n} tablets of {mg}mg",
    "obs at {h}:00 and {h2}:00, fluid balance +{ml} ml, urine {ml2} ml",
    "B12 {n}mg IM at {h}:{m}0, HbA1c {hba} mmol/mol, eGFR {gfr}",
    "the nurse was at home. Then the ward called at {h}:{m}0 about bed {bed}",
    "met at clinic dot matrix printer broke, {n} labels lost, room {ward}",
    "born at {wk} weeks, weighed {g} g, apgar {ap} at 5 minutes",
    "DOB not recorded, seen {d}/{mo}/2024 at {h}:{m}0 in room {ward}",
    "syringe driver ran {ml} ml over {n} hours instead of {n2} hours, rate {rate} ml/h",
    "count 1 2 3 4 5 6 7 8 9 10 swabs, {n} needles, {n2} blades, all correct",
    "lot number {lot}, expiry {mo}/2026, batch {ref}",
)


def clinical_texts(seed: int = 16, per_template: int = 40) -> list[str]:
    """Ordinary clinical sentences with numbers in every common shape, and no identifier."""
    rng = random.Random(seed)
    texts = []
    for template in _CLINICAL:
        for _ in range(per_template):
            r = rng.randint
            texts.append(
                template.format(
                    n=r(1, 50), n2=r(1, 50), h=r(0, 23), h2=r(0, 23), m=r(0, 5), d=r(1, 28), d2=r(1, 28),
                    mo=f"{r(1, 12):02d}", s=r(80, 180), dia=r(40, 110), hr=r(40, 160), sat=r(85, 100),
                    l=r(1, 15), news=r(0, 12), bay=rng.choice("ABCD"), bed=r(1, 30), fy=r(1, 2),
                    inr=r(1, 5), ward=r(1, 40), ref=r(10000, 99999999), ref2=r(100000, 999999),
                    mg=rng.choice((5, 10, 20, 40, 500)), ml=r(10, 3000), ml2=r(10, 3000),
                    hba=r(30, 110), gfr=r(10, 90), wk=r(24, 41), g=r(500, 4500), ap=r(1, 10),
                    rate=r(1, 200), lot=f"{rng.choice('ABCDEFGH')}{r(1000, 99999)}",
                )
            )  # fmt: skip
    return texts
