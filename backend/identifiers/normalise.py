"""Fold a text to the one spelling the identifier patterns are written for.

Reporters paste identifiers with non-breaking or thin spaces, en dashes,
full-width or Arabic-Indic digits and runs of spaces; a pattern that only knows
ASCII would let those through. Each character is folded (NFKC, every dash to
"-", every digit to its ASCII digit, every whitespace run to one space, zero
width characters dropped) and every folded character remembers the span of the
original text it came from, so findings still point into what was typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Format characters that hide inside numbers without showing: zero-width space
# and joiners, word joiner, soft hyphen, byte-order mark.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\u00ad\ufeff")
_DASHES = frozenset("\u2212\ufe63\uff0d")  # minus sign, small and full-width hyphen-minus
_PLAIN = re.compile(r"[\x21-\x7e]*(?: [\x21-\x7e]+)*")


@dataclass(frozen=True)
class Folded:
    """``text`` folded; ``text[i]`` came from ``original[starts[i]:ends[i]]``."""

    text: str
    starts: list[int]
    ends: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that folded ``[start, end)`` came from."""
        return self.starts[start], self.ends[end - 1]


def _fold_char(c: str) -> str:
    if c in _INVISIBLE:
        return ""
    if c.isspace():
        return " "
    if c in _DASHES or unicodedata.category(c) == "Pd":
        return "-"
    if unicodedata.category(c) == "Nd":
        return str(unicodedata.digit(c))
    folded = unicodedata.normalize("NFKC", c)
    if folded == c:
        return c
    return "".join(_fold_char(f) if f != c else f for f in folded)


def fold(text: str) -> Folded:
    """Fold ``text`` for detection; plain ASCII with single spaces is kept as it is."""
    if _PLAIN.fullmatch(text):
        positions = list(range(len(text)))
        return Folded(text, positions, list(range(1, len(text) + 1)))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, c in enumerate(text):
        for f in _fold_char(c):
            if f == " " and out and out[-1] == " ":
                ends[-1] = i + 1  # a run of spaces folds to the first one's place
                continue
            out.append(f)
            starts.append(i)
            ends.append(i + 1)
    return Folded("".join(out), starts, ends)
