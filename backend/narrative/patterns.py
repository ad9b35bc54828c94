"""Entity-ruler patterns generated from the lexicon entries, and the id that travels with each match.

A phrase can imply several fields ("ward": a service area and a hospital location), so the pattern id
carries every (field, code, confidence) it implies; the analysis decodes it from the entity. Phrases
match ignoring case; acronyms that are ordinary words in lower case ("ED") match only as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from spacy.language import Language
from spacy.pipeline import EntityRuler

from backend.narrative.lexicon import LABEL_ORDER, Entry, Lexicon

IGNORE = "IGNORE"  # label of phrases that only shadow shorter ones ("blood pressure")
NUMBER_AFTER = {"TEXT": {"REGEX": r"^\d{1,3}[A-Za-z]?$"}}  # "ward 7", "theatre 3B"


@dataclass(frozen=True)
class Implied:
    field: str
    code: str
    confidence: float


def encode_id(implied: list[Implied]) -> str:
    return ";".join(f"{i.field}={i.code}@{i.confidence:.2f}" for i in implied)


def decode_id(ent_id: str) -> list[Implied]:
    out = []
    for part in filter(None, ent_id.split(";")):
        field, _, rest = part.partition("=")
        code, _, conf = rest.rpartition("@")
        out.append(Implied(field, code, float(conf)))
    return out


def _merge(entries: tuple[Entry, ...], case_sensitive: frozenset[str]) -> dict[str, tuple[str, list[Implied], str]]:
    """Phrase (lower case, or as written if matched only so) -> (label, implied codes, phrase as written).
    A case-sensitive acronym stays apart from the word it spells ("ICE" the results system, "ice" outside)."""
    merged: dict[str, tuple[str, dict[tuple[str, str], float], str]] = {}
    for e in entries:
        key = e.phrase if e.phrase in case_sensitive else e.phrase.lower()
        label, implied, written = merged.get(key, (e.label, {}, e.phrase))
        if _rank(e.label) < _rank(label):
            label = e.label
        for field, code in e.implies:
            implied[(field, code)] = max(implied.get((field, code), 0.0), e.confidence)
        merged[key] = (label, implied, written)
    return {
        key: (label, [Implied(f, c, conf) for (f, c), conf in implied.items()], written)
        for key, (label, implied, written) in merged.items()
    }


def _rank(label: str) -> int:
    return LABEL_ORDER.index(label) if label in LABEL_ORDER else len(LABEL_ORDER)


def build_patterns(nlp: Language, lexicon: Lexicon) -> list[dict]:
    def tokens(phrase: str) -> list[str]:
        return [t.text for t in nlp.make_doc(phrase)]

    numbered = {p.lower() for p in lexicon.numbered}
    acronyms = {p.lower(): p for p in lexicon.case_sensitive}
    patterns: list[dict] = []
    for key, (label, implied, written) in sorted(_merge(lexicon.entries, lexicon.case_sensitive).items()):
        pid = encode_id(implied)
        if written in lexicon.case_sensitive:
            patterns.append({"label": label, "id": pid, "pattern": [{"ORTH": t} for t in tokens(written)]})
        elif key in acronyms:  # the word, but not the acronym spelt the same ("ice" outside, not "ICE")
            patterns.append({"label": label, "id": pid,
                             "pattern": [{"LOWER": key, "ORTH": {"NOT_IN": [acronyms[key]]}}]})
        else:
            patterns.append({"label": label, "id": pid, "pattern": written})
        if key.lower() in numbered:
            toks = [{"LOWER": t.lower()} for t in tokens(written)]
            patterns.append({"label": label, "id": pid, "pattern": [*toks, NUMBER_AFTER]})
    patterns += [{"label": IGNORE, "id": "", "pattern": p} for p in lexicon.ignore]
    return patterns


def add_entity_ruler(nlp: Language, lexicon: Lexicon) -> None:
    ruler = cast(EntityRuler, nlp.add_pipe(
        "entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True, "validate": True}
    ))
    ruler.add_patterns(build_patterns(nlp, lexicon))
