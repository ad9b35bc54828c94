"""What is read from a reporter's words without being asked (the plan's `inference:`), each rule with its
reason: checked at load time, and applied to a narrative analysis for the assistant (`mark`).

    first_message   the description's analysis, shown at once and saved only when the reporter confirms it;
                    one_patient adds the patient count a per-patient finding implies, for its audiences
    later_answers   a later free-text reply's analysis fills open questions as inferred answers (confirmed at
                    check your answers): only at min_confidence or above, never the fields in `never`
    corrections     the understood values a correction's analysis may replace at the first confirmation
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the model imports this module while it loads
    from backend.plan.model import Question

KEYS = {"first_message", "later_answers", "corrections"}
FIRST_KEYS = {"why", "one_patient", "named_event_type"}
ONE_PATIENT_KEYS = {"audiences", "confidence", "why"}
LATER_KEYS = {"min_confidence", "why", "never", "never_why", "per_patient_why"}
CORRECTION_KEYS = {"replaces", "why"}
ONE_PATIENT = "one_patient"  # a suggestion's `rule` when the plan's rule, not the words, put it there


@dataclass(frozen=True)
class OnePatient:
    """Harm or an age read from the first message, with no count: the count 1, shown to be confirmed."""

    audiences: tuple[str, ...]
    confidence: float
    why: str


@dataclass(frozen=True)
class Inference:
    first_message_why: str
    one_patient: OnePatient
    named_event_type_why: str  # applied by the assistant, which alone hears how the reporter opened
    min_confidence: float
    later_answers_why: str
    never: frozenset[str]
    never_why: str
    per_patient_why: str
    corrections: frozenset[str]
    corrections_why: str


def _fail(message: str) -> ValueError:
    return ValueError(f"inference: {message}")


def _section(raw: Any, name: str, keys: set[str]) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise _fail(f"{name} must be a mapping")
    unknown = set(raw) - keys
    if unknown:
        raise _fail(f"{name} has unknown fields {sorted(unknown)}")
    missing = {k for k in keys if k.endswith("why")} - {k for k in raw if raw[k]}
    if missing:
        raise _fail(f"{name} needs its reasons {sorted(missing)}")
    return raw


def _confidence(raw: Any, name: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 < raw <= 1:
        raise _fail(f"{name} must be a number above 0 and at most 1")
    return float(raw)


def _fields(raw: Any, name: str, questions: Mapping[str, Question]) -> frozenset[str]:
    if not isinstance(raw, list) or not raw:
        raise _fail(f"{name} must list fields")
    unknown = [f for f in raw if f not in questions]
    if unknown:
        raise _fail(f"{name} names {unknown}, not plan questions")
    return frozenset(raw)


def load_inference(raw: Any, questions: Mapping[str, Question], patient_count_field: str) -> Inference:
    from backend.plan.model import AUDIENCES

    top = _section(raw, "inference", KEYS)
    if set(top) != KEYS:
        raise _fail(f"needs {sorted(KEYS - set(top))}")
    first = _section(top["first_message"], "first_message", FIRST_KEYS)
    one = _section(first.get("one_patient"), "one_patient", ONE_PATIENT_KEYS)
    named = _section(first.get("named_event_type"), "named_event_type", {"why"})
    later = _section(top["later_answers"], "later_answers", LATER_KEYS)
    fixes = _section(top["corrections"], "corrections", CORRECTION_KEYS)
    audiences = tuple(one.get("audiences") or ())
    if not audiences or set(audiences) - set(AUDIENCES):
        raise _fail(f"one_patient audiences must be among {AUDIENCES}")
    if not all(questions[patient_count_field].asks(a) for a in audiences):
        raise _fail("one_patient is for audiences asked the patient count")
    return Inference(
        first_message_why=str(first["why"]),
        one_patient=OnePatient(audiences, _confidence(one.get("confidence"), "one_patient confidence"), str(one["why"])),
        named_event_type_why=str(named["why"]),
        min_confidence=_confidence(later.get("min_confidence"), "min_confidence"),
        later_answers_why=str(later["why"]),
        never=_fields(later.get("never"), "never", questions),
        never_why=str(later["never_why"]),
        per_patient_why=str(later["per_patient_why"]),
        corrections=_fields(fixes.get("replaces"), "corrections replaces", questions),
        corrections_why=str(fixes["why"]),
    )


def mark(suggestions: list[dict[str, Any]], audience: str, questions: Mapping[str, Question],
         rules: Inference, patient_count_field: str) -> list[dict[str, Any]]:
    """The analysis's suggestions as the assistant uses them: each says whether it is per patient, whether a
    later answer may save it as inferred (`inferable`) and whether a correction may replace an understood
    value with it (`corrects`); for the rule's audiences, the patient count a per-patient finding implies."""
    out = []
    for s in suggestions:
        q = questions.get(s["field"])
        out.append({**s, "per_patient": bool(q and q.per_patient),
                    "inferable": s["field"] not in rules.never and s.get("confidence", 0) >= rules.min_confidence,
                    "corrects": s["field"] in rules.corrections})
    first = next((s for s in out if s["per_patient"]), None)
    if (audience in rules.one_patient.audiences and first is not None
            and not any(s["field"] == patient_count_field for s in out)):
        evidence = first.get("evidence")  # the words the finding rests on: "harm to a patient"
        out.append({"field": patient_count_field, "value": 1, "label": "1", "confidence": rules.one_patient.confidence,
                    **({"evidence": evidence, "spans": [{**evidence, "value": "1"}]} if evidence else {}),
                    "per_patient": False, "inferable": False, "corrects": False, "rule": ONE_PATIENT})
    return out
