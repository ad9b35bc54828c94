"""`make reply-eval`: the interpreter on held-out replies (eval/replies.yaml), per kind of question:
how often the right thing would be stored, and how many deletions or changes nobody asked for.
Targets (issue 12): >= 0.95 overall, >= 0.90 for every kind, zero unrequested deletions or changes."""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import yaml

from backend.interpret.correction import read_correction
from backend.interpret.questions import plan_questions, question_for
from backend.interpret.reply import read
from backend.plan.model import get_plan
from backend.taxonomy import get_taxonomy

CASES = Path(__file__).parent / "eval" / "replies.yaml"
OVERALL, PER_KIND = 0.95, 0.90


def main() -> int:
    data = yaml.safe_load(CASES.read_text())
    now = datetime.fromisoformat(data["now"])
    plan, tax = get_plan(), get_taxonomy()
    right: dict[str, list[bool]] = defaultdict(list)
    misses, unrequested_deletes, unrequested_changes = [], 0, 0
    for case in data["replies"]:
        q = question_for(plan, tax, case["field"], case.get("audience", "staff"), case.get("mandatory", True))
        got = read(q, case["text"], now)
        if "act" in case:
            ok = got.act == case["act"]
        else:
            ok = got.act in ("answer", "unknown") and got.value == case["value"]
        unrequested_deletes += got.act == "delete" and case.get("act") != "delete"
        right[case["kind"]].append(ok)
        if not ok:
            misses.append(f"  {case['kind']:<18} {case['field']:<24} {case['text']!r}: got {got.act} {got.value!r}")
    for case in data["corrections"]:
        questions = plan_questions(plan, tax, case.get("event_type", "incident"), case.get("audience", "staff"))
        fix = read_correction(case["text"], questions, set(case["answered"]), now)
        if "act" in case:
            ok = fix.act == case["act"]
            unrequested_changes += fix.act == "change"
        else:
            ok = fix.act == "change" and fix.field == case["field"] and fix.value == case["value"]
            unrequested_changes += fix.act == "change" and fix.field != case["field"]
        right["correction"].append(ok)
        if not ok:
            misses.append(f"  {'correction':<18} {'':<24} {case['text']!r}: got {fix.act} {fix.field} {fix.value!r}")
    unseen, unseen_misses = [], []
    for case in data.get("unseen", []):
        q = question_for(plan, tax, case["field"], case.get("audience", "staff"), case.get("mandatory", True))
        got = read(q, case["text"], now)
        ok = got.act == case["act"] if "act" in case else got.act in ("answer", "unknown") and got.value == case["value"]
        unrequested_deletes += got.act == "delete" and case.get("act") != "delete"
        unseen.append(ok)
        if not ok:
            unseen_misses.append(f"  {case['kind']:<18} {case['field']:<24} {case['text']!r}: got {got.act} {got.value!r}")
    total = [ok for oks in right.values() for ok in oks]
    print(f"{'kind':<20}{'cases':>6}{'right':>8}")
    for kind, oks in right.items():
        print(f"{kind:<20}{len(oks):>6}{sum(oks) / len(oks):>8.2f}")
    overall = sum(total) / len(total)
    print(f"{'overall':<20}{len(total):>6}{overall:>8.2f}")
    print(f"unrequested deletions: {unrequested_deletes}; unrequested changes: {unrequested_changes}")
    if misses:
        print("wrong:", *misses, sep="\n")
    if unseen:
        print(f"unseen set (written after tuning, never used to change it): {len(unseen)} cases, "
              f"right {sum(unseen) / len(unseen):.2f}")
        print(*unseen_misses, sep="\n")
    met = overall >= OVERALL and all(sum(o) / len(o) >= PER_KIND for o in right.values()) \
        and unrequested_deletes == 0 and unrequested_changes == 0
    print(f"targets (>= {OVERALL} overall, >= {PER_KIND} per kind, none unrequested): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
