"""A reply read against the question it answers: the plan's question (kind, choices, labels) and
the words people use (data/paraphrases.yaml). One interpreter for every channel.

`read(question, text, now)` returns a Reading: what the reporter wants to do (`act`: answer, skip,
unknown, help, progress, stop, delete, undo, submit, or none when nothing is certain), the value for
the question showing with a confidence, and answers to other questions found in the same words.
Nothing here guesses: a reply it is not sure of gives act "none", and the caller asks again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from backend.interpret import when

DATA = Path(__file__).parent / "data" / "paraphrases.yaml"
YES = {"yes", "y", "yeah", "yep", "yup", "yes please", "correct", "right", "ok", "okay", "sure", "it did",
       "ya", "aye", "yea", "definitely", "of course", "true"}
NO = {"no", "n", "nope", "nah", "not", "no thanks", "false", "never", "it didnt", "it did not", "no it didnt"}
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
NUMBER_WORDS.update({"a": 1, "an": 1, "single": 1, "just the one": 1, "both": 2, "couple": 2, "none": 0, "no": 0})
STOPWORDS = set("""a an the of or and to in on at for with was were is are be been it its it's this that i im i'm
my me we our he she they them his her their there just so very really also by from as any all other some
including such don't dont do""".split())

ACTS = (  # checked in order, before the reply is read as an answer
    ("undo", re.compile(r"\b(undo|undelete|restore (it|my draft|the draft|the report)|bring (it|my draft|the draft|the report) back|"
                        r"(didn'?t|did not) (mean|want) to delete|get (it|my draft|the report) back)\b")),
    ("submit", re.compile(r"\b(submit|send (it|this|the report|my report)|just send|send now|please send)\b")),
    ("delete", re.compile(r"\b(delete|discard|scrap|bin|throw (it )?away|get rid of|erase|cancel)\b.*\b(draft|report|it|this|everything|all)\b"
                          r"|^(delete|discard|scrap|cancel)( please)?$")),
    ("stop", re.compile(r"^(stop|stop now|stop please|please stop|pause|not now|later|i'?ll (finish|do) (it|this|the rest) later|"
                        r"i (want|need) to stop|i have to go|got to go|gotta go|i'?ll come back( later)?|finish (it )?later)$")),
    ("progress", re.compile(r"\b(taking (ages|forever|so long|too long|a long time|a while)|how (many|much) (more|longer|left|to go)|"
                            r"how long (is|will) this|are we (done|nearly done|finished|there yet)|(so|too) many questions|"
                            r"nearly (done|finished)\?|is this (nearly|almost) (done|over|finished))\b")),
    ("help", re.compile(r"\b(why (do|would|does|should) (you|it|this|they)|what (does|do) .{1,40} mean|what do you mean|"
                        r"what('?s| is) (a|an|that|this|meant)\b|what counts|(will|would|could|can) (the|my|they|he|she|anyone|"
                        r"someone|staff|[a-z]+ home|[a-z]+ surgery|the hospital)\b.{0,30}\b(find out|know|see|tell)|"
                        r"who (will|can|gets to)? ?(see|read|know)|is (it|this) (anonymous|confidential|private)|"
                        r"i don'?t understand|don'?t get (it|the question)|what is .* for\??$|explain)\b")),
)
# "both", "all of them", "all of the above", "it was both", "all of those really" (multiple choice only).
ALL_OR_BOTH = re.compile(r"^(?:(?:it was|they were|its|it's|i think|probably|well)\s+)?(?P<word>both|all)"
                         r"(?:\s+(?:of\s+)?(?:them|those|these|the above|above|of the above|really|i think|tbh|please))*$")
BOTH_LEAD = re.compile(r"^(?:it was |they were )?both\s+(?:of\s+)?(?=\S)")
APPROX = re.compile(r"\b(about|around|roughly|approx\w*|ish|maybe|i think|think|probably|nearer|near|between|"
                    r"mid|early|late|sometime|some time)\b")


@dataclass
class Reading:
    act: str = "none"        # answer | skip | unknown | help | progress | stop | delete | undo | submit | none
    value: Any = None
    confidence: float = 0.0
    approximate: bool = False
    label: str | None = None  # the chosen choice's label(s), for saying back what was understood
    others: list[dict[str, Any]] = field(default_factory=list)  # [{field, value, label}] found in the same words


def norm(text: str) -> str:
    t = text.lower().replace("’", "'")
    t = re.sub(r"[^a-z0-9'+&\-/:. ]+", " ", t)
    t = re.sub(r"(?<![0-9])[.:/](?![0-9])", " ", t)
    return re.sub(r"\s+", " ", t).strip(" -'")


@lru_cache(maxsize=1)
def paraphrases() -> dict[str, Any]:
    return yaml.safe_load(DATA.read_text())


def _phrase_in(phrase: str, text: str) -> bool:
    p = norm(phrase)
    # A plural counts as the word ("district nurses" for "district nurse").
    return bool(p) and re.search(rf"(?<![a-z0-9]){re.escape(p)}(?:s|es)?(?![a-z0-9])", text) is not None


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9+&]+", text) if w not in STOPWORDS]


def _word_match(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    return a.startswith(b) or b.startswith(a) or SequenceMatcher(None, a, b).ratio() >= 0.8


def act_of(text: str) -> str | None:
    t = norm(text)
    for act, pattern in ACTS:
        if pattern.search(t):
            return act
    return None


def yes_no(text: str) -> bool | None:
    """A yes or a no at the start of a reply ("no saturday night", "yes it did"); None for anything else."""
    t = norm(text)
    if not t:
        return None
    for n in (3, 2, 1):
        head = " ".join(t.split()[:n])
        if head in YES:
            return True
        if head in NO:
            return False
    return {"1": True, "2": False}.get(t)


# Choices -----------------------------------------------------------------------------------------

def _role_choice(role: str, choices: list[dict[str, Any]]) -> dict[str, Any] | None:
    if role == "none":
        found = [c for c in choices if re.match(r"^(no |none|not at all|not hurt|neither)", norm(c["label"]))]
    else:
        found = [c for c in choices if norm(c["label"]) in ("i don't know", "i dont know", "unknown", "not known")]
    return found[0] if len(found) == 1 else None


def _scores(fld: str, text: str, choices: list[dict[str, Any]]) -> list[tuple[float, int]]:
    """Each choice's score: 1.0 its whole label, 0.9 a known paraphrase (longer phrases first),
    otherwise the share of the label's content words the reply has."""
    extra = paraphrases().get(fld, {})
    words = _words(text)
    out = []
    phrases: dict[int, str] = {}
    for i, c in enumerate(choices):
        label = norm(c["label"])
        if _phrase_in(label, text) or text == norm(str(c["code"])):
            out.append((1.0 + len(label) / 1000, i))
            continue
        hits = [norm(str(p)) for p in extra.get(str(c["code"]), []) if _phrase_in(str(p), text)]
        if hits:
            longest = max(hits, key=len)
            out.append((0.9 + len(longest) / 1000, i))
            phrases[i] = longest
            continue
        content = _words(label.replace("/", " "))
        if not content or not words:
            out.append((0.0, i))
            continue
        matched = sum(1 for w in content if any(_word_match(w, x) for x in words))
        used = sum(1 for x in words if any(_word_match(w, x) for w in content))
        out.append((0.8 * min(matched / len(content) + 0.5 * used / len(words), 1.0) if matched else 0.0, i))
    # A longer phrase holding a shorter one wins ("nursing home" over "home", "not very" over "very").
    for i, p in phrases.items():
        if any(j != i and q != p and q in p for j, q in phrases.items()):
            out = [(s + 0.06 if k == i else s, k) for s, k in out]
    return sorted(out, reverse=True)


QUANTITY = re.compile(r"\s*(?:x\b|times\b|units?\b|mg\b|mcg\b|ml\b|mls\b|g\b|doses?\b|tablets?\b|tabs?\b|"
                      r"hours?\b|hrs?\b|mins?\b|minutes?\b|days?\b|weeks?\b|patients?\b|pts?\b|%)", re.I)


def _numbers_pick(text: str, choices: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """'2', '1 and 3', '1, 3', '1 - too much given': numbers that index the list."""
    m = re.match(r"^((?:\d{1,2}\s*(?:,|and|&|\+|/|or)?\s*)+)(?:$|[-:.)]\s*|\s+[a-z])", text)
    if not m or QUANTITY.match(text[m.end(1):]):  # "10 x the dose", "2 tablets": an amount, not choice numbers
        return None
    nums = [int(n) for n in re.findall(r"\d{1,2}", m.group(1))]
    if nums and all(1 <= n <= len(choices) for n in nums):
        return [choices[n - 1] for n in dict.fromkeys(nums)]
    return None


def _substantive(choices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The choices that name something: not "none of these", "I don't know" or "Other"."""
    empty = {id(c) for c in (_role_choice("none", choices), _role_choice("unknown", choices)) if c}
    return [c for c in choices if id(c) not in empty and norm(c["label"]) not in ("other", "something else")]


def _all_or_both(t: str, choices: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """A reply naming every choice at once: "all of them", or "both" where exactly two are there to name."""
    m = ALL_OR_BOTH.match(t)
    if not m:
        return None
    named = _substantive(choices)
    return named if m["word"] != "both" or len(named) == 2 else None


def pick(fld: str, text: str, choices: list[dict[str, Any]], multiple: bool) -> tuple[list[dict[str, Any]], float]:
    """The choice(s) a reply names, with a confidence; ([], 0) when unsure."""
    t = norm(text)
    by_number = _numbers_pick(t, choices)
    if by_number and (multiple or len(by_number) == 1):
        return by_number, 0.99
    if multiple:
        every = _all_or_both(t, choices)
        if every:
            return every, 0.95
        t = BOTH_LEAD.sub("", t)  # "both medicines and devices": the two are named after it
        parts = [p for p in re.split(r"\s*(?:,|;|\band\b|&|\+|/|\balso\b)\s*", t) if p.strip()]
        if len(parts) > 1:
            found = [pick(fld, p, choices, False) for p in parts]
            if all(f[0] for f in found):
                codes = list({id(c): c for f in found for c in f[0]}.values())
                return codes, min(f[1] for f in found)
    scored = _scores(fld, t, choices)
    best, runner = scored[0], (scored[1] if len(scored) > 1 else (0.0, -1))
    if best[0] >= 0.9 and (best[0] - runner[0] > 0.05 or best[0] >= 1.0 > runner[0]):
        if multiple:  # every choice named outright ("medicines and devices" said without a separator)
            strong = [choices[i] for s, i in scored if s >= 0.9]
            return strong, best[0] - 0.05 if len(strong) > 1 else min(best[0], 0.98)
        return [choices[best[1]]], min(best[0], 0.98)
    for role in ("none", "unknown"):
        if any(_phrase_in(p, t) for p in paraphrases()["_any"][role]):
            c = _role_choice(role, choices)
            if c and best[0] < 0.9:
                return [c], 0.9
    if best[0] >= 0.5 and best[0] - runner[0] >= 0.2:
        return [choices[best[1]]], min(best[0] + 0.3, 0.9)
    # A close misspelling of a whole label ("moderat harm").
    close = sorted(((SequenceMatcher(None, t, norm(c["label"])).ratio(), i) for i, c in enumerate(choices)), reverse=True)
    if close and close[0][0] >= 0.85 and (len(close) == 1 or close[0][0] - close[1][0] > 0.05):
        return [choices[close[0][1]]], 0.9
    return [], 0.0


# Bands and numbers -------------------------------------------------------------------------------

AGE_WORDS = re.compile(r"\b(years?|yrs?|yo|y/o|aged?|old|she'?s|he'?s|they'?re|i'?m|was|were|is|about|around)\b")


def _band(choices: list[dict[str, Any]], number: int, unit: str) -> dict[str, Any] | None:
    """The band label that holds the number ('66-85 years', '85+ years', '16 and 17 years', '1-11 months')."""
    for c in choices:
        label = norm(c["label"])
        if not label.endswith(unit) and not (unit == "years" and label.endswith("year")):
            continue
        m = re.match(r"^(\d+)\s*(?:-|and|to)\s*(\d+)", label)
        if m and int(m.group(1)) <= number <= int(m.group(2)):
            return c
        m = re.match(r"^(\d+)\+", label)
        if m and number >= int(m.group(1)):
            return c
    return None


def band_of(text: str, choices: list[dict[str, Any]]) -> dict[str, Any] | None:
    t = norm(text)
    m = re.search(r"(\d{1,3})(\+)?\s*(days?|weeks?|months?|years?|yrs?|yo)?", t)
    if not m:
        return None
    number, unit = int(m.group(1)) + (1 if m.group(2) else 0), (m.group(3) or "years")  # "85+" is over 85
    unit = {"day": "days", "week": "days", "weeks": "days", "month": "months", "yr": "years", "yrs": "years",
            "yo": "years", "year": "years"}.get(unit, unit)
    if m.group(3) and m.group(3).startswith("week"):
        number *= 7
    return _band(choices, number, unit)


def is_banded(choices: list[dict[str, Any]]) -> bool:
    return sum(bool(re.match(r"^\d+\s*(-|\+|and)", norm(c["label"]))) for c in choices) >= 3


def integer_of(text: str) -> int | None:
    t = norm(text)
    m = re.search(r"\b(\d{1,3})\b", t)
    if m:
        return int(m.group(1))
    for phrase, n in sorted(NUMBER_WORDS.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{re.escape(phrase)}\b", t):
            return n
    return None


# Reading a reply -----------------------------------------------------------------------------------

def _codes(picked: list[dict[str, Any]], multiple: bool) -> Any:
    codes = list(dict.fromkeys(c["code"] for c in picked))
    return codes if multiple else codes[0]


def _unknown(question: dict[str, Any]) -> Reading:
    code = question.get("unknown_code")
    if code:
        return Reading("unknown", [code] if question.get("multiple") else code, 0.95)
    return Reading("skip" if not question.get("mandatory") else "unknown", None, 0.9)


def read(question: dict[str, Any], text: str, now: datetime) -> Reading:
    """`question`: a plan question as the backend shows it (field, type, multiple, mandatory, choices,
    unknown_code). `now`: the reporter's local time, for dates."""
    t = norm(text)
    qtype, choices, multiple = question["type"], question.get("choices") or [], bool(question.get("multiple"))
    fld = question["field"]
    if not t:
        return Reading()
    act = act_of(text)
    if act in ("undo", "submit", "delete", "stop", "progress"):
        return Reading(act, confidence=0.95)
    if act == "help" and (not choices or pick(fld, t, choices, multiple)[1] < 0.98):
        return Reading("help", confidence=0.9)
    if t in ("skip", "pass", "skip it", "next", "skip this", "skip that", "rather not say", "id rather not say",
             "i'd rather not say", "prefer not to say", "n/a", "na", "not applicable"):
        return Reading("skip", confidence=0.95) if not question.get("mandatory") else _unknown(question)
    unknown_said = any(_phrase_in(p, t) for p in paraphrases()["_any"]["unknown"]) and len(t.split()) <= 6
    if qtype == "boolean" or (choices and {str(c["code"]) for c in choices} <= {"y", "n", "u"}):
        return _yes_no(question, text, t, now)
    if choices:
        if is_banded(choices):
            by_number = _numbers_pick(t, choices) if re.fullmatch(r"\d{1,2}", t) else None
            if by_number:
                return Reading("answer", _codes(by_number, multiple), 0.9, label=by_number[0]["label"])
            band = band_of(t, choices)
            if band:
                return Reading("answer", _codes([band], multiple), 0.95, approximate=bool(APPROX.search(t)),
                               label=band["label"])
        picked, confidence = pick(fld, text, choices, multiple)
        if picked and not (unknown_said and confidence < 0.95):
            return Reading("answer", _codes(picked, multiple), confidence, label=", ".join(c["label"] for c in picked))
        if unknown_said:
            return _unknown(question)
        return Reading("none")
    if unknown_said:
        return _unknown(question)
    if qtype == "age":
        from backend.interpret.age_reply import read_age_reply  # it reads the plan, which imports this module

        return read_age_reply(fld, text)
    if qtype == "integer":
        number = integer_of(t)
        return Reading("answer", number, 0.95, label=str(number)) if number is not None else Reading("none")
    if qtype == "time":
        found = when.time_of(t)
        if found is None:
            return Reading("none")
        value, approx = found
        return Reading("answer", value, 0.9, approximate=approx or bool(APPROX.search(t)), label=value)
    if qtype == "date":
        found_date = when.date_of(t, now)
        if found_date is None:
            return Reading("none")
        day, approx = found_date
        return Reading("answer", day.isoformat(), 0.9, approximate=approx, label=day.strftime("%-d %B %Y"))
    if qtype == "string":
        return Reading("answer", [text.strip()] if multiple else text.strip(), 0.9, label=text.strip())
    return Reading("none")


def _yes_no(question: dict[str, Any], text: str, t: str, now: datetime) -> Reading:
    choices = question.get("choices") or []
    said = yes_no(t)
    others: list[dict[str, Any]] = []
    today_question = question["field"] == "IncidentOccurredToday"
    if today_question:
        found = when.date_of(t, now)
        if found is not None:
            day, approx = found
            if said is None:
                said = day == now.date()
            if day != now.date() and said is False:
                said_day = day.strftime("%-d %B %Y")  # "sometime in October" is said back as roughly that
                others.append({"field": "ApproximateDate", "value": day.isoformat(),
                               "label": f"about {said_day}" if approx else said_day})
        elif said is None and re.search(r"\b(this morning|earlier today|tonight|today)\b", t):
            said = True
        time_found = when.time_of(t)
        if time_found:
            others.append({"field": "PreciseTime", "value": time_found[0], "label": time_found[0]})
    if said is None:
        if any(_phrase_in(p, t) for p in paraphrases()["_any"]["unknown"]):
            return _unknown(question)
        return Reading("none")
    if question["type"] == "boolean":  # a question asked as its field's opposite stores the opposite
        value = said if question.get("yes_means", True) else not said
        return Reading("answer", value, 0.95, label="Yes" if said else "No", others=others)
    code = "y" if said else "n"
    match = next((c for c in choices if str(c["code"]) == code), None)
    return Reading("answer", code, 0.95, label=match["label"] if match else code, others=others)


def as_dict(reading: Reading) -> dict[str, Any]:
    return {"act": reading.act, "value": reading.value, "confidence": round(reading.confidence, 3),
            "approximate": reading.approximate, "label": reading.label, "others": reading.others}

