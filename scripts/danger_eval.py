"""`make danger-eval`: the danger-now detector (actions/safety.py) on its own set of danger-now messages
and near misses (tests/bot/data/danger_now.yaml); prints precision and recall against the targets."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.safety import danger_now  # noqa: E402

CASES = ROOT / "tests" / "bot" / "data" / "danger_now.yaml"
RECALL, PRECISION = 0.98, 0.9


def scores(prefix: str = "") -> tuple[float, float, list[str], list[str]]:
    cases = yaml.safe_load(CASES.read_text())
    danger, near = cases[prefix + "danger"], cases[prefix + "not_danger"]
    missed = [t for t in danger if not danger_now(t)]
    false_alarms = [t for t in near if danger_now(t)]
    found = len(danger) - len(missed)
    recall = found / len(danger)
    precision = found / (found + len(false_alarms)) if found + len(false_alarms) else 1.0
    return precision, recall, missed, false_alarms


def main() -> int:
    cases = yaml.safe_load(CASES.read_text())
    met = True
    for prefix, name in (("", "development set"), ("held_out_", "second set (written after tuning; see its comment)")):
        precision, recall, missed, false_alarms = scores(prefix)
        print(f"{name}: {len(cases[prefix + 'danger'])} danger-now messages, "
              f"{len(cases[prefix + 'not_danger'])} near misses")
        print(f"  recall    {recall:.3f}  (target >= {RECALL})")
        print(f"  precision {precision:.3f}  (target >= {PRECISION})")
        for t in missed:
            print(f"    missed:      {t!r}")
        for t in false_alarms:
            print(f"    false alarm: {t!r}")
        met = met and recall >= RECALL and precision >= PRECISION
    print("targets met" if met else "targets NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
