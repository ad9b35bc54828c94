"""SMS replies in one segment: every public message an SMS reporter can get (the catalogue's messages and
the SMS channel's own replies, every public question of the plan with its numbered choices) rendered as
the SMS channel renders it, and counted as the networks count it (GSM-7, escapes count two, one
character outside GSM-7 makes the whole text UCS-2 at 70 a segment). At least 95% fit one segment; the
share and the longest are printed (pytest -s)."""

from __future__ import annotations

import re

from backend.plan import groups
from backend.plan.model import get_plan
from backend.plan.present import choices
from backend.taxonomy import get_taxonomy
from channels.sms_render import segments
from wording import catalogue
from wording.message import message, question
from wording.render import render

TARGET = 0.95
# What a reporter's words and the system's values typically look like in a message.
PARAMS = {"label": "the time", "new": "3pm", "old": "2pm", "items": "the date", "name": "Beacon Surgery", "n": 3,
          "minutes": 30, "code": "123456789012", "reason": "must be a date", "what": "a phone number",
          "question": "What time did it happen?"}
LINES = [{"name": "When", "value": "Yesterday"}, {"name": "Where", "value": "Beacon Surgery"},
         {"name": "Harm", "value": "A little"}]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
NOT_REPLIES = {"question", "help_text"}  # the plan's own texts, measured from the plan below


def catalogue_replies() -> dict[str, str]:
    out = {}
    for mid, entry in catalogue.entries().items():
        if mid in NOT_REPLIES or not catalogue.has_wording(mid, "public", "sms"):
            continue
        if "kind" not in entry and not mid.startswith("sms_"):
            continue  # a fragment (a hint, a choice line), measured inside the messages that use it
        words = catalogue.wording(mid, "public", "sms")
        params = {p: PARAMS.get(p, "it") for p in PLACEHOLDER.findall(words) if p not in ("lines", "reference")}
        m = message(mid, "public", params=params, lines=LINES, reference="PSE-2026-000123",
                    choices=[{"label": "Beacon Surgery", "payload": "1"}, {"label": "Beacon Hospital", "payload": "2"}]
                    if entry.get("kind") == "choice" else None)
        out[f"catalogue {mid}"] = render(m, "sms").text
    return out


def plan_replies() -> dict[str, str]:
    plan, tax, out = get_plan(), get_taxonomy(), {}
    for event_type, steps in plan.event_types.items():
        for step in steps:
            q = step.question
            if not q.asks("public") or not q.core:
                continue
            view = {"field": q.id, "text": q.text("public"), "type": "date" if q.format == "date" else q.field.type.lower(),
                    "multiple": q.field.multiple, "mandatory": "public" in step.mandatory_for,
                    "choices": choices(q, tax, "public"), "answer_in_words": list(q.answer_in_words)}
            out[f"plan {q.id} ({event_type})"] = render(question(view, "public"), "sms").text
    for group in plan.groups.values():  # a group asked as one question (backend/plan/groups.py)
        lead = plan.questions[group.lead]
        if group.text("public") and group.kind != "fold":
            base = {"field": lead.id, "type": lead.field.type.lower(), "mandatory": True, "choices": None}
            view = groups.view(plan, group, base, tax, "public")
            out[f"plan group {group.id}"] = render(question(view, "public"), "sms").text
    return out


def test_gsm7_segments_are_counted_as_networks_count_them():
    assert [segments("a" * n) for n in (160, 161, 306, 307)] == [1, 2, 2, 3]
    assert [segments("{" * 80), segments("{" * 81)] == [1, 2]  # an escape and the character: two units
    assert [segments("’" + "a" * 69), segments("’" + "a" * 70)] == [1, 2]  # a curly apostrophe: UCS-2


def test_no_public_sms_has_a_character_that_forces_ucs2():
    replies = {**catalogue_replies(), **plan_replies()}
    ucs2 = {where: text for where, text in replies.items() if segments(text) > segments(text.encode("ascii", "replace").decode())}
    assert ucs2 == {}


def test_at_least_95_percent_of_public_sms_replies_fit_one_segment():
    replies = {**catalogue_replies(), **plan_replies()}
    unique = dict(zip(replies.values(), replies.keys()))  # the same question in several event types counts once
    one = [text for text in unique if segments(text) == 1]
    share = len(one) / len(unique)
    print(f"\n{len(unique)} distinct public SMS replies; {len(one)} in one segment ({share:.1%}); longer ones:")
    for text, where in sorted(unique.items(), key=lambda kv: -len(kv[0])):
        if segments(text) > 1:
            print(f"  {segments(text)} segments, {len(text)} chars: {where}: {text[:70]!r}")
    assert share >= TARGET
