"""The structured message an action sends (as Rasa's custom payload, under KEY) beside a plain text
fallback: what is said, never how. Channels render it for their medium (wording/render.py).

    id          the catalogue entry ("question" for a plan question, whose text comes from the plan)
    kind        question, choice, confirm, info, error, ended
    audience    staff or public
    params      values put into the wording ({label}, {n}, ...), already in the reporter's words
    lines       rows of a list ({name, value}: a recap, what was understood)
    choices     [{label, payload, sms_label?}]: what may be picked; the payload is what a pick sends back
    answer_in_words  media (sms, speech) where a plan question's choices are not listed: the reply is
                a value in words (an age) that the interpreter reads into its choice
    multiple    several choices may be picked
    answer_type a plan question's type (date, time, ...), for the hints each medium gives
    optional    a plan question that may be skipped
    group       the kind of the plan group a question asks as one (together, detail), if any
    ended       the conversation is over (the phone hangs up)
    reference   the submitted record's reference number"""

from __future__ import annotations

from typing import Any

from wording import catalogue

KEY = "message"


def message(message_id: str, audience: str, *, params: dict[str, Any] | None = None,
            lines: list[dict[str, str]] | None = None, choices: list[dict[str, str]] | None = None,
            multiple: bool = False, reference: str | None = None, **extra: Any) -> dict[str, Any]:
    entry = catalogue.entry(message_id)
    fixed = catalogue.choices(message_id, audience)
    return {
        "id": message_id,
        "kind": entry.get("kind", "info"),
        "audience": audience,
        "params": dict(params or {}),
        "lines": list(lines or []),
        "choices": list(choices if choices is not None else fixed),
        "multiple": multiple,
        "ended": bool(entry.get("ended", False)),
        "reference": reference,
        **extra,
    }


def question(q: dict[str, Any], audience: str) -> dict[str, Any]:
    """A plan question (the backend's next question) as a structured message."""
    choices = [{"label": c["label"], "payload": c["label"], **({"sms_label": c["sms_label"]} if c.get("sms_label") else {})}
               for c in q.get("choices") or []]
    return message("question", audience, params={"text": q["text"]}, choices=choices,
                   multiple=bool(q.get("multiple")), answer_type=q.get("type"), optional=not q.get("mandatory"),
                   field=q.get("field"), answer_in_words=list(q.get("answer_in_words") or []),
                   group=(q.get("group") or {}).get("kind"))


def structured(rasa_message: dict[str, Any]) -> dict[str, Any] | None:
    """The structured message in one of Rasa's bot messages (its `custom` payload), if it has one."""
    custom = rasa_message.get("custom")
    found = custom.get(KEY) if isinstance(custom, dict) else None
    return found if isinstance(found, dict) and "id" in found else None
