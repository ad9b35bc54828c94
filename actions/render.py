"""A backend question as a chat message: the question, its choices as buttons (channels render
them per medium: numbered over SMS, spoken on the phone), and a hint for skipping."""

from __future__ import annotations

from typing import Any

MAX_BUTTONS = 12


def buttons(question: dict[str, Any]) -> list[dict[str, str]]:
    choices = question.get("choices") or []
    if len(choices) > MAX_BUTTONS:
        return []
    return [{"title": c["label"], "payload": c["label"]} for c in choices]


def question_message(question: dict[str, Any], audience: str) -> dict[str, Any]:
    text = question["text"]
    choices = question.get("choices") or []
    if question.get("multiple") and choices:
        text += " Choose all that apply (for example: 1, 3)."
    if len(choices) > MAX_BUTTONS:
        # Long lists (specialties, device types) are listed by number rather than as buttons.
        text += "\n" + "\n".join(f"{i}. {c['label']}" for i, c in enumerate(choices, 1))
    elif question.get("type") == "date":
        text += " (for example 'yesterday' or 12/03/2026)"
    elif question.get("type") == "time":
        text += " (for example 15:30 or 3pm)"
    if not question.get("mandatory"):
        text += " You can say 'skip'." if audience == "staff" else " You can say 'skip' if you'd rather not say."
    return {"text": text, "buttons": buttons(question)}
