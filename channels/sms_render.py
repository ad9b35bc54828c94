"""Bot messages as SMS bodies: each reply rendered for SMS from its structured message (choices
numbered, plain GSM-7 punctuation; wording/render.py), the turn's replies packed into as few bodies as
fit, each within a few segments (one 160-character segment is the aim; long ones cost more and
arrive split on cheap handsets)."""

from __future__ import annotations

import math
import re
from typing import Any

from wording.message import structured
from wording.render import plain, rendered, sms_choices

MAX_SEGMENTS = 3  # per SMS body

GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
           "abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXT = set("^{}\\[~]|€\f")  # sent as an escape and the character: two units each
def segments(text: str) -> int:
    if all(c in GSM7 or c in GSM7_EXT for c in text):
        units, single, multi = sum(2 if c in GSM7_EXT else 1 for c in text), 160, 153
    else:
        units, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def fits(text: str) -> bool:
    return segments(text) <= MAX_SEGMENTS


def message_text(message: dict[str, Any]) -> str:
    """One reply as an SMS: from its structured message; a plain reply (the channel's own) as it is,
    its buttons (if any) numbered below it."""
    shown = rendered(message, "sms")
    if shown.text and structured(message) is None and shown.choices:
        listed = sms_choices([{"label": c["title"], "payload": c["payload"]} for c in shown.choices], "public")
        return plain(f"{shown.text}\n{listed}").strip()
    return plain(shown.text).strip()


def payloads(message: dict[str, Any]) -> list[str]:
    """What each number picks in this reply, in order."""
    return [c["payload"] for c in rendered(message, "sms").choices]


def _split(text: str, seps: tuple[str, ...] = ("\n", " ")) -> list[str]:
    """A part too long for one body: split at line breaks, then between words, mid-word only if it must."""
    if fits(text):
        return [text]
    if not seps:
        return _hard_split(text)
    sep, finer = seps[0], seps[1:]
    pieces: list[str] = []
    current = ""
    for unit in text.split(sep):
        for small in _split(unit, finer):
            candidate = f"{current}{sep}{small}" if current else small
            if not fits(candidate):
                pieces.append(current)
                candidate = small
            current = candidate
    return [p for p in pieces + [current] if p]


def _hard_split(text: str) -> list[str]:
    pieces = [""]
    for c in text:
        if not fits(pieces[-1] + c):
            pieces.append("")
        pieces[-1] += c
    return pieces


def bodies(messages: list[dict[str, Any]]) -> list[str]:
    """The turn's messages packed, in order, into as few SMS bodies as fit."""
    out: list[str] = []
    current = ""
    for part in filter(None, (message_text(m) for m in messages)):
        for piece in _split(part):
            candidate = f"{current}\n\n{piece}" if current else piece
            if current and not fits(candidate):
                out.append(current)
                candidate = piece
            current = candidate
    return out + [current] if current else out


NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def chosen(text: str, payloads: list[str]) -> str | None:
    """The payload of the option a bare number picks, if it is one of the last message's options."""
    m = NUMBER.match(text)
    if m and 1 <= int(m.group(1)) <= len(payloads):
        return payloads[int(m.group(1)) - 1]
    return None
