"""The wording catalogue (catalogue.yml): looked up by message id, audience and medium."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PATH = Path(__file__).with_name("catalogue.yml")
AUDIENCES = ("staff", "public")
MEDIUMS = ("screen", "sms", "speech")
# Keys of an entry that are not wording.
META = {"kind", "ended", "choices", "public_choices", "reading_grade_exception"}


class UnknownMessage(KeyError):
    pass


@lru_cache(maxsize=1)
def entries() -> dict[str, dict[str, Any]]:
    with PATH.open(encoding="utf-8") as f:
        return yaml.safe_load(f)["messages"]


def entry(message_id: str) -> dict[str, Any]:
    try:
        return entries()[message_id]
    except KeyError:
        raise UnknownMessage(message_id) from None


def wording(message_id: str, audience: str, medium: str) -> str:
    """The entry's words for this audience and medium: the most specific of `<audience>.<medium>`,
    `<audience>`, `any.<medium>`, `any`."""
    e = entry(message_id)
    for key in (f"{audience}.{medium}", audience, f"any.{medium}", "any"):
        if key in e:
            return str(e[key])
    raise UnknownMessage(f"{message_id} has no wording for {audience} on {medium}")


def has_wording(message_id: str, audience: str, medium: str) -> bool:
    try:
        wording(message_id, audience, medium)
    except UnknownMessage:
        return False
    return True


def choices(message_id: str, audience: str) -> list[dict[str, str]]:
    """An entry's fixed choices (yes/no and the like), as {label, payload}."""
    e = entry(message_id)
    table = e.get(f"{audience}_choices") or e.get("choices") or {}
    return [{"label": str(label), "payload": str(payload)} for payload, label in table.items()]


def readability_words(text: str) -> list[str]:
    from wording.readability import words
    return words(text)
