"""The lexicon (data/lexicon.yaml) read into phrase entries: each phrase with the plan fields and codes it
implies. Phrases from the taxonomy's own labels are added here too, so the pipeline and the checks see
one list. Kept free of spaCy so the taxonomy check runs without building anything."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from backend.narrative.medicine_names import dictionary_names
from backend.taxonomy import Taxonomy, get_taxonomy

DATA_DIR = Path(__file__).resolve().parent / "data"
LEXICON_PATH = DATA_DIR / "lexicon.yaml"

# Lexicon section -> (plan field, code system, entity label). Agents carry their label per code.
SECTIONS: dict[str, tuple[str, str, str | None]] = {
    "agents": ("InvolvedAgents", "agent-type-5", None),
    "service_areas": ("ServiceArea", "service-type-5", "SERVICE_AREA"),
    "locations": ("LocationWithinService", "incident-location-5", "LOCATION"),
    "harm": ("PhysicalHarm", "level-of-physical-harm-5", "HARM_CUE"),
    "shifts": ("EstimatedTime", "time-of-incident-brackets-5", "SHIFT"),
}
# Where one phrase implies several fields ("ward": a service area and a location), the entity takes the
# label that comes first here.
LABEL_ORDER = ("HARM_CUE", "SHIFT", "MEDICINE", "SERVICE_AREA", "LOCATION")
DRUG_FIELD = "DrugsInvolved"
AS_TYPED = "*"  # in DrugsInvolved: the value is the text as the reporter typed it

STRONG, TAXONOMY_LABEL, WEAK = 0.9, 0.75, 0.55  # confidence by where a phrase came from


@dataclass(frozen=True)
class Entry:
    phrase: str
    label: str
    implies: tuple[tuple[str, str], ...]  # (plan field, code); DrugsInvolved takes AS_TYPED
    confidence: float
    source: str  # "lexicon", "dictionary" (medicine_names.py) or the taxonomy list it came from


@dataclass(frozen=True)
class Lexicon:
    raw: dict[str, Any]
    entries: tuple[Entry, ...]
    ignore: tuple[str, ...]
    numbered: tuple[str, ...]
    case_sensitive: frozenset[str]

    def codes_by_system(self) -> dict[str, set[str]]:
        """Every code the lexicon file names, per code system (for the taxonomy check)."""
        out: dict[str, set[str]] = {"agent-type-5": {str(self.raw["medicines"]["agent"])}}
        for section, (_, system, _) in SECTIONS.items():
            out.setdefault(system, set()).update(str(code) for code in self.raw[section])
        for spec in self.raw["taxonomy_labels"].values():
            if "code" in spec:
                out.setdefault(SECTIONS[spec["section"]][1], set()).add(str(spec["code"]))
        return out


def _phrases(body: Any) -> list[str]:
    return [str(p) for p in (body["phrases"] if isinstance(body, dict) else body)]


def _label(section: str, body: Any) -> str:
    return SECTIONS[section][2] or str(body["label"])


def _lexicon_entries(raw: dict[str, Any], weak: set[str]) -> list[Entry]:
    def conf(phrase: str) -> float:
        return WEAK if phrase.lower() in weak else STRONG

    agent = str(raw["medicines"]["agent"])
    medicine = (("InvolvedAgents", agent), (DRUG_FIELD, AS_TYPED))
    out = [Entry(str(name), "MEDICINE", medicine, conf(str(name)), "lexicon") for name in raw["medicines"]["names"]]
    listed = {e.phrase.lower() for e in out}
    stop = frozenset(str(w).lower() for w in raw.get("medicine_name_stopwords", ()))
    out += [Entry(name, "MEDICINE", medicine, STRONG, "dictionary")
            for name in dictionary_names(stop) if name not in listed]
    for section, (field, _, _) in SECTIONS.items():
        for code, body in raw[section].items():
            label = _label(section, body)
            out += [Entry(p, label, ((field, str(code)),), conf(p), "lexicon") for p in _phrases(body)]
    return out


# Taxonomy labels are long ("Infusion pumps, syringe pumps and syringe drivers"): split them into the
# pieces a reporter would type, and add a naive singular so "infusion pump" matches too.
_CUT_AFTER = re.compile(r"\s*(?:\be\.g\.|\(excluding\b).*$", re.I)
_SPLIT = re.compile(r",|\(|\)|/|\s-\s|\bincluding\b|\band\b|\bor\b|\bfor\b", re.I)
_TRIM = re.compile(r"^(?:other|without|the)\s+|\s+etc$", re.I)


def _singular(phrase: str) -> str | None:
    head, _, last = phrase.rpartition(" ")
    for plural, single in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("s", "")):
        if last.endswith(plural) and not last.endswith("ss") and len(last) > len(plural) + 2:
            return f"{head} {last[: -len(plural)] + single}".strip()
    return None


def label_pieces(display: str, stopwords: set[str]) -> list[str]:
    pieces: list[str] = []
    if display.lower() in stopwords:
        return pieces
    for part in _SPLIT.split(_CUT_AFTER.sub("", display)):
        piece = _TRIM.sub("", " ".join(part.split()).strip(" .'"))
        if len(piece) < 3 or piece.lower() in stopwords:
            continue
        for variant in (piece, _singular(piece)):
            if variant and variant.lower() not in stopwords and variant not in pieces:
                pieces.append(variant)
    return pieces


def _taxonomy_entries(raw: dict[str, Any], tax: Taxonomy) -> list[Entry]:
    stop = {str(s).lower() for s in raw["label_stopwords"]}
    found: dict[tuple[str, str], set[str]] = {}  # (phrase, field) -> codes, to drop ambiguous pieces
    origin: dict[tuple[str, str], tuple[str, str]] = {}  # -> (label, code system)
    for system, spec in raw["taxonomy_labels"].items():
        section = spec["section"]
        field = SECTIONS[section][0]
        for c in tax.code_system(system).codes:
            code = str(spec.get("code", c.code))
            body = raw[section].get(code)
            if body is None and section == "agents":
                continue  # an agent the lexicon gives no entity label to
            label = _label(section, body) if body is not None else SECTIONS[section][2]
            assert label is not None  # only agents have no section label, and those without a body were skipped
            for piece in label_pieces(c.display, stop):
                key = (piece.lower(), field)
                found.setdefault(key, set()).add(code)
                origin.setdefault(key, (label, system))
    out = []
    for (phrase, field), codes in found.items():
        if len(codes) == 1:
            label, system = origin[(phrase, field)]
            out.append(Entry(phrase, label, ((field, codes.pop()),), TAXONOMY_LABEL, system))
    return out


def load_lexicon(path: Path = LEXICON_PATH, tax: Taxonomy | None = None) -> Lexicon:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    tax = tax or get_taxonomy()
    weak = {str(w).lower() for w in raw["weak"]}
    entries = _lexicon_entries(raw, weak)
    typed = {(e.phrase.lower(), f) for e in entries for f, _ in e.implies}
    # The lexicon's own phrases win over a taxonomy piece for the same field.
    entries += [e for e in _taxonomy_entries(raw, tax) if (e.phrase.lower(), e.implies[0][0]) not in typed]
    return Lexicon(
        raw, tuple(entries), tuple(str(p) for p in raw["ignore"]), tuple(str(p) for p in raw["numbered"]),
        frozenset(str(p) for p in raw["case_sensitive"]),
    )


@lru_cache
def get_lexicon() -> Lexicon:
    return load_lexicon()
