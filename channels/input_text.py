"""What every channel does to a message's text before anything else sees it, and the replies the
channels give to messages with no words in them or too many.

Kept: every printable character in any script (emoji, Arabic, Hebrew, ...), line breaks and tabs, the
invisible marks real right-to-left and emoji text needs (LRM, RLM, ALM, ZWJ). HTML, script and SQL
are words like any other: they are stored as typed and escaped wherever they are shown (the
backend's templates, PDF and CSV export do that), never rewritten here.

Removed: C0 and C1 control characters (NUL, ESC, ...) and DEL, which no one types and which are not
allowed in the XML of Twilio's TwiML; the bidirectional embedding, override and isolate characters
(U+202A-U+202E, U+2066-U+2069), which can make stored text display differently from what it is
("Trojan Source"); and lone surrogates (possible in JSON's \\ud800 escapes, not encodable in UTF-8),
replaced by U+FFFD. Line endings become \\n, and the text is NFC-normalised.

Typed commands: Rasa takes a message that starts with "/" (after spaces) as an intent given outright,
"/restart" or '/inform{"account_id": ...}', skipping the NLU. No person types those on purpose and no
button of ours sends them (buttons send their labels), so every channel passes what people send
through `words()`, which takes the leading slashes off: the rest is read as words like any other."""

from __future__ import annotations

import re
import unicodedata

from wording.render import say

COMMAND_PREFIX = re.compile(r"^[\s/]+")  # Rasa strips spaces before looking for its "/"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SURROGATE = re.compile("[\ud800-\udfff]")  # in a Python str, only ever a lone one

EMPTY = say("channel_empty", "public", "screen")


def too_long(limit: int) -> str:
    return say("channel_too_long", "public", "screen", limit=f"{limit:,}")


def clean(text: str) -> str:
    """The text with control, bidi-override and lone surrogate characters removed (see the module)."""
    text = SURROGATE.sub("\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", CONTROL.sub("", text))


def not_a_command(text: str) -> str:
    """The text without the leading "/" that would make Rasa take it as an intent (see the module)."""
    return COMMAND_PREFIX.sub("", text) if text.lstrip().startswith("/") else text


def words(text: str) -> str:
    """What a channel passes on of a message a person sent: clean(), and never a command to Rasa."""
    return not_a_command(clean(text))
