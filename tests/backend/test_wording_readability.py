"""Public wording at reading age 9 to 11: every public prompt in the wording catalogue and every public
question of the plan has a Flesch-Kincaid grade of at most 6, unless the catalogue names why not
(`reading_grade_exception`). The worst prompts are printed (pytest -s) so the figure can be reported."""

from __future__ import annotations

import re

import pytest

from backend.plan.model import get_plan
from wording import catalogue
from wording.readability import grade, syllables

MAX_GRADE = 6.0
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _filled(words: str) -> str:
    # Parameters are the reporter's own words or short values: measured as one short word each.
    return PLACEHOLDER.sub(lambda m: "" if m.group(1) == "lines" else "it", words)


def public_prompts() -> list[tuple[str, str, str | None]]:
    """(where, words, exception) for every public wording in the catalogue and public plan question."""
    out = []
    for mid, entry in catalogue.entries().items():
        for key, words in entry.items():
            if key in catalogue.META or not isinstance(words, str) or key.split(".")[0] not in ("public", "any"):
                continue
            text = _filled(words).strip()
            if len(catalogue.readability_words(text)) >= 3:  # fragments ("{n}. {label}") are not prompts
                out.append((f"catalogue {mid} [{key}]", text, entry.get("reading_grade_exception")))
    for q in get_plan().questions.values():
        if q.asks("public"):
            out.append((f"plan {q.id}", q.text("public"), None))
    for group in get_plan().groups.values():  # a group asked as one question, and its quick answers
        if group.text("public"):
            out.append((f"plan group {group.id}", group.text("public"), None))
    return out


def test_the_syllable_counter_counts_common_words_as_they_are_said():
    expected = {"cat": 1, "made": 1, "tablets": 2, "happened": 2, "table": 2, "people": 2, "hospital": 3,
                "yesterday": 3, "medical": 3, "appointments": 3, "organisation": 5, "999": 3}
    assert {w: syllables(w) for w in expected} == expected


def test_the_grade_follows_flesch_kincaid():
    assert grade("The cat sat on the mat.") == pytest.approx(0.39 * 6 + 11.8 * 1 - 15.59)
    assert grade("Organisational responsibilities necessitate comprehensive documentation.") > 12


def test_every_public_prompt_reads_at_grade_6_or_below_unless_the_catalogue_says_why():
    prompts = public_prompts()
    assert len(prompts) > 80
    graded = sorted(((grade(text), where, text, why) for where, text, why in prompts), reverse=True)
    print(f"\n{len(graded)} public prompts; mean grade {sum(g for g, *_ in graded) / len(graded):.1f}; worst:")
    for g, where, text, why in graded[:8]:
        print(f"  {g:5.1f}  {where}: {text[:90]}" + (f"  (exception: {why})" if why else ""))
    too_hard = [(round(g, 1), where, text) for g, where, text, why in graded if g > MAX_GRADE and not why]
    assert too_hard == []


def test_every_exception_is_still_needed():
    prompts = public_prompts()
    excepted = {where.split(" [")[0] for where, _, why in prompts if why}
    needed = {where.split(" [")[0] for where, text, why in prompts if why and grade(text) > MAX_GRADE}
    assert excepted == needed
