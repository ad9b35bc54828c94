"""The assistant's messages made fit to be heard on a phone call: no bullets or numbered lists read
out as text, dates said as dates, choices read a few at a time with the keys that pick them.

The assistant writes for screens; these are the few places where its wording assumes one."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

PAGE = 4  # choices read out at once: more is hard to hold in mind on a call
MORE_KEY = "9"
LIST_ITEM = re.compile(r"^\s*(\d{1,2})\.\s+(.+)$")
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
UK_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
REFERENCE = re.compile(r"\bPSE-\d{4}-\d+\b")
RANGE = re.compile(r"\b(\d+)-(\d+)\b")  # "0-14 days" is "0 to 14 days", not "0 minus 14"
STOPPED = re.compile(r"\bI've stopped\b|^Stopped\.")  # the assistant's reply to "stop": the call ends too
MULTIPLE = re.compile(r"\s*Choose all that apply \(for example: [\d, ]+\)\.")
# Written-only wording: what a caller is asked to do must be something they can do on a call.
REWRITES = [
    (re.compile(r"\breply with the number\b", re.I), "press its number"),
    (re.compile(r"\btype your answer\b", re.I), "say your answer"),
    # A new call is a new conversation: the draft code, which the channel adds, is the way back.
    (re.compile(r"\s*To carry on later, message me and say 'carry on'\."), ""),
]


def _spoken_date(m: re.Match, day_first: bool = False) -> str:
    y, a, b = (int(m.group(3)), int(m.group(2)), int(m.group(1))) if day_first else map(int, m.groups())
    try:
        return date(y, a, b).strftime("%-d %B %Y")
    except ValueError:
        return m.group(0)


def code_words(code: str) -> str:
    """How a caller gets back to a draft; the code digit by digit, in groups of four."""
    spoken = ", ".join(" ".join(code[i : i + 4]) for i in range(0, len(code), 4))
    return (f"Your draft code is {spoken}. Again, {spoken}. To carry on, call again and key in the code, "
            "or text the code to this number.")


def spell(reference: str) -> str:
    """PSE-2026-000123 read as letters and digits, so it can be written down."""
    return ", ".join(" ".join(part) for part in reference.split("-"))


def words(text: str) -> str:
    """Dates and number ranges as they are said."""
    text = ISO_DATE.sub(_spoken_date, text)
    text = UK_DATE.sub(lambda m: _spoken_date(m, day_first=True), text)
    return RANGE.sub(r"\1 to \2", text)


def speakable(text: str) -> str:
    """One turn's text as sentences: list markers dropped, each line ending as a sentence."""
    text = MULTIPLE.sub(" Choose all that apply.", text)
    for pattern, spoken in REWRITES:
        text = pattern.sub(spoken, text)
    text = words(text)
    lines = []
    for line in text.splitlines():
        line = line.strip().lstrip("•-* ").strip()
        if line:
            lines.append(line if line[-1] in ".?!:…" else line + ".")
    return " ".join(lines)


def split_options(message: dict[str, Any]) -> tuple[str, list[dict[str, str]], bool]:
    """A message's text without its numbered list, its choices (buttons, else the numbered list, whose
    numbers the assistant accepts), and whether several may be chosen."""
    kept, listed = [], []
    for line in (message.get("text") or "").splitlines():
        m = LIST_ITEM.match(line)
        if m:
            listed.append({"title": m.group(2).strip(), "payload": m.group(1)})
        else:
            kept.append(line)
    text = "\n".join(kept)
    options = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
               for b in message.get("buttons") or []] or listed
    return text, options, bool(MULTIPLE.search(text))


def read_options(options: list[dict[str, str]], page: int, multiple: bool) -> str:
    """'Say yes or press 1, say no or press 2.' for a page of at most PAGE choices."""
    shown = options[page * PAGE:(page + 1) * PAGE]
    if not shown:
        return ""
    short = all(len(o["title"].split()) <= 3 for o in shown)
    parts = [f"say {words(o['title'])} or press {i}" if short else f"for {words(o['title'])}, press {i}"
             for i, o in enumerate(shown, 1)]
    spoken = ", ".join(parts)
    spoken = spoken[0].upper() + spoken[1:] + "."
    if multiple:
        spoken += " You can press more than one number."
    if len(options) > PAGE:
        last = (page + 1) * PAGE >= len(options)
        spoken += (f" To hear the choices again, press {MORE_KEY}." if last
                   else f" For more choices, press {MORE_KEY}.")
    return spoken


def page_count(options: list[dict[str, str]]) -> int:
    return max(1, -(-len(options) // PAGE))
