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

from backend.narrative.lexicon import get_lexicon
from backend.narrative.spans import Span, overlaps

NONE, LOW, MODERATE, SEVERE, FATAL = "5", "4", "3", "2", "1"
_UNIT = r"(?:icu|itu|hdu|picu|nicu|nnu|scbu|ccu|intensive care|high dependency|special care|critical care|coronary care|resus)"

_PATTERNS: dict[str, tuple[str, ...]] = {
    FATAL: (
        r"\b(?:has |had |then |later |sadly |and |she |he |they )?died\b",
        r"took (?:his|her|their) (?:own )?life|killed (?:him|her|them)sel(?:f|ves)|resus(?:citation)? (?:was )?unsuccessful", r"passed away", r"\bdeath\b",
        r"did not survive|didn'?t survive|rosc not achieved|resuscitation (?:was )?unsuccessful|pronounced dead",
        r"\biud\b|stillb(?:orn|irth)|lost (?:the|her|their|our) baby", r"\bfatal\b",
        r"found (?:deceased|dead)|\bdeceased\b|born sleeping|(?:when|after) (?:she|he|they) passed\b(?! (?:out|urine|stools?|blood|through|a\b|the\b))|passed (?:on|peacefully)\b(?! (?:to|the|a|it|this|that|her|his|their|info\w*|message))",
        r"(?:could not|couldn'?t|unable to) (?:revive|resuscitate|save) (?:him|her|them|the \w+)",
    ),
    SEVERE: (
        r"lost (?:some |most |all |part |further |more )?(?:of )?(?:the |her |his |their |my )?(?:central |peripheral |visual )?(?:sight|vision|hearing|field)(?! aids?)",
        r"field loss|hysterectomy|hemiplegi|(?:not able|unable) to walk|went blind|blind in (?:one|her|his|my|the) eye|permanent (?:hearing loss|weakness|numbness|scarring)",
        r"(?:can'?t|cannot|can not|unable to) (?:speak|talk|see)\b",
        r"\bblind(?:ed|ness)?\b|brain (?:damage|injury)|\bhie\b|paralys|amputat|life[- ]changing|permanent(?:ly)?",
        r"(?:can'?t|cannot|can not|will never) walk|(?:testis|testicle|kidney|eye|limb) (?:was )?lost",
        r"\b(?:broke|broken|fractured?) (?:her |his |their |my |a )?wrist\b", r"for good\b", r"severe harm",
        r"(?:saved|kept|got back) (?:most|some|part) of (?:the |her |his |their |my )?(?:sight|vision) but not all",
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
        r"broke (?:her |his |their |my |the )?(?:other |left |right )?hip|broken hip|fractured? (?:neck of femur|nof|hip)|\bnof\b",
        rf"(?:he'?s|she'?s|hes|shes|they'?re|is|are) (?:now |still )?(?:in|on) (?:the )?{_UNIT}",
        r"(?:now |then |later |and )admitted with|developed (?:a |an )?(?:pe|dvt|clot|sepsis|c ?diff)\b",
        r"(?:grade|cat(?:egory)?) [34]\b", r"moderate harm|significant harm|longer stay|extended stay",
        r"(?:got|developed|has|had|now has|now on \w+ with|with) (?:a |an )?(?:pneumonia|toxicity|aki|mi|heart attack|stroke|\w+ fracture)\b",
        r"necrotising|extravasation injury",
        # clinical outcomes that need more treatment, as staff write them
        r"septic shock|lactic acidosis|rhabdo\w*|aspiration pneumonia|perforat\w*|non[- ]?union|\bpph\b"
        r"|post ?partum haemorrhage|nerve (?:damage|injury|palsy)|brachial plexus|kidney injury|\bdvt\b"
        r"|pulmonary embol\w*|\bpe\b (?:confirmed|diagnosed)|cardiac arrest|\barrested\b|\bnec\b",
        r"(?:need(?:s|ed|ing)?|now needs?|required?|requiring|had to have|listed for|waiting for) (?:an? |another |further "
        r"|more |two more |emergency |corrective )?(?:\w+ ){0,2}?(?:surgery|operations?|laparotomy|stoma|root canal|skin graft"
        r"|revision|exchange|repair|(?:dental )?implant)\b(?! (?:date|list|slot|booking))",  # "needs a lens exchange operation"
        r"(?:another|further|more|corrective|emergency) (?:operations?|surgery|procedures?)",
        r"(?:removed|retrieved) (?:by|in|under|at) (?:ir|interventional|theatre|radiology|endoscopy|surgery)",
        r"repaired (?:the same day|same day|in theatre|surgically)|\blaparotomy\b",
        r"(?:needed|required|transfused|given) (?:a |an |\d+ |one |two |three |four |five )(?:units? of (?:blood|red cells)"
        r"|units?\b(?! of)|bags? of blood|blood transfusion)",
        r"(?:needed|needing|now on|started on|required|for) (?:iv|intravenous) (?:antibiotics|abx)",
        rf"(?:an?|needed|required|needing) {_UNIT} bed\b|\bcooled\b",
        r"[,.;]\s*(?:and |then |now |later )?(?:re-?)?admitted\b|admitted to (?:the )?(?:general |acute |medical )?(?:hospital|ward)",
        r"(?:ended up|now|is now|and now|and|still) in (?:the )?hospital\b|back in (?:hospital|for)\b|discharged (?:the )?next day",
        r"transferred to (?:the )?(?:neurosurg\w*|medical ward|another hospital|tertiary|specialist)",
        r"fasciotomy|washout|exchange transfusion|refeeding syndrome|eclamp\w*|compartment syndrome|pneumonia\b",
        r"(?:head|brain|intracranial|subdural) (?:bleed|haemorrhage)|bleed (?:found|on (?:the )?ct)|second stroke",
        r"vision (?:has |had )?(?:dropped|reduced|deteriorated|worsened|got worse)",
        r"\b(?:broke|broken|fractured?) (?:her |his |their |my |a |the )?(?:arm|leg|ankle|femur|ribs?|collar ?bone"
        r"|shoulder|elbow|pelvis|jaw|nose|humerus|tibia|hip)\b",
        r"(?:needing|needed|requiring|required|with) (?:a )?chest drain|to (?:the )?cath(?:eter)? lab\b"
        r"|(?:taken|transferred|rushed|blue[- ]lighted) (?:out )?to hospital|\bback in (?:now|again)\b",
        r"admission arranged|(?:has|have) been (?:re-?)?admitted\b|\b(?:\d+|two|three|four|five|several) (?:of them |residents |patients )?(?:were |have been |now )?(?:re-?)?admitted\b",
        # more care named by what was done or what followed: a stent, a dislocation, AKI, a transfer back
        r"(?:had|needed|needing|needs|required) (?:a |an )?stents?\b|\bstented\b|\bdislocat\w*|\baki\b|acute kidney injury",
        r"transferred back\b|sent back (?:in|to (?:the )?hospital)",
        # more care said plainly: "hes in hospital with a clot", "sent out to hospital", "now needs fixation"
        r"\b(?:he'?s|she'?s|hes|shes|they'?re|is) (?:now |still )?in (?:the )?hospital\b|sent (?:out |in )?to hospital\b",
        r"\b(?:now )?needs? (?:an? )?(?:fixation|operation|op\b|removal)|having (?:it|them) removed|had a shunt|\bdka\b",
        # more care: a move to a unit or another hospital, theatre, a procedure needed again
        rf"(?:transfer|transferred|admission|stay|moved|move|\bto) (?:to |in |on )?(?:the )?{_UNIT}\b",
        rf"\b{_UNIT} (?:transfer|stay|admission|bed\b(?!\s*\d)|for \w+)", r"\bneeded cooling|therapeutic cooling",
        r"\bto theatre (?:for|to)\b|(?:exchange|revision|removal|repair|washout) (?:was |is )?(?:needed|required)",
        r"transferred to (?:the |an? )?(?:acute|general|district|main|other) (?:hospital|trust|site)",
        r"washed out|back in (?:hosp|hospital)\b|hip fracture|fractured? (?:neck of )?femur",
        r"(?:showed|shows|revealed|confirmed) (?:a |an )?(?:small |large |new |acute )?(?:bleed|fracture|haemorrhage|subdural)",
        r"(?:needed|had to have|required|needing|treated (?:\w+ )?with|given|gave (?:him |her |them )?)"
        r" (?:\w+ )?(?:im |iv )?adrenaline",
    ),
    LOW: (
        r"mild reaction|\bmild\b|minor (?:harm|injury|treatment)|low harm",
        r"treated with|(?:given|gave (?:him|her|them)?|needed|with) (?:\w+ )?(?:glucose|glucogel|lucozade|naloxone|antihistamines?|piriton"
        r"|vit(?:amin)? k|antidote|chlorphenamine|hydrocortisone|epipen|toast|steristrips|stitches|a dressing|oral antibiotics)",
        r"(?:glucose|naloxone|antihistamines?|vit(?:amin)? k|epipen|adrenaline|atropine) (?:was )?given",
        r"bruis|graze|skin tear|haematoma|cut (?:to|on)\b|burn[st]?\b|blister(?!\s*packs?)|rash|urticaria|swell|swollen",
        r"abdo(?:minal)? pain|diarrhoea|black and blue|neck marks|marks (?:on|to) (?:her|his|the) neck|\bagony\b",
        r"pressure (?:mark|sore)|red raw|\bulcers?\b|cuts? (?:to|on) (?:his |her |their |my |the |both )?\w+|observed (?:for \d+ ?(?:hrs?|hours)|overnight)",
        r"(?:grade|cat(?:egory)?) [12]\b", r"obs (?:increased|every)|extra obs|monitored (?:closely|overnight|for)",
        r"closer monitoring|needed monitoring|oversedated|drowsy|withdrawal symptoms|water infection|infected|infection",
        r"fever|shak(?:y|ing)|vomit|\bsick\b|went (?:all )?red|in agony|sore\b|desaturated|superficial (?:cuts?|wounds?|injur)"
        r"|steri-?strips|puncture wound|retention\b|re-?catheteri[sz]ed",
        r"recovered|settled|(?:it|rash|swelling) went down|bg \d|bm \d",
        r"\bhypo\b|hypoglycaemi|glucagon|\bglued?\b|lacerat|palpitation|\bnause|dizz|headache|hypotensi|\bbp (?:dropped|of )?\d{2}/\d{2}",
        r"spiked a temp|pyrexi|temp(?:erature)? of 3[89]|red (?:sacrum|heel|heels|area|mark|skin)|redness|excoriat",
        r"sleepy|slept all|\bbled\b|bleeding(?! risk)|haematuria|hives|wheez|nebs?\b|\bnumb\b|numbness|dusky",
        r"nose ?bleed|faint(?:ed|ing|s)?\b|a bit hot|marks? to (?:the |her |his )?\w+|hurt (?:her|his|their|my) \w+",
        r"cut (?:head|lip|hand|finger|leg)|hit (?:her |his |their |my |the )?head|short of breath|increasingly sob",
        r"(?:bp|map|sats|saturations|potassium|k) (?:dropped|fell)|(?:[,.;]\s*|and )treated\b|needed a bolus",
        r"monitored (?:hourly|on|in)|cardiac monitoring|after monitoring",
        r"(?:iv )?fluids (?:were |was )?given|given (?:iv )?fluids|wound (?:has )?(?:opened|broken down|dehisced)|dehiscence",
        r"\bin (?:a lot of |loads of |so much |severe |terrible )?pain\b|(?:needed|given|on|started) (?:oral )?antibiotics",
    ),
    NONE: (
        r"no (?:obvious |apparent |physical |lasting |patient |pt )?harm|no harm (?:done|came)|nothing came of it|not hurt|unharmed",
        r"(?:nobody|no one|no-one) (?:was )?(?:hurt|harmed|injured)|no (?:obvious |apparent |visible )?injur(?:y|ies)|no bleed(?:ing)?|no ill effects?",
        r"no (?:adverse )?(?:effects?|reaction)|no (?:arrhythmia|aspiration|complications|falls?|doses? taken)",
        r"(?:is|was|he'?s|she'?s|hes|shes|they'?re|all) (?:fine|ok|okay|well) now|\bok now|fine now|near miss",
        r"(?:but|and) (?:he |she |they |the \w+ )?(?:was|were|seems?|seemed|is) (?:ok|okay|fine|alright|all right)\b"
        r"|(?:has|have|'s|s) been (?:fine|ok|okay)\b|(?:will|'ll|ll) be (?:fine|ok)\b|(?:was|were)(?:n'?t| not) hurt"
        r"|did(?:n'?t| not) (?:fall|come to any harm)|no \w+ (?:was |were )?given|nothing (?:was )?missing"
        r"|(?:sugars?|bms?|bgs?|obs|levels?) (?:was|were) (?:ok|okay|fine|normal)|delivered safely|no marks\b",
        r"not (?:given|dispensed|administered|taken)|never reached|did(?:n'?t| not) (?:give|take) (?:any|it)",
        r"before (?:\w+ ){0,3}(?:was |were )?(?:given|handed|administered|harm|taken|acted on|reached|used)",
        r"caught in time|skin intact|before any harm|full recovery|picked up before",
        # reassurance as staff and families put it: stable, otherwise ok, born ok, no clot, nobody went into withdrawal
        r"\b(?:pt|patient|he|she|they|baby|obs|vitals|observations) (?:is |was |remained |remains |has remained |now )?stable\b"
        r"|otherwise (?:ok|okay|fine|well)\b|woke (?:up )?(?:fine|ok|well)|(?:was|is|remained) comfortable\b"
        r"|(?:i\'?m|im|i am) (?:ok|okay|fine)\b|born (?:ok|okay|fine|safely|well)\b",
        r"\bno (?:new |further |signs? of (?:an? )?)?(?:toxicity|clots?|dka|symptoms|withdrawal|chest infection|infection"
        r"|burns?|damage|deterioration|seizures?|fractures?|aspiration|rejection)\b|(?:no one|nobody|none) went into withdrawal"
        r"|\bnone (?:were |was )?(?:taken|used|given)\b|(?:not a single|no) (?:patient|pt|one|resident) (?:was |were )?(?:harmed|hurt|injured)",
        r"no (?:pt|patient)s? (?:was |were )?involved|none given to (?:the )?pat"
        r"|(?:none|nobody|no one|no-one) (?:\w+ ){0,3}?(?:come|came) to (?:any )?harm|found before use|not physically harmed",
        # an error caught before it reached the patient, and what did not follow
        r"(?:stopped|withheld|paused|held|queried|questioned) (?:\w+ ){0,3}?(?:before|being given|from being)|\bwithheld\b",
        r"\b(?:not|never|wasn'?t|weren'?t) (?:been )?(?:connected|injected|used|started|transfused|scanned|hung|infused"
        r"|fitted|implanted|given any)\b|\bno (?:scan|dose|procedure|operation|injection|surgery|transfusion) "
        r"(?:was )?(?:done|given|performed)",
        r"no lasting (?:effects?|damage|problems?|injury)|no retained|\w+ (?:were |was )?normal when checked",
        r"(?:did(?:n'?t| not)|never) (?:hurt|harm) (?:my|him|her|them)sel(?:f|ves)",
        r"\bbefore (?:\w+ ){0,4}(?:took|ate|had) (?:any|it|one)\b",
        r"no (?:lasting |further |long[- ]term )?(?:harm|deterioration|ill effects?|sign of (?:harm|injury|overdose))",
        r"(?:baby|mum|pt|patient|child|he|she|they|both|resident|client) (?:is |was |were |are |seems? |has been |'s )?(?:fine|ok|okay|well|unharmed)\b",
        r"obs (?:stable|normal|fine)|(?:x-?ray|ct(?: head)?|scan) (?:was |is )?(?:clear|normal|nad)\b",
        r"before (?:\w+ ){0,4}(?:dispensed|opened|given|used|swallowed|taken|administered|transfused|collected)",
        r"(?:was|were|got it|and it was|been) corrected|found safe|no problems|fine after(?:wards)?\b|(?:anc|bloods?) (?:ok|fine|normal)",
        r"\bbefore (?:\w+ ){0,4}(?:giv\w*|apply\w*|transfus\w*|collect\w*|dispens\w*|administ\w*|swallow\w*"
        r"|open\w*|left the|leaving|reach\w*|any (?:harm|bleed|doses?))",
        # said plainly, or by what did not happen: "pt unaffected", "hadn't taken any", "caught at the accuracy check"
        r"\bunaffected\b|\bunhurt\b|had(?:n'?t| not) (?:taken|had|eaten|used) (?:any|it|one)|did(?:n'?t| not) eat (?:it|any)",
        r"(?:caught|spotted|picked up|found|noticed) at (?:the |our |his |her )?(?:\w+ )?(?:check|checking|screening)\b",
        r"before (?:the |his |her |their )?(?:\w+ )?(?:dose|round|feed)\b|no treatment (?:was )?(?:needed|required)",
        # at the start of a clause only: "not sure shes ok" is not said to be well
        r"(?:^|(?<=[,.;!] )|(?<=[,.;!])|(?<=\bbut )|(?<=\band ))(?:he'?s|she'?s|hes|shes|they'?re|theyre|we'?re all|were all|all"
        r"|both (?:babies|of them)?) ?(?:doing )?(?:ok|okay|fine|alright|all right|well)\b",
        # what nearly happened is harm that did not: no harm, unless other harm stands
        r"(?:nearly|almost) (?:\w+ ){0,2}(?:given|gave|transfused|thrombolysed|administered|dispensed|applied)"
        r"|(?:could|would|might) (?:well )?have (?:died|been fatal|killed)",
    ),
}

_NEGATOR = re.compile(
    r"\b(?:no|not|never|without|nobody|didn'?t|did not|wasn'?t|was not|isn'?t|could|might|may|would|nearly|almost"
    r"|risk of|in case|if|potential(?:ly)?|worried|scared|avoid(?:ed)?|prevent(?:ed)?|unless|whether)\b",
    re.I,
)
_CLAUSE = re.compile(r"[.;!?,]|\bbut\b|\band\b|\bthen\b|\bso\b", re.I)
LOOK_BACK = 40  # characters of the same clause before a cue
LOOK_BACK_WORDS = 5  # and at most this many words: unpunctuated messages run clauses together
_THING = re.compile(r"\b(?:battery|batteries|phone|pump|laptop|computer|system|screen)\s+(?:has\s+|had\s+|just\s+)?$", re.I)
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


_LEAD = re.compile(r"[,.;]\s*")


def _stands(text: str, start: int) -> bool:
    lead = _LEAD.match(text, start)  # a cue that begins at a comma (", now admitted") starts a clause
    start = lead.end() if lead else start
    before = text[max(0, start - LOOK_BACK) : start]
    clause = " ".join(_CLAUSE.split(before)[-1].split()[-LOOK_BACK_WORDS:])
    return not _NEGATOR.search(clause) and not _THING.search(before)  # a battery that died is not a death


@dataclass(frozen=True)
class Cue:
    code: str
    span: Span
    stands: bool  # False: negated or hypothetical where it is said ("did not need surgery", "could have died")


def harm_cues(text: str, blocked: list[tuple[int, int]]) -> list[Cue]:
    """Every harm cue in the text, the most severe reading of any stretch first; a cue that does not stand
    leaves its stretch to a milder reading ("could have died" is also a no-harm cue)."""
    found: list[Cue] = []
    taken: list[tuple[int, int]] = list(blocked)
    for code, regex in _compiled():
        for m in regex.finditer(text):
            if m.end() == m.start() or overlaps(m.start(), m.end(), taken):
                continue
            stands = code == NONE or _stands(text, m.start())
            found.append(Cue(code, Span(m.start(), m.end(), m.group(0)), stands))
            if stands:
                taken.append(m.span())
    return found


def rule_harm(cues: list[Cue]) -> HarmFound | None:
    """The most severe cue that stands; mixed cues lower the confidence, so the reporter confirms."""
    found = [(c.code, c.span) for c in cues if c.stands]
    if not found:
        return None
    harmed = [f for f in found if f[0] != NONE]
    value = min((f[0] for f in harmed or found), key=SEVERITY.index)
    spans = sorted(((span, code) for code, span in found if code == value), key=lambda s: s[0].start)
    confidence = 0.8 if len({c for c, _ in found}) == 1 else 0.6
    return HarmFound(value, confidence, spans)


def find_harm(text: str, blocked: list[tuple[int, int]]) -> HarmFound | None:
    return rule_harm(harm_cues(text, blocked))


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
        if overlaps(m.start(), m.end(), blocked):
            continue
        span = Span(m.start(), m.end(), m.group(0))
        return HarmFound("4", 0.6, [(span, "4")])
    return None
