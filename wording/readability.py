"""Flesch-Kincaid grade of a text, with a rule-based syllable counter (no dictionary): good enough to
rank prompts and catch long words and long sentences, which is what the public wording test needs.

    grade = 0.39 * words / sentences + 11.8 * syllables / words - 15.59

A grade of 6 is about reading age 11 (UK year 7). textstat (on PyPI) computes the same formula; it is
not used so that the bot and backend environments need no new dependency for one test."""

from __future__ import annotations

import re

WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
SENTENCE_END = re.compile(r"[.?!:;]+(?:\s|$)|\n+")
SILENT_END = re.compile(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$")
VOWEL_GROUP = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    w = word.lower().split("'")[0]
    if w.isdigit():
        return min(len(w), 3)  # "999", "111": said digit by digit, counted as up to three
    if len(w) <= 3:
        return 1
    w = SILENT_END.sub(lambda m: m.group(0)[0], w)  # "made", "tablets", "happened": no extra syllable
    w = w[1:] if w.startswith("y") else w
    return max(1, len(VOWEL_GROUP.findall(w)))  # "table", "people": the final -le keeps its vowel


def words(text: str) -> list[str]:
    return WORD.findall(text)


def sentences(text: str) -> int:
    return max(1, len([s for s in SENTENCE_END.split(text) if WORD.search(s)]))


def grade(text: str) -> float:
    found = words(text)
    if not found:
        return 0.0
    syl = sum(syllables(w) for w in found)
    return 0.39 * len(found) / sentences(text) + 11.8 * syl / len(found) - 15.59
