"""Named organisations in a narrative matched to ODS codes ("Beacon surgery" -> G81019) with rapidfuzz.

Only spans that look like names are tried, so ordinary words never become organisations: quoted text,
runs of two or more capitalised words, and words just before a kind of organisation ("beacon surgery",
"st mary's hospital") typed in any case. Each span keeps its top candidates with scores, for the
reporter to confirm or choose from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from backend.narrative.dates import Span
from backend.taxonomy import Taxonomy

KINDS = (
    r"surgery|practice|medical practice|medical centre|medical center|health centre|medical group|hospital|"
    r"pharmacy|chemists?|nhs trust|trust|clinic|hospice|health centre ooh"
)
_CUE = re.compile(rf"\b(?:{KINDS})\b", re.I)
_QUOTED = re.compile(r"\"([^\"\n]{3,80})\"|“([^”\n]{3,80})”")
_NAME_WORD = r"[A-Z][\w'’&-]*"
_CAPITALISED = re.compile(rf"\b(?:St\.?|{_NAME_WORD})(?:\s+(?:of|and|&|on|upon|{_NAME_WORD}))*\s+{_NAME_WORD}")
_WORD = re.compile(r"[\w'’&.-]+")

# Words that are not part of a name before a kind of organisation ("the GP surgery", "hip surgery").
NOT_NAMES = frozenset(
    """a an the at to in on of by from for with and or my our your his her their its this that local same
    other another new old nearest usual gp gps doctor doctor's doctors dentist's community general day
    emergency minor major routine elective dental children's maternity private main cancer eye hip knee
    heart back spinal bowel cataract his/her mum's dad's mother's father's son's daughter's wife's
    husband's partner's nan's gran's patient's patients' was were is are had has have went go going
    after before during needed need needs having good great best bad poor excellent brilliant amazing
    fantastic lovely wonderful safe unsafe clinical own busy whole entire small big nursing""".split()
)
# Capitalised words that start sentences or name days, not organisations.
NOT_NAME_STARTS = frozenset(
    """i i'm i've the a an my our his her their this that yesterday today tonight last on at in when
    then after before during patient nurse doctor dr mr mrs ms miss staff we they he she it monday
    tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december please hello hi dear""".split()
)
# Kinds of organisation by family: a hospital named in the text is not matched to a surgery of that name.
FAMILIES = {
    "gp": ("surgery", "practice", "medical", "centre", "center", "ctr", "group", "family"),
    "pharmacy": ("pharmacy", "chemist", "chemists"),
    "hospital": ("hospital", "trust", "foundation"),
    "hospice": ("hospice",),
    "clinic": ("clinic",),
}
_FAMILY_OF = {word: family for family, words in FAMILIES.items() for word in words}
# Words that say what kind an organisation is, not which one: names are compared without them.
FILLER = frozenset(_FAMILY_OF) | {
    "health", "nhs", "the", "ltd", "limited", "and", "healthcare", "partners", "partnership", "uk",
}
CORE_CUTOFF = {"quoted": 85.0, "kind": 85.0, "capitalised": 90.0}
MIN_SCORE = 80.0
TOP = 5


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    score: float


@dataclass(frozen=True)
class OrgMatch:
    span: Span
    candidates: tuple[Candidate, ...]  # best first


@dataclass(frozen=True)
class _Names:
    full: list[str]  # normalised ODS names
    core: list[str]  # the same without kind and filler words
    family: list[str | None]
    entries: list[tuple[str, str]]  # (code, name as listed)


_prepared: dict[int, tuple[object, _Names]] = {}


def _core(name: str) -> str:
    return " ".join(w for w in name.split() if w not in FILLER)


def _family(name: str) -> str | None:
    return next((_FAMILY_OF[w] for w in reversed(name.split()) if w in _FAMILY_OF), None)


def _names(tax: Taxonomy) -> _Names:
    """The ODS names normalised once per code list (16,000 names; matching then takes milliseconds)."""
    system = tax.code_system("ods-codes-5")
    cached = _prepared.get(id(system))
    if cached is None or cached[0] is not system:
        full = [utils.default_process(c.display) for c in system.codes]
        entries = [(c.code, c.display) for c in system.codes]
        names = _Names(full, [_core(n) for n in full], [_family(n) for n in full], entries)
        cached = _prepared[id(system)] = (system, names)
    return cached[1]


def _name_before(text: str, cue: re.Match) -> tuple[int, int] | None:
    words = list(_WORD.finditer(text[: cue.start()]))[-4:]
    start = None
    for w in reversed(words):
        gap = text[w.end() : start if start is not None else cue.start()]
        if w.group(0).lower() in NOT_NAMES or w.group(0).isdigit() or not gap.isspace() and gap != "":
            break
        start = w.start()
    return (start, cue.end()) if start is not None else None


def _trim_start(text: str, start: int, end: int) -> int:
    for w in _WORD.finditer(text, start, end):
        if w.group(0).lower().rstrip(".,") not in NOT_NAME_STARTS:
            return w.start()
    return end


_MID_SENTENCE_CAPITAL = re.compile(r"(?<![.!?]\s)(?<!^)\b(?!I\b)[A-Z]")


def candidate_spans(text: str) -> list[tuple[int, int, str]]:
    # A writer who capitalises names elsewhere would have capitalised this one: "excellent practice" is
    # not a name then. In all-lower-case messages (common in chat) any words before a kind are tried.
    capitalises = _MID_SENTENCE_CAPITAL.search(text.strip()) is not None
    spans: list[tuple[int, int, str]] = []
    for m in _QUOTED.finditer(text):
        group = 1 if m.group(1) is not None else 2
        spans.append((m.start(group), m.end(group), "quoted"))
    for m in _CUE.finditer(text):
        found = _name_before(text, m)
        start = _trim_start(text, *found) if found else m.start()
        if start < m.start() and (not capitalises or text[start].isupper()):
            spans.append((start, m.end(), "kind"))
    for m in _CAPITALISED.finditer(text):
        start = _trim_start(text, m.start(), m.end())
        if len(text[start : m.end()].split()) >= 2:
            spans.append((start, m.end(), "capitalised"))
    return spans


def _spelt(query: str) -> str:
    """The reporter's words with misspelt kind words corrected ("surgey" -> "surgery")."""
    def fix(word: str) -> str:
        if len(word) < 5 or word in _FAMILY_OF:
            return word
        best = process.extractOne(word, _FAMILY_OF.keys(), scorer=fuzz.ratio, score_cutoff=85)
        return best[0] if best else word

    return " ".join(fix(w) for w in query.split())


def _candidates(query: str, why: str, names: _Names) -> tuple[Candidate, ...]:
    """Match the distinctive part of the name (typos allowed), then rank by the whole name."""
    query = _spelt(query)
    core, family = _core(query), _family(query)
    if len(core) < 3:
        return ()
    hits = process.extract(core, names.core, scorer=fuzz.ratio, processor=None, limit=50, score_cutoff=CORE_CUTOFF[why])
    ranked = []
    for _, core_score, i in hits:
        if family and names.family[i] and names.family[i] != family:
            continue
        score = 0.7 * core_score + 0.3 * fuzz.token_sort_ratio(query, names.full[i])
        if score >= MIN_SCORE:
            ranked.append(Candidate(names.entries[i][0], names.entries[i][1], round(score, 1)))
    return tuple(sorted(ranked, key=lambda c: -c.score)[:TOP])


def match_organisations(text: str, tax: Taxonomy, blocked: list[tuple[int, int]]) -> list[OrgMatch]:
    names = _names(tax)
    matches: list[OrgMatch] = []
    taken: list[tuple[int, int]] = []
    # Longer spans first, so "Beacon Surgery" found by its kind is not tried again as a capitalised run.
    for start, end, why in sorted(candidate_spans(text), key=lambda s: (s[0] - s[1], s[0])):
        if any(start < e and s < end for s, e in blocked + taken):
            continue
        candidates = _candidates(utils.default_process(text[start:end]), why, names)
        if candidates:
            matches.append(OrgMatch(Span(start, end, text[start:end]), candidates))
            taken.append((start, end))
    return sorted(matches, key=lambda m: m.span.start)
