"""Where in the narrative a reading rests: a span of the text, a value found there, and the helper every
finder uses to skip text it must not read (identifiers, organisation names already matched)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Found(Generic[V]):
    """One value read from the narrative (a code, a count, a date, a clock time), how sure, and where."""

    value: V
    confidence: float
    span: Span


def overlaps(start: int, end: int, blocked: list[tuple[int, int]]) -> bool:
    """Whether [start, end) overlaps any of the blocked character ranges."""
    return any(start < e and s < end for s, e in blocked)
