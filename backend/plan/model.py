"""The question plan loaded from question_plan.yaml and checked against the taxonomy at load time,
so a typo in the plan fails start-up and the tests rather than a reporter's conversation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field  # Question has a field named "field"
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from backend.plan import conditions
from backend.taxonomy import FieldDef, Taxonomy, get_taxonomy

if TYPE_CHECKING:
    from backend.plan.groups import Group
    from backend.plan.inference import Inference

PLAN_PATH = Path(__file__).resolve().parent / "question_plan.yaml"
AUDIENCES = ("staff", "public")
FORMATS = ("date", "age")
CHAT_MODES = ("ask", "offer")
# Where a default can come from besides a fixed value: what the reporter's account already says.
DEFAULT_SOURCES = ("account.organisation", "account.reporter_role")


@dataclass(frozen=True)
class Default:
    """A value put in without asking, for one audience: fixed, or read from the reporter's account.
    Shown at check your answers as assumed, with its reason, and changed there like any answer."""

    why: str
    value: Any = None
    source: str | None = None  # one of DEFAULT_SOURCES; None: `value`


@dataclass(frozen=True)
class Derive:
    """A value worked out from another question's answer (backend/plan/derived.py), with its reason."""

    source: str
    rule: str
    why: str


@dataclass(frozen=True)
class Question:
    id: str
    field: FieldDef
    audiences: tuple[str, ...]
    wording: Mapping[str, str]
    help: Mapping[str, str]
    when: Mapping[str, Any] | None = None
    per_patient: bool = False
    implied: Mapping[str, Any] = dataclass_field(default_factory=dict)
    core: bool = True
    format: str | None = None
    max_length: int = 2000
    min_value: int | None = None
    max_value: int | None = None
    redact: bool = True
    exclude: frozenset[str] = frozenset()
    public_labels: Mapping[str, str] = dataclass_field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    short: str | None = None  # a name for recaps and corrections, when no alias gives one
    # How a yes/no answer reads in a recap where the question is worded as its opposite
    # ("Share for national learning: Yes" for DataSharingOptOut = false): label, "true", "false".
    recap: Mapping[str, str] = dataclass_field(default_factory=dict)
    # False when a yes/no question is asked as the field's opposite ("Can we share it?" for DataSharingOptOut):
    # a "yes" then stores false, on the web form and in the chat alike.
    yes_means: bool = True
    # Per medium (wording/render.py): shorter public labels over SMS; media that take the answer in words.
    sms_labels: Mapping[str, str] = dataclass_field(default_factory=dict)
    answer_in_words: tuple[str, ...] = ()
    defaults: Mapping[str, Default] = dataclass_field(default_factory=dict)  # by audience
    # How the assistant treats it when it is optional: "ask" one turn of its own, or "offer" it at check
    # your answers ("you can also add ..."), where one reply adds it. Mandatory questions are always asked.
    chat: str = "offer"
    derive: Derive | None = None

    def asks(self, audience: str) -> bool:
        return audience in self.audiences

    def text(self, audience: str, patient: int | None = None, patient_count: int = 1) -> str:
        words = self.wording.get(audience) or self.wording.get("staff") or self.field.definition
        who = "the patient" if patient is None or patient_count <= 1 else f"patient {patient}"
        return words.replace("{patient}", who)

    @property
    def name(self) -> str | None:
        """Its short name: the first alias, or the plan's `short`."""
        return self.aliases[0] if self.aliases else self.short

    def help_text(self, audience: str) -> str | None:
        return self.help.get(audience) or self.help.get("staff")


@dataclass(frozen=True)
class Step:
    question: Question
    mandatory_for: frozenset[str]  # audiences for whom it must be answered before submission
    why: str | None = None
    alternative: str | None = None  # `or:` a question whose answer meets the need instead (it may be skipped)


@dataclass(frozen=True)
class Plan:
    version: int
    questions: Mapping[str, Question]
    event_types: Mapping[str, tuple[Step, ...]]  # prelude included
    patient_count_field: str
    groups: Mapping[str, Group] = dataclass_field(default_factory=dict)  # asked together (groups.py)
    inference: Inference | None = None  # what is read from the reporter's words unasked (inference.py)

    def steps(self, event_type: str | None) -> tuple[Step, ...]:
        if event_type is None:
            return self.event_types["__prelude__"]
        return self.event_types[event_type]


def _question(qid: str, raw: Mapping[str, Any], tax: Taxonomy, default_chat: str = "offer") -> Question:
    if qid not in tax.fields:
        raise ValueError(f"plan question {qid!r} is not a taxonomy or project field")
    fdef = tax.field(qid)
    audiences = tuple(raw.get("audiences", AUDIENCES))
    unknown = set(audiences) - set(AUDIENCES)
    if unknown:
        raise ValueError(f"{qid}: unknown audiences {unknown}")
    for aud in audiences:
        if aud not in raw:
            raise ValueError(f"{qid}: no wording for audience {aud!r}")
    codes = tax.values_for(qid)
    for key in ("exclude", "public_labels", "sms_labels"):
        for code in raw.get(key, []):
            if codes is None or code not in codes:
                raise ValueError(f"{qid}: {key} names {code!r}, not in its code list")
    if not set(raw.get("answer_in_words", ())) <= {"sms", "speech"}:
        raise ValueError(f"{qid}: answer_in_words names media other than sms and speech")
    if raw.get("format") not in (None, *FORMATS):
        raise ValueError(f"{qid}: unknown format {raw['format']!r}")
    q = Question(
        id=qid,
        field=fdef,
        audiences=audiences,
        wording={a: raw[a] for a in AUDIENCES if a in raw},
        help={a: raw[k] for a, k in (("staff", "help"), ("public", "public_help")) if k in raw},
        when=raw.get("when"),
        per_patient=bool(raw.get("per_patient", False)),
        implied=dict(raw.get("implied", {})),
        core=bool(raw.get("core", True)),
        format=raw.get("format"),
        max_length=int(raw.get("max_length", 2000)),
        min_value=raw.get("min_value"),
        max_value=raw.get("max_value"),
        redact=bool(raw.get("redact", True)),
        exclude=frozenset(raw.get("exclude", [])),
        public_labels=dict(raw.get("public_labels", {})),
        aliases=tuple(raw.get("aliases", ())),
        short=raw.get("short"),
        recap={str(k).lower(): str(v) for k, v in (raw.get("recap") or {}).items()},
        yes_means=bool(raw.get("yes_means", True)),
        sms_labels=dict(raw.get("sms_labels", {})),
        answer_in_words=tuple(raw.get("answer_in_words", ())),
        defaults={aud: _default(qid, aud, body) for aud, body in (raw.get("default") or {}).items()},
        chat=str(raw.get("chat", default_chat)),
        derive=_derive(qid, raw["derive"]) if raw.get("derive") else None,
    )
    if q.chat not in CHAT_MODES:
        raise ValueError(f"{qid}: chat must be one of {CHAT_MODES}")
    if set(q.implied) & set(audiences):
        raise ValueError(f"{qid}: a value is implied for an audience that is asked")
    if set(q.defaults) - set(audiences):
        raise ValueError(f"{qid}: a default for an audience that is not asked")
    return q


def _derive(qid: str, raw: Mapping[str, Any]) -> Derive:
    from backend.plan.age import RULES

    if not raw.get("why") or raw.get("rule") not in RULES or not raw.get("from"):
        raise ValueError(f"{qid}: derive needs from, a rule among {sorted(RULES)} and its reason (why)")
    return Derive(source=str(raw["from"]), rule=str(raw["rule"]), why=str(raw["why"]))


def _check_derived(plan_questions: Mapping[str, Question]) -> None:
    for q in plan_questions.values():
        if q.derive is None:
            continue
        source = plan_questions.get(q.derive.source)
        if source is None or source.per_patient != q.per_patient or source.audiences != q.audiences:
            raise ValueError(f"{q.id}: derived from {q.derive.source!r}, which is not a plan question asked of the "
                             "same people in the same scope")


def _default(qid: str, audience: str, raw: Mapping[str, Any]) -> Default:
    if not raw.get("why"):
        raise ValueError(f"{qid}: the default for {audience} needs its reason (why)")
    if ("value" in raw) == ("from" in raw):
        raise ValueError(f"{qid}: a default has either a value or a source (from), not both")
    if raw.get("from") not in (None, *DEFAULT_SOURCES):
        raise ValueError(f"{qid}: unknown default source {raw['from']!r}")
    return Default(why=str(raw["why"]), value=raw.get("value"), source=raw.get("from"))


def _check_conditions(plan_questions: Mapping[str, Question], tax: Taxonomy) -> None:
    for q in plan_questions.values():
        for fname, clause in conditions.fields_in(q.when):
            if fname not in plan_questions:
                raise ValueError(f"{q.id}: condition on {fname!r}, which the plan never asks")
            codes = tax.values_for(fname)
            wanted = list(clause.get("in", [])) + ([clause["includes"]] if "includes" in clause else [])
            for code in wanted:
                if codes is None or code not in codes:
                    raise ValueError(f"{q.id}: condition code {code!r} not in {fname}'s list")


def _check_defaults(plan_questions: Mapping[str, Question], tax: Taxonomy) -> None:
    from backend.plan.validation import AnswerError, validate_answer  # validation imports this module

    for q in plan_questions.values():
        for audience, default in q.defaults.items():
            if q.per_patient:
                raise ValueError(f"{q.id}: per-patient questions have no defaults")
            if default.source is None:
                try:
                    validate_answer(q, tax, default.value)
                except AnswerError as exc:
                    raise ValueError(f"{q.id}: the default for {audience} {exc.message}") from None


def load_plan(path: Path = PLAN_PATH, tax: Taxonomy | None = None) -> Plan:
    tax = tax or get_taxonomy()
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    default_chat = raw.get("optional_in_chat", "offer")
    questions = {qid: _question(qid, body, tax, default_chat) for qid, body in raw["questions"].items()}
    _check_conditions(questions, tax)
    _check_defaults(questions, tax)
    _check_derived(questions)
    seen: dict[str, str] = {}
    for q in questions.values():
        for alias in q.aliases:
            if seen.setdefault(alias.casefold(), q.id) != q.id:
                raise ValueError(f"alias {alias!r} names both {seen[alias.casefold()]} and {q.id}")
    event_codes = tax.code_system("event-types")

    def step(entry: Mapping[str, Any]) -> Step:
        q = questions[entry["q"]]
        mandatory = entry.get("mandatory", False)
        audiences = q.audiences if mandatory is True else tuple(mandatory or ())
        if audiences and not q.core:
            raise ValueError(f"{q.id}: a web-only (core: false) question cannot be mandatory")
        alternative = entry.get("or")
        if alternative is not None and alternative not in questions:
            raise ValueError(f"{q.id}: `or` names {alternative!r}, not a plan question")
        return Step(q, frozenset(audiences), entry.get("why"), alternative)

    prelude = tuple(Step(questions[qid], frozenset(questions[qid].audiences)) for qid in raw["prelude"])
    types: dict[str, tuple[Step, ...]] = {"__prelude__": prelude}
    for code, entries in raw["event_types"].items():
        if code not in event_codes:
            raise ValueError(f"plan event type {code!r} is not in the event-types list")
        steps = tuple(step(e) for e in entries)
        ids = [s.question.id for s in prelude + steps]
        if len(ids) != len(set(ids)):
            raise ValueError(f"{code}: a question is listed twice")
        for s in steps:
            if s.alternative is not None and s.alternative not in ids:
                raise ValueError(f"{code}: {s.question.id}'s `or` names {s.alternative}, which {code} never asks")
            d = s.question.derive
            if d is not None and (d.source not in ids or ids.index(d.source) > ids.index(s.question.id)):
                raise ValueError(f"{code}: {s.question.id} is derived from {d.source}, which must be asked before it")
        types[code] = prelude + steps
    missing = {c.code for c in event_codes.codes} - set(types)
    if missing:
        raise ValueError(f"no plan for event types {sorted(missing)}")
    unused = set(questions) - {s.question.id for steps in types.values() for s in steps}
    if unused:
        raise ValueError(f"questions never asked by any event type: {sorted(unused)}")
    if raw["patient_count_field"] not in questions:
        raise ValueError("patient_count_field must be a plan question")
    from backend.plan.groups import load_groups  # groups check questions and steps built here
    from backend.plan.inference import load_inference

    groups = load_groups(raw.get("groups"), questions, types, tax)
    inference = load_inference(raw.get("inference"), questions, raw["patient_count_field"])
    return Plan(raw["version"], questions, types, raw["patient_count_field"], groups, inference)


@lru_cache
def get_plan() -> Plan:
    return load_plan()
