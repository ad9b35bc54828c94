"""Questions asked together (the plan's `groups:`): checked at load time, and found for the question
the assistant is about to ask. The assistant asks a group as one question and one reply fills every
field it names (backend/interpret/group_reply.py); what the reply leaves unclear is then asked alone,
because a group is offered only while its fields are all open. The web form shows a group on one page.

    together  fields answered side by side (the harm in body and in mind)
    detail    a multi-choice question and the follow-ups its choices open, as one list
    fold      a yes/no question and the follow-up its answer opens, in one reply
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend.plan import conditions

if TYPE_CHECKING:  # the model imports this module while it loads
    from backend.plan.answers import AnswerDoc
    from backend.plan.evaluate import Slot
    from backend.plan.model import Plan, Question, Step
    from backend.taxonomy import Taxonomy

KINDS = ("together", "detail", "fold")
WHENS = ("one_patient",)
KEYS = {"kind", "questions", "when", "staff", "public", "choices", "why"}
CHOICE_KEYS = {"label", "public_label", "values"}
FOLLOWER_SEP = ":"  # a detail choice's code: "<follow-up field>:<its code>"


@dataclass(frozen=True)
class QuickChoice:
    """A together group's ready answer ("No harm"): a value for every field of the group."""

    label: str
    public_label: str | None
    values: Mapping[str, Any]

    def shown(self, audience: str) -> str:
        return (self.public_label if audience == "public" else None) or self.label


@dataclass(frozen=True)
class Group:
    id: str
    kind: str
    questions: tuple[str, ...]
    why: str
    when: str | None = None
    wording: Mapping[str, str] | None = None
    choices: tuple[QuickChoice, ...] = ()

    @property
    def lead(self) -> str:
        return self.questions[0]

    @property
    def followers(self) -> tuple[str, ...]:
        return self.questions[1:]

    def text(self, audience: str) -> str | None:
        return (self.wording or {}).get(audience)


# Loading ---------------------------------------------------------------------------------------------

def _fail(gid: str, message: str) -> ValueError:
    return ValueError(f"group {gid}: {message}")


def _one(gid: str, raw: Any, questions: Mapping[str, Question]) -> Group:
    if not isinstance(raw, Mapping):
        raise _fail(gid, "must be a mapping")
    unknown = set(raw) - KEYS
    if unknown:
        raise _fail(gid, f"unknown fields {sorted(unknown)}")
    kind, members = raw.get("kind"), list(raw.get("questions") or [])
    if kind not in KINDS:
        raise _fail(gid, f"kind must be one of {KINDS}")
    if not raw.get("why"):
        raise _fail(gid, "needs its reason (why)")
    if len(members) < 2 or len(set(members)) != len(members):
        raise _fail(gid, "needs two or more different questions")
    for qid in members:
        if qid not in questions:
            raise _fail(gid, f"{qid!r} is not a plan question")
    if raw.get("when") not in (None, *WHENS):
        raise _fail(gid, f"when must be one of {WHENS}")
    qs = [questions[q] for q in members]
    if len({q.per_patient for q in qs}) != 1:
        raise _fail(gid, "mixes per-patient questions with questions asked once")
    if raw.get("when") == "one_patient" and not qs[0].per_patient:
        raise _fail(gid, "one_patient is for per-patient questions")
    wording = {a: str(raw[a]) for a in ("staff", "public") if a in raw}
    for audience in wording:
        if not qs[0].asks(audience):
            raise _fail(gid, f"wording for {audience}, who are not asked {qs[0].id}")
    return Group(id=gid, kind=kind, questions=tuple(members), why=str(raw["why"]), when=raw.get("when"),
                 wording=wording, choices=tuple(_quick(gid, c, members) for c in raw.get("choices") or []))


def _quick(gid: str, raw: Any, members: list[str]) -> QuickChoice:
    if not isinstance(raw, Mapping) or set(raw) - CHOICE_KEYS or "label" not in raw:
        raise _fail(gid, f"a choice has a label, values and optionally a public_label: {raw!r}")
    values = dict(raw.get("values") or {})
    if set(values) != set(members):
        raise _fail(gid, f"the choice {raw['label']!r} must give a value for each of {members}")
    return QuickChoice(str(raw["label"]), raw.get("public_label"), values)


def _check_kind(group: Group, questions: Mapping[str, Question], tax: Taxonomy) -> None:
    from backend.plan.validation import AnswerError, validate_answer  # validation imports the model

    lead, followers = questions[group.lead], [questions[f] for f in group.followers]
    if group.kind in ("together", "detail"):
        for audience in lead.audiences:
            if not group.text(audience):
                raise _fail(group.id, f"no question for {audience}, who are asked {lead.id}")
    if group.choices and group.kind != "together":
        raise _fail(group.id, "quick choices are for together groups")
    if group.kind == "together":
        for q in (lead, *followers):
            if q.audiences != lead.audiences:
                raise _fail(group.id, f"{q.id} is asked of {q.audiences}, {lead.id} of {lead.audiences}")
            if tax.values_for(q.id) is None:
                raise _fail(group.id, f"{q.id} has no choices to read a reply into")
            if q.when is not None:
                raise _fail(group.id, f"{q.id} depends on an answer: ask it after the group instead")
        for choice in group.choices:
            for qid, value in choice.values.items():
                try:
                    validate_answer(questions[qid], tax, value)
                except AnswerError as exc:
                    raise _fail(group.id, f"the choice {choice.label!r}: {qid} {exc.message}") from None
        return
    opened: set[str] = set()
    for q in followers:
        refs = conditions.fields_in(q.when)
        if not refs or any(name != lead.id for name, _ in refs):
            raise _fail(group.id, f"{q.id} must follow from {lead.id}'s answer alone (its `when`)")
        if group.kind == "detail":
            clause = refs[0][1]
            if len(refs) != 1 or "includes" not in clause or tax.values_for(q.id) is None:
                raise _fail(group.id, f"{q.id} must be a list opened by one of {lead.id}'s choices")
            if clause["includes"] in opened:
                raise _fail(group.id, f"two follow-ups are opened by {lead.id} {clause['includes']!r}")
            opened.add(clause["includes"])
            if not set(q.audiences) <= set(lead.audiences):
                raise _fail(group.id, f"{q.id} is asked of people {lead.id} is not")
    if group.kind == "detail" and not (lead.field.multiple and tax.values_for(lead.id) is not None):
        raise _fail(group.id, f"{lead.id} must be a multiple choice")
    if group.kind == "fold":
        codes = tax.values_for(lead.id)
        if lead.field.type != "Boolean" and not (codes and {c.code for c in codes.codes} <= {"y", "n", "u"}):
            raise _fail(group.id, f"{lead.id} must be a yes/no question")


def _check_event_types(group: Group, event_types: Mapping[str, tuple[Step, ...]]) -> None:
    """In every event type that asks any of the group, its lead is asked and the ones it lists are next to
    each other, in the group's order: asking them together then changes no question's place."""
    for code, steps in event_types.items():
        ids = [s.question.id for s in steps]
        present = [q for q in group.questions if q in ids]
        if not present:
            continue
        if group.lead not in present:
            raise _fail(group.id, f"{code} asks {present} without {group.lead}")
        if group.kind == "together" and present != list(group.questions):
            raise _fail(group.id, f"{code} asks only {present} of it")
        at = [ids.index(q) for q in present]
        if at != list(range(at[0], at[0] + len(at))):
            raise _fail(group.id, f"in {code} its questions are not listed together and in its order")


def load_groups(raw: Any, questions: Mapping[str, Question], event_types: Mapping[str, tuple[Step, ...]],
                tax: Taxonomy) -> dict[str, Group]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError("groups must be a mapping of group names")
    groups = {gid: _one(gid, body, questions) for gid, body in raw.items()}
    member_of: dict[str, str] = {}
    for group in groups.values():
        for qid in group.questions:
            if member_of.setdefault(qid, group.id) != group.id:
                raise _fail(group.id, f"{qid} is already in group {member_of[qid]}")
        _check_kind(group, questions, tax)
        _check_event_types(group, event_types)
    return groups


# Asking -----------------------------------------------------------------------------------------------

def group_of(plan: Plan, qid: str) -> Group | None:
    return next((g for g in plan.groups.values() if qid in g.questions), None)


def for_slot(plan: Plan, event_type: str | None, audience: str, doc: AnswerDoc, slot: Slot,
             slots: list[Slot]) -> Group | None:
    """The group the assistant asks in place of `slot` (the next open question), if any: one it leads,
    worded for the audience, whose condition holds and, for `together`, whose fields are all still open."""
    from backend.plan.evaluate import is_open, patient_count

    group = next((g for g in plan.groups.values() if g.lead == slot.question.id), None)
    if group is None or group.kind == "fold" or not group.text(audience):
        return None  # a fold's lead asks its follow-up in its own words
    if group.when == "one_patient" and patient_count(plan, doc) != 1:
        return None
    if group.kind == "together":
        here = {s.question.id: s for s in slots if s.patient == slot.patient and s.asked}
        if any(q not in here or not is_open(doc, here[q]) for q in group.questions):
            return None
    return group


def detail_choices(plan: Plan, group: Group, tax: Taxonomy, audience: str) -> list[dict[str, Any]]:
    """The lead's choices, then each follow-up's, coded "<field>:<code>" (picking one answers both)."""
    from backend.plan import present

    out = list(present.choices(plan.questions[group.lead], tax, audience) or [])
    for qid in group.followers:
        q = plan.questions[qid]
        if q.asks(audience):
            out += [{**c, "code": f"{qid}{FOLLOWER_SEP}{c['code']}"} for c in present.choices(q, tax, audience) or []]
    return out


def opened_by(plan: Plan, group: Group, follower: str) -> str:
    """The lead's code that opens a detail group's follow-up (its `includes`)."""
    return conditions.fields_in(plan.questions[follower].when)[0][1]["includes"]


def split_detail(plan: Plan, group: Group, codes: list[str]) -> dict[str, list[str]]:
    """A detail group's picked codes as answers: {lead: [...], follower: [...]}, the lead including every
    problem a picked detail belongs to."""
    out: dict[str, list[str]] = {group.lead: []}
    for code in codes:
        follower, sep, detail = code.partition(FOLLOWER_SEP)
        if not sep:
            out[group.lead].append(code)
            continue
        out.setdefault(follower, []).append(detail)
        out[group.lead].append(opened_by(plan, group, follower))
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}


def view(plan: Plan, group: Group, base: dict[str, Any], tax: Taxonomy, audience: str) -> dict[str, Any]:
    """The next question's view (present.question_view of the lead) as the group's one question."""
    lead = plan.questions[group.lead]
    if group.kind == "detail":
        choices = detail_choices(plan, group, tax, audience)
        multiple = True
    else:
        choices = [{"code": c.shown(audience), "label": c.shown(audience)} for c in group.choices]
        multiple = False
    helps = [plan.questions[q].help_text(audience) for q in group.questions] if group.kind == "together" \
        else [lead.help_text(audience)]
    return {**base, "text": group.text(audience), "choices": choices or None, "multiple": multiple,
            "help": " ".join(h for h in helps if h) or None, "answer_in_words": [],
            "group": {"id": group.id, "kind": group.kind, "fields": list(group.questions)}}
