"""Physical harm as stated in the narrative: cues per LFPSE level, with negation and hypotheticals.

A cue counts only where it is said to have happened: not after a negation in the same clause ("did not
need surgery", "nobody was hurt" is itself a no-harm cue) and not hypothetical ("could have died",
"nearly lost his sight", "risk of death"). Of the cues that stand, the most severe wins: "needed
glucose, fine now" is low harm, "no harm done" alone is none. The lexicon's harm phrases (data) are
cues too; the patterns here are the ones a phrase list cannot say. Levels follow the LFPSE guidance in
the plan: low = minor treatment or extra observation; moderate = more treatment (return to theatre,
ICU, readmission); severe = permanent harm; fatal = death.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from backend.narrative.dates import Span
from backend.narrative.lexicon import get_lexicon

NONE, LOW, MODERATE, SEVERE, FATAL = "5", "4", "3", "2", "1"
_UNIT = r"(?:icu|itu|hdu|picu|nicu|nnu|scbu|intensive care|high dependency|special care|critical care|resus)"

_PATTERNS: dict[str, tuple[str, ...]] = {
    FATAL: (
        r"\b(?:has |had |then |later |sadly |and |she |he |they )?died\b", r"passed away", r"\bdeath\b",
        r"did not survive|didn'?t survive|rosc not achieved|resuscitation (?:was )?unsuccessful|pronounced dead",
        r"\biud\b|stillb(?:orn|irth)|lost (?:the|her|their|our) baby", r"\bfatal\b",
    ),
    SEVERE: (
        r"lost (?:some |the |all |her |his |their |my )?(?:sight|vision|hearing)(?! aids?)",
        r"\bblind(?:ed|ness)?\b|brain (?:damage|injury)|\bhie\b|paralys|amputat|life[- ]changing|permanent(?:ly)?",
        r"(?:can'?t|cannot|can not|will never) walk|(?:testis|testicle|kidney|eye|limb) (?:was )?lost",
        r"\b(?:broke|broken|fractured?) (?:her |his |their |my |a )?wrist\b", r"for good\b", r"severe harm",
    ),
    MODERATE: (
        rf"(?:admitted|transferred|moved|went|taken|sent|ended up|straight|back) (?:\w+ ){{0,2}}(?:to|in|on|into) (?:the )?{_UNIT}",
        rf"(?:had to go|go|gone|going|went) (?:to|into) (?:the )?{_UNIT}",
        rf"\bnow (?:in|on) (?:the )?{_UNIT}", rf"\b{_UNIT} (?:admission|for monitoring)",
        r"(?:back|return(?:ed)?|went back|taken back) (?:to|into) theatre", r"revision (?:surgery|operation)",
        r"need(?:ed|ing|s)? (?:an? )?(?:surgery|operation|intubation|transfusion|skin graft|ir retrieval|manual removal)",
        r"\bintubat|\breintubat|\btransfused\b|had (?:a |to have a )?transfusion|needed \d+ units",
        r"(?:was|were|been|got|be|and|then|later|i was|he was|she was|now|being) (?:re-?)?admitted\b",
        r"admitted (?:overnight|for monitoring|to hospital)|re-?admitted|re-?presented|had to go back (?:in|into)",
        r"(?:needed|had to have|required|needing) (?:\w+ )?adrenaline|(?:had|needed|now had|listed for) (?:\w+ )?(?:surgery|operation)",
        r"(?:surgery|an operation|operated on) (?:the same day|that (?:night|day)|the next day)",
        r"(?:repaired|taken|rushed) (?:in|to) theatre",
        rf"(?:was|were|been|is|spent \\w+ \\w+) (?:in|on) (?:the )?{_UNIT}",
        r"broke (?:her|his|their) hip|broken hip|fractured? (?:neck of femur|nof|hip)|\bnof\b",
        r"(?:grade|cat(?:egory)?) [34]\b", r"moderate harm|significant harm|longer stay|extended stay",
        r"(?:got|developed|has|had|now has|now on \w+ with|with) (?:a |an )?(?:pneumonia|toxicity|aki|mi|heart attack|stroke|\w+ fracture)\b",
        r"necrotising|extravasation injury",
    ),
    LOW: (
        r"mild reaction|\bmild\b|minor (?:harm|injury|treatment)|low harm",
        r"treated with|(?:given|gave (?:him|her|them)?|needed|with) (?:\w+ )?(?:glucose|glucogel|lucozade|naloxone|antihistamines?"
        r"|vit(?:amin)? k|antidote|chlorphenamine|hydrocortisone|epipen|toast|steristrips|stitches|a dressing|oral antibiotics)",
        r"(?:glucose|naloxone|antihistamines?|vit(?:amin)? k|epipen|adrenaline|atropine) (?:was )?given",
        r"bruis|graze|skin tear|haematoma|cut (?:to|on)\b|burn[st]?\b|blister(?!\s*packs?)|rash|urticaria|swell|swollen",
        r"pressure (?:mark|sore)",
        r"(?:grade|cat(?:egory)?) [12]\b", r"obs (?:increased|every)|extra obs|monitored (?:closely|overnight|for)",
        r"closer monitoring|needed monitoring|oversedated|drowsy|withdrawal symptoms|water infection|infected|infection",
        r"fever|shak(?:y|ing)|vomit|\bsick\b|went (?:all )?red|in agony|sore\b|desaturated",
        r"recovered|settled|(?:it|rash|swelling) went down|bg \d|bm \d",
    ),
    NONE: (
        r"no (?:obvious |apparent |physical |lasting )?harm|no harm (?:done|came)|nothing came of it|not hurt|unharmed",
        r"(?:nobody|no one|no-one) (?:was )?(?:hurt|harmed|injured)|no injur(?:y|ies)|no bleed(?:ing)?|no ill effects?",
        r"no (?:adverse )?(?:effects?|reaction)|no (?:arrhythmia|aspiration|complications|falls?|doses? taken)",
        r"(?:is|was|he'?s|she'?s|hes|shes|they'?re|all) (?:fine|ok|okay|well) now|\bok now|fine now|near miss",
        r"not (?:given|dispensed|administered|taken)|never reached|did(?:n'?t| not) (?:give|take) (?:any|it)",
        r"before (?:\w+ ){0,3}(?:was |were )?(?:given|handed|administered|harm|taken|acted on|reached|used)",
        r"caught in time|skin intact|before any harm|full recovery|picked up before",
    ),
}

_NEGATOR = re.compile(
    r"\b(?:no|not|never|without|nobody|didn'?t|did not|wasn'?t|was not|isn'?t|could|might|may|would|nearly|almost"
    r"|risk of|in case|if|potential(?:ly)?|worried|scared|avoid(?:ed)?|prevent(?:ed)?|unless|whether)\b",
    re.I,
)
_CLAUSE = re.compile(r"[.;!?,]|\bbut\b|\band\b|\bthen\b|\bso\b", re.I)
LOOK_BACK = 40  # characters of the same clause before a cue
SEVERITY = (FATAL, SEVERE, MODERATE, LOW, NONE)


@dataclass(frozen=True)
class HarmFound:
    value: str
    confidence: float
    spans: list[tuple[Span, str]]


@lru_cache
def _compiled() -> tuple[tuple[str, re.Pattern], ...]:
    out = []
    for code in SEVERITY:
        phrases = [re.escape(p) for p in get_lexicon().raw["harm"].get(code, [])]
        alternatives = [*(rf"\b(?:{p})" for p in _PATTERNS[code]), *(rf"\b{p}\b" for p in phrases)]
        out.append((code, re.compile("|".join(alternatives), re.I)))
    return tuple(out)


def _stands(text: str, start: int) -> bool:
    before = text[max(0, start - LOOK_BACK) : start]
    clause = _CLAUSE.split(before)[-1]
    return not _NEGATOR.search(clause)


def find_harm(text: str, blocked: list[tuple[int, int]]) -> HarmFound | None:
    found: list[tuple[str, Span]] = []
    taken: list[tuple[int, int]] = list(blocked)
    for code, regex in _compiled():  # the most severe reading of any stretch of text first
        for m in regex.finditer(text):
            if m.end() == m.start() or any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if code != NONE and not _stands(text, m.start()):
                continue
            found.append((code, Span(m.start(), m.end(), m.group(0))))
            taken.append(m.span())
    if not found:
        return None
    harmed = [f for f in found if f[0] != NONE]
    value = min((f[0] for f in harmed or found), key=SEVERITY.index)
    spans = sorted(((span, code) for code, span in found if code == value), key=lambda s: s[0].start)
    confidence = 0.8 if len({c for c, _ in found}) == 1 else 0.6  # mixed cues: the reporter confirms
    return HarmFound(value, confidence, spans)


# The patient said to be well again, with no word of distress: no psychological harm, for the reporter to
# confirm (LFPSE asks both kinds of harm; "fine now" answers both).
_WELL_AGAIN = re.compile(r"\b(?:(?:is|was|he'?s|she'?s|they'?re|all) (?:fine|ok|okay|well) now|fine now|ok now"
                         r"|back to (?:normal|(?:her|his|their) usual self)|full recovery|fully recovered"
                         r"|none the worse)\b", re.I)
_DISTRESS = re.compile(r"\b(?:upset|distress\w*|anxious|anxiety|scared|frightened|afraid|traumati\w*|crying|in tears"
                       r"|shaken|panic\w*|angry|worried|nightmares?|depress\w*)\b", re.I)


def find_psychological_harm(text: str, blocked: list[tuple[int, int]]) -> HarmFound | None:
    """No psychological harm where the narrative says the patient is well again and nothing of distress."""
    if _DISTRESS.search(text):
        return None
    for m in _WELL_AGAIN.finditer(text):
        if any(m.start() < end and start < m.end() for start, end in blocked):
            continue
        span = Span(m.start(), m.end(), m.group(0))
        return HarmFound("4", 0.6, [(span, "4")])
    return None
