"""A learned second opinion on whether a thing named in a message was involved, or only mentioned.

The rules in involvement.py catch the common ways a named thing is not involved (a treatment given
afterwards, the setting, someone told). What they miss is long-tailed: "kept the caller on the line", a
CTG in a birth outcome, a porter in praise. This model learns it from the labelled development set's
training part: every InvolvedAgents match in a message is an example, involved when the coder listed its
code (for medicines and devices, when the coder listed that item). Its features are the words around the
mention within its clause, the thing itself and its kind, the event type, the rules' verdicts and
whether a fault is said nearby. It is a logistic regression fitted by AdaGrad with a fixed seed, so the
build is repeatable; weights are kept by feature name (involved.json beside the pipeline).

It only vetoes: a mention the rules keep is dropped when the model's probability is below VETO_BELOW.
First chosen by 5-fold cross-validation on the training part (a veto at 0.3 raised agents precision by
about 3 points for 1 to 2 points of recall; letting the model also restore mentions the rules drop scored
lower), then lowered to 0.2 with the whole-message thresholds on batches 16 to 20 (agents_model.py)."""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from backend.narrative import involvement
from backend.narrative.devset import Labelled
from backend.narrative.lexicon import WEAK
from backend.narrative.patterns import IGNORE, decode_id

FILE = "involved.json"
VETO_BELOW = 0.2
EPOCHS, L2, RATE, SEED = 30, 1e-4, 0.2, 13
AGENTS = "InvolvedAgents"
_WORD = re.compile(r"[a-z0-9']+")
_MISSING_BEFORE = re.compile(r"\b(?:no|without|not|missing|ran out of|out of|forgot|forgotten|omitted|wrong|"
                             r"incorrect|expired|out of date)\b[\w\s]{0,12}$")
_FAULT_AFTER = re.compile(r"^\s*(?:was |were |is |had )?(?:not|n't|never|missing|omitted|wrong|stopped|failed|broke|"
                          r"down|alarm|ran out|out of date|expired|delayed|late|given twice|double)")
_RULES: tuple[tuple[str, Callable[[SpacySpan], bool]], ...] = (
    ("treatment", involvement.treats_outcome), ("done right", involvement.done_right),
    ("setting", involvement.only_setting), ("told", involvement.only_told))

AgentMention = tuple[SpacySpan, str, float]  # the match, its InvolvedAgents code, the phrase's confidence


def agent_mentions(doc: Doc) -> list[AgentMention]:
    return [(ent, i.code, i.confidence) for ent in doc.ents if ent.label_ != IGNORE
            for i in decode_id(ent.ent_id_) if i.field == AGENTS]


def features(ent: SpacySpan, code: str, confidence: float, event_type: str, audience: str,
             others: list[AgentMention]) -> list[str]:
    text, start, end = ent.doc.text, ent.start_char, ent.end_char
    thing = ent.text.lower().strip()
    out = [f"code={code}", f"thing={thing}", f"kind={ent.label_}", f"type={event_type}", f"code={code}&type={event_type}",
           f"audience={audience}", f"weak={confidence <= WEAK}", f"kind={ent.label_}&code={code}",
           f"thing={thing}&type={event_type}", "bias"]
    out += [f"rule={name}" for name, applies in _RULES if applies(ent)] or ["rule=none"]
    before = _WORD.findall(involvement.clause_before(text, start).lower())
    after = _WORD.findall(involvement.clause_after(text, end).lower())
    near_before = _WORD.findall(text[max(0, start - 60) : start].lower())[-6:]
    near_after = _WORD.findall(text[end : end + 60].lower())[:6]
    out += [f"before:{w}" for w in before] + [f"after:{w}" for w in after]
    out += [f"near before:{w}" for w in near_before] + [f"near after:{w}" for w in near_after]
    out += [f"just before:{' '.join(near_before[-n:])}" for n in (1, 2) if len(near_before) >= n]
    out += [f"just after:{' '.join(near_after[:n])}" for n in (1, 2) if len(near_after) >= n]
    if involvement.fault_in_clause(text, start, end):
        out += ["fault", f"fault&code={code}"]
    if _MISSING_BEFORE.search(text[max(0, start - 30) : start].lower()):
        out += ["missing", f"missing&code={code}"]
    if _FAULT_AFTER.match(text[end : end + 40].lower()):
        out += ["fault after", f"fault after&code={code}"]
    out.append(f"codes named={min(len({c for _, c, _ in others}), 3)}")
    out.append(f"times named={min(sum(1 for _, c, _ in others if c == code), 3)}")
    third = "first" if start < len(text) / 3 else "middle" if start < 2 * len(text) / 3 else "last"
    out.append(f"where={third}")
    return out


def _was_involved(item: Labelled, code: str, ent: SpacySpan) -> bool:
    """The coder's verdict on one mention: its code listed, and for a medicine or device that item listed."""
    if code not in item.agents:
        return False
    named = item.medicines if code == "4" else item.devices if code == "3" else ()
    thing = ent.text.lower().strip()
    return not named or any(thing in n.lower() or n.lower() in thing for n in named)


def examples(nlp: Language, items: Iterable[Labelled]) -> list[tuple[list[str], bool]]:
    """Every InvolvedAgents match in the labelled messages, with its features and the coder's verdict.
    The event type is the coder's (the service passes the classifier's, right 93% of the time)."""
    out = []
    for item in items:
        doc = nlp(item.text)
        found = agent_mentions(doc)
        for ent, code, confidence in found:
            out.append((features(ent, code, confidence, item.event_type, item.audience, found),
                        _was_involved(item, code, ent)))
    return out


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class InvolvedModel:
    weights: dict[str, float]

    def probability(self, feats: list[str]) -> float:
        return _sigmoid(sum(self.weights.get(f, 0.0) for f in feats))

    def judge(self, doc: Doc, event_type: str, audience: str) -> Callable[[SpacySpan, str, float], bool]:
        """Whether a match the rules kept was involved, by this model, for one analysed message."""
        found = agent_mentions(doc)

        def involved(ent: SpacySpan, code: str, confidence: float) -> bool:
            return self.probability(features(ent, code, confidence, event_type, audience, found)) >= VETO_BELOW
        return involved

    def save(self, directory: Path) -> None:
        (directory / FILE).write_text(json.dumps({k: round(v, 5) for k, v in sorted(self.weights.items())
                                                  if abs(v) >= 1e-4}, indent=0) + "\n")

    @classmethod
    def load(cls, directory: Path) -> InvolvedModel | None:
        path = directory / FILE
        return cls(json.loads(path.read_text())) if path.exists() else None


def fit(data: list[tuple[list[str], bool]], seed: int = SEED) -> InvolvedModel:
    """L2-regularised logistic regression by AdaGrad over sparse named features."""
    weights: dict[str, float] = {}
    squares: dict[str, float] = {}
    order = list(range(len(data)))
    rng = random.Random(seed)
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for i in order:
            feats, truth = data[i]
            error = _sigmoid(sum(weights.get(f, 0.0) for f in feats)) - float(truth)
            for f in feats:
                w = weights.get(f, 0.0)
                g = error + L2 * w
                squares[f] = squares.get(f, 0.0) + g * g
                weights[f] = w - RATE * g / math.sqrt(squares[f] + 1e-8)
    return InvolvedModel(weights)
