"""The assistant's replies made fit to be heard on a phone call, from their structured messages
(wording/render.py, medium "speech"): choices read a few at a time with the keys that pick them, the
call ended when the message says the conversation ended, the reference spelled out."""

from __future__ import annotations

from typing import Any

from wording import spoken
from wording.render import MORE_KEY, PAGE, Rendered, page_count, read_choices, rendered, say

__all__ = ["MORE_KEY", "PAGE", "page_count", "heard", "read_options", "phrase", "code_words", "sentences"]


def phrase(message_id: str, **params: Any) -> str:
    """One of the phone channel's own sentences (catalogue ids call_*)."""
    return say(message_id, "public", "speech", **params)


def code_words(code: str) -> str:
    """How a caller gets back to a draft; the code digit by digit, in groups of four."""
    return phrase("call_code", code=spoken.digits(code))


def sentences(text: str) -> str:
    """A reply's lines as one spoken turn."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def heard(message: dict[str, Any]) -> Rendered:
    """One reply as it is said: its words, its choices, whether the conversation ended."""
    out = rendered(message, "speech")
    out.text = sentences(out.text)
    return out


def read_options(options: list[dict[str, str]], page: int, multiple: bool) -> str:
    return read_choices(options, page, multiple)
