"""Redaction recall on generated identifiers, and false positives on clinical text: `make redaction-eval`.

Recall: the share of generated identifiers (variants.generate: every family the detector covers,
written with the separators, digits, spellings and cues people use) whose every character is inside a
finding. "as its kind" also needs the finding to be of the right kind. False-positive rate: the
share of ordinary clinical sentences (variants.clinical_texts, and the project's example narratives)
with any finding. `--misses` lists what was missed.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import yaml

from backend.identifiers.detect import find_identifiers
from backend.identifiers.variants import Variant, clinical_texts, generate

_EXAMPLES = Path(__file__).resolve().parents[1] / "narrative" / "data" / "event_type_examples.yaml"


def covered(variant: Variant, same_kind: bool) -> bool:
    """True when findings cover every character of the variant's identifier."""
    spans = [(f.start, f.end) for f in find_identifiers(variant.text) if not same_kind or f.kind == variant.kind]
    return all(any(s <= i < e for s, e in spans) for i in range(variant.start, variant.end))


def example_narratives() -> list[str]:
    data = yaml.safe_load(_EXAMPLES.read_text(encoding="utf-8"))
    return [text for texts in data.values() for text in texts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.identifiers.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="list the identifiers not fully redacted, and false positives")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)

    variants = generate(args.seed)
    by_kind: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    misses = []
    for v in variants:
        redacted, as_kind = covered(v, same_kind=False), covered(v, same_kind=True)
        by_kind[v.kind].append((redacted, as_kind))
        if not as_kind:
            misses.append(v)
    print(f"Generated identifiers: {len(variants)} (seed {args.seed})\n")
    print(f"{'kind':<16}{'n':>6}{'redacted':>10}{'as its kind':>13}")
    for kind, rows in sorted(by_kind.items()):
        print(f"{kind:<16}{len(rows):>6}{sum(r for r, _ in rows) / len(rows):>10.2%}{sum(k for _, k in rows) / len(rows):>13.2%}")
    all_rows = [row for rows in by_kind.values() for row in rows]
    print(f"{'all':<16}{len(all_rows):>6}{sum(r for r, _ in all_rows) / len(all_rows):>10.2%}"
          f"{sum(k for _, k in all_rows) / len(all_rows):>13.2%}")  # fmt: skip

    print()
    false_positives = []
    for name, texts in (("generated clinical sentences", clinical_texts(args.seed)), ("example narratives", example_narratives())):
        flagged = [t for t in texts if find_identifiers(t)]
        false_positives += flagged
        print(f"False positives, {name}: {len(flagged)} of {len(texts)} texts ({len(flagged) / len(texts):.2%})")

    if args.misses:
        print("\nMissed (kind, form, text):")
        for v in misses:
            print(f"  {v.kind}, {v.form}: {v.text!r}")
        print("\nFalse positives:")
        for text in false_positives:
            print(f"  {[(f.kind, text[f.start:f.end]) for f in find_identifiers(text)]}: {text!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
