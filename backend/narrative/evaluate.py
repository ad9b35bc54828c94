"""Every field the analysis reads, scored on the held-out development set: `python -m backend.narrative.evaluate`
(`make narrative-eval`).

The pipeline is the one the service runs (built from the training data if missing or stale; the build
never reads the held-out file). Each held-out message goes through `analyse` with its own reporting
time and audience, as through POST /narrative/analyse. Printed, never asserted:
- per field: messages labelled, answers given, correct, precision, recall, and accuracy over every
  message (saying nothing where the label says nothing counts as right). Lists (areas, agents,
  medicines, devices) are scored per item (micro) for precision and recall, and as exact sets for
  accuracy. Fields a plan question does not ask the audience (shift, patient count for the public) are
  left out for that message.
- the event types' confusion matrix, macro-F1, the classifier against the keyword rules, and how well
  the classifier's confidence is calibrated (accuracy per confidence band, expected calibration error);
- time per analysis (median, p95);
- with several files (the held-out batches), the same again for all of them pooled, and a summary row each.
`--errors` lists every wrong field, to guide new examples (never to tune to single sentences).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from backend.config import NARRATIVE_MODEL_DIR
from backend.narrative import rules
from backend.narrative.analyse import analyse
from backend.narrative.devset import HELDOUT_PATH, HELDOUT_PATHS, Labelled, load
from backend.narrative.store import get_model
from backend.plan import get_plan
from backend.taxonomy import get_taxonomy

EVENT_TYPES = ("incident", "poor_outcome", "risk", "good_care")
LISTS = ("service area", "agents", "medicines", "devices")
BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01))


@dataclass
class Score:
    gold: int = 0  # messages (or list items) labelled
    given: int = 0  # answers (or list items) given
    correct: int = 0
    exact: int = 0  # messages where the answer equals the label (both empty counts)
    messages: int = 0
    errors: list[str] = field(default_factory=list)

    def row(self, name: str) -> str:
        p = self.correct / self.given if self.given else float("nan")
        r = self.correct / self.gold if self.gold else float("nan")
        a = self.exact / self.messages if self.messages else float("nan")
        return f"{name:<16}{self.gold:>6}{self.given:>7}{self.correct:>8}{p:>11.3f}{r:>8.3f}{a:>10.3f}"


def _same(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a in b or b in a  # "morphine" and "morphine sulfate"; "the defib" and "defib"


def _matched(gold: list[str], given: list[str]) -> int:
    left = list(given)
    hits = 0
    for g in gold:
        hit = next((x for x in left if _same(g, x)), None)
        if hit is not None:
            left.remove(hit)
            hits += 1
    return hits


def _predicted(result: dict, item: Labelled) -> dict:
    got = {s["field"]: s for s in result["suggestions"]}
    today = got.get("IncidentOccurredToday", {}).get("value")
    day = item.reported_at.date() if today == "y" else (
        date.fromisoformat(got["ApproximateDate"]["value"]) if "ApproximateDate" in got else None)
    agents = got.get("InvolvedAgents", {})
    return {
        "event type": got.get("EventType", {}).get("value"),
        "date": day,
        "time": got.get("PreciseTime", {}).get("value"),
        "shift": got.get("EstimatedTime", {}).get("value"),
        "service area": list(got.get("ServiceArea", {}).get("value", [])),
        "location": got.get("LocationWithinService", {}).get("value"),
        "agents": list(agents.get("value", [])),
        "medicines": list(got.get("DrugsInvolved", {}).get("value", [])),
        "devices": [s["text"] for s in agents.get("spans", []) if s["value"] == "3"],
        "patients": got.get("PatientCount", {}).get("value"),
        "harm": got.get("PhysicalHarm", {}).get("value"),
    }


def _gold(item: Labelled) -> dict:
    staff = item.audience == "staff"
    return {
        "event type": item.event_type,
        "date": item.date,
        "time": item.time,
        # The plan asks for a shift only without a time, and staff only; the patient count of staff only.
        "shift": item.shift if staff and not item.time else None,
        "service area": sorted(item.areas),
        "location": item.location,
        "agents": sorted(item.agents),
        "medicines": list(item.medicines),
        "devices": list(item.devices),
        "patients": item.patients if staff else None,
        "harm": item.harm,
    }


def _score(scores: dict[str, Score], gold: dict, pred: dict, text: str) -> None:
    for name, truth in gold.items():
        s = scores.setdefault(name, Score())
        guess = pred[name]
        s.messages += 1
        if name in LISTS:
            guess = list(dict.fromkeys(guess))
            s.gold += len(truth)
            s.given += len(guess)
            hits = _matched(truth, guess) if name in ("medicines", "devices") else len(set(truth) & set(guess))
            s.correct += hits
            ok = hits == len(truth) == len(guess)
        else:
            s.gold += truth is not None
            s.given += guess is not None
            s.correct += truth is not None and guess == truth
            ok = guess == truth
        s.exact += ok
        if not ok:
            s.errors.append(f"{name}: {truth!r} -> {guess!r}: {text}")


def _confusion(pairs: list[tuple[str, str]]) -> tuple[str, float]:
    lines = ["truth \\ read   " + "".join(f"{t[:12]:>13}" for t in EVENT_TYPES)]
    f1s = []
    for t in EVENT_TYPES:
        lines.append(f"{t:<15}" + "".join(f"{sum(1 for g, p in pairs if g == t and p == q):>13}" for q in EVENT_TYPES))
        tp = sum(1 for g, p in pairs if g == p == t)
        fp = sum(1 for g, p in pairs if p == t and g != t)
        fn = sum(1 for g, p in pairs if g == t and p != t)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return "\n".join(lines), sum(f1s) / len(f1s)


def _calibration(rows: list[tuple[float, bool]]) -> tuple[list[str], float]:
    lines, ece = [], 0.0
    for lo, hi in BANDS:
        band = [(c, ok) for c, ok in rows if lo <= c < hi]
        if not band:
            continue
        conf = statistics.fmean(c for c, _ in band)
        acc = sum(ok for _, ok in band) / len(band)
        ece += len(band) / len(rows) * abs(acc - conf)
        lines.append(f"  confidence {lo:.1f}-{min(hi, 1.0):.1f}: {len(band):>3} messages, mean confidence {conf:.2f}, "
                     f"accuracy {acc:.2f}")
    return lines, ece


def evaluate(path: Path | Sequence[Path] = HELDOUT_PATH, model_dir: Path = NARRATIVE_MODEL_DIR,
             errors: bool = False) -> dict:
    """Score one file of labelled messages, or several together (the held-out batches pooled)."""
    model = get_model(model_dir)
    plan, tax = get_plan(), get_taxonomy()
    paths = [path] if isinstance(path, Path) else list(path)
    items = [item for p in paths for item in load(p)]
    name = paths[0].name if len(paths) == 1 else f"{len(paths)} batches pooled ({', '.join(p.name for p in paths)})"
    analyse("warm up", "staff", None, model=model, plan=plan, tax=tax)
    scores: dict[str, Score] = {}
    timings, pairs, rule_pairs, calibration = [], [], [], []
    for item in items:
        started = time.perf_counter()
        result = analyse(item.text, item.audience, item.reported_at, model=model, plan=plan, tax=tax)
        timings.append((time.perf_counter() - started) * 1000)
        pred = _predicted(result, item)
        _score(scores, _gold(item), pred, item.text)
        pairs.append((item.event_type, pred["event type"]))
        rule_pairs.append((item.event_type, rules.classify(item.text).event_type))
        et = next(s for s in result["suggestions"] if s["field"] == "EventType")
        calibration.append((et["confidence"], et["value"] == item.event_type))

    print(f"Held-out development set: {name}, {len(items)} messages "
          f"({sum(i.audience == 'public' for i in items)} from the public); event type by {result['event_type_method']}\n")
    print(f"{'field':<16}{'gold':>6}{'given':>7}{'correct':>8}{'precision':>11}{'recall':>8}{'accuracy':>10}")
    for name, s in scores.items():
        print(s.row(name))
    print("\n(gold: messages or list items labelled; recall of date = accuracy where determinable; recall of harm ="
          " accuracy where stated)\n")
    matrix, macro = _confusion(pairs)
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    rule_matrix, rule_macro = _confusion(rule_pairs)
    rule_accuracy = sum(g == p for g, p in rule_pairs) / len(rule_pairs)
    print("Event type, confusion (rows: label, columns: read):")
    print(matrix)
    print(f"\nEvent type: accuracy {accuracy:.3f}, macro-F1 {macro:.3f} "
          f"(keyword rules alone: accuracy {rule_accuracy:.3f}, macro-F1 {rule_macro:.3f})")
    bands, ece = _calibration(calibration)
    print("Event-type confidence against accuracy:")
    print("\n".join(bands))
    print(f"  expected calibration error {ece:.3f}")
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"\nTime per analysis: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms")
    if errors:
        print("\nErrors:")
        for s in scores.values():
            for line in s.errors:
                print("  " + line)
    return {"scores": scores, "accuracy": accuracy, "macro_f1": macro, "ece": ece,
            "median_ms": statistics.median(timings), "p95_ms": p95}


def _summary(name: str, r: dict) -> str:
    s = r["scores"]

    def recall(field: str) -> float:
        return s[field].correct / s[field].gold if s[field].gold else float("nan")

    agents = s["agents"]
    precision = agents.correct / agents.given if agents.given else float("nan")
    return (f"{name:<26}{r['accuracy']:>9.3f}{r['macro_f1']:>9.3f}{recall('date'):>7.3f}{precision:>9.3f}"
            f"{recall('agents'):>9.3f}{recall('harm'):>7.3f}{r['median_ms']:>9.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.narrative.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="list every field read wrong")
    parser.add_argument("--data", type=Path, action="append",
                        help=f"labelled messages (default: the held-out batch, {', '.join(p.name for p in HELDOUT_PATHS)})")
    args = parser.parse_args(argv)
    paths = args.data or list(HELDOUT_PATHS)
    results = []
    for path in paths:
        results.append((path.name, evaluate(path, errors=args.errors)))
        print("\n" + "=" * 100 + "\n")
    if len(paths) > 1:  # the held-out part as a whole: every message once, so small batches do not swing it
        results.append((f"pooled ({len(paths)} batches)", evaluate(paths)))
        print("\n" + "=" * 100 + "\n")
    print(f"{'held-out batch':<26}{'type acc':>9}{'macro-F1':>9}{'date':>7}{'agents P':>9}{'agents R':>9}{'harm':>7}{'median ms':>10}")
    for name, r in results:
        print(_summary(name, r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
