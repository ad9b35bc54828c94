"""Bot messages as SMS bodies: choices as numbered options, plain GSM-7 text where possible, and each
body kept within a few segments (one 160-character segment is the aim; long ones cost more and
arrive split on cheap handsets)."""

from __future__ import annotations

import math
import re
from typing import Any

MAX_SEGMENTS = 3  # per SMS body
INLINE_MAX = 40  # three or fewer labels this short fit on one line: "Reply 1 for Yes or 2 for No."

GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
           "abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXT = set("^{}\\[~]|€\f")  # sent as an escape and the character: two units each
# One curly quote would switch the whole body to UCS-2 (70 characters a segment instead of 160).
PLAIN = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-",
                       "…": "...", "\u00a0": " ", "•": "-", "\t": " "})


def plain(text: str) -> str:
    return text.translate(PLAIN)


def segments(text: str) -> int:
    if all(c in GSM7 or c in GSM7_EXT for c in text):
        units, single, multi = sum(2 if c in GSM7_EXT else 1 for c in text), 160, 153
    else:
        units, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def fits(text: str) -> bool:
    return segments(text) <= MAX_SEGMENTS


def _title(button: dict[str, Any]) -> str:
    return plain(str(button.get("title") or button.get("payload") or "")).strip()


def choices(buttons: list[dict[str, Any]]) -> str:
    titles = [_title(b) for b in buttons]
    if len(titles) <= 3 and sum(map(len, titles)) <= INLINE_MAX and not any("," in t for t in titles):
        options = [f"{i} for {t}" for i, t in enumerate(titles, 1)]
        return "Reply " + (", ".join(options[:-1]) + " or " + options[-1] if len(options) > 1 else options[0]) + "."
    # The question is just above; a bare numbered list keeps it to one segment more often.
    return "\n".join(f"{i}. {t}" for i, t in enumerate(titles, 1))


def message_text(message: dict[str, Any]) -> str:
    text = plain(str(message.get("text") or "")).strip()
    buttons = message.get("buttons") or []
    listed = all(f"{i}. {_title(b)}" in text for i, b in enumerate(buttons, 1))
    if buttons and not listed:  # some actions number the options in the text already
        text = f"{text}\n{choices(buttons)}".strip()
    return text


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
