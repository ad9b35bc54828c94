"""Every identifier pattern runs in linear time, whatever the input (issue 16).

A backtracking pattern such as the old date-of-birth cue followed by ``\\s*[:=-]?\\s*`` took
4 s on "born" and 5,000 spaces, holding the backend's one process. Each pattern here is run on
pathological inputs of 5,000 and then 50,000 characters: a quadratic pattern takes seconds on
the first and minutes on the second, a linear one milliseconds on both.
"""

from __future__ import annotations

import time

import pytest

from backend.identifiers import find_identifiers
from backend.identifiers.detect import _DETECTORS

# Repeated units that feed each pattern's loops: cues, separators, digits, letters, joiners.
UNITS = [
    " ", "\u00a0", "\t", "-", ".", "/", "@", ":", "0", "1", "07", "1-", "1.", "1 ", "12/", "12 ",
    "a", "a.", "a-", "a ", "a@", "a@b.", "a dot ", "a at ", "at ", "[at] ", "(dot) ", " . ",
    "dob ", "d.o.b. ", "born ", "b. ", "12th of ", "Mar ", "SW1A ", "sw1a", "44 ", "+44 ", "(0",
    "(020) ", "9434765919", "943 476 ",
]  # fmt: skip
CUES = ["born", "DOB", "date of birth is", "birthday", "jo at nhs", "call 07700", "NHS 943", "SW1A"]
SIZES = (5_000, 50_000)
LIMIT_SECONDS = 1.0


def inputs(size: int) -> list[str]:
    texts = [unit * (size // len(unit)) for unit in UNITS]
    texts += [cue + unit * (size // len(unit)) for cue in CUES for unit in (" ", "\u00a0", "-", ":", " -")]
    texts += [unit * (size // len(unit)) + "12/03/1956" for unit in ("born ", "a.", "1 ")]
    return texts


def slowest(run, texts: list[str]) -> tuple[float, str]:
    worst = (0.0, "")
    for text in texts:
        started = time.perf_counter()
        run(text)
        worst = max(worst, (time.perf_counter() - started, text[:30]))
    return worst


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("detector", _DETECTORS, ids=lambda d: f"{d[0]}:{d[1].pattern[:24]}")
def test_each_pattern_is_linear_on_pathological_input(detector, size: int) -> None:
    pattern = detector[1]
    seconds, text = slowest(lambda t: sum(1 for _ in pattern.finditer(t)), inputs(size))
    assert seconds < LIMIT_SECONDS, f"{pattern.pattern[:40]!r} took {seconds:.2f}s on {text!r}..."


@pytest.mark.parametrize("size", SIZES)
def test_find_identifiers_is_linear_on_pathological_input(size: int) -> None:
    seconds, text = slowest(find_identifiers, inputs(size))
    assert seconds < LIMIT_SECONDS, f"find_identifiers took {seconds:.2f}s on {text!r}..."


def test_cue_then_fifty_thousand_spaces_is_fast_and_still_finds_what_follows() -> None:
    text = "born" + " " * 50_000 + "on 12/03/1956, NHS 943 476 5919"
    started = time.perf_counter()
    findings = find_identifiers(text)
    assert time.perf_counter() - started < LIMIT_SECONDS
    # Folded, the spaces are one: "born on 12/03/1956" is a date of birth however it is padded.
    assert [(f.kind, text[f.start : f.end]) for f in findings] == [
        ("date_of_birth", "12/03/1956"),
        ("nhs_number", "943 476 5919"),
    ]
