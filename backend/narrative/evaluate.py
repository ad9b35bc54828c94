"""Event-type classifier vs keyword rules on held-out examples: `python -m backend.narrative.evaluate`.

Splits data/event_type_examples.yaml four ways (stratified, fixed seed: the same splits the build
uses to decide); for each, a classifier trained on three quarters predicts the held-out quarter. Prints
both accuracies over the held-out predictions, per event type. `--errors` lists the held-out
narratives the classifier got wrong, to guide new examples.
"""

from __future__ import annotations

import argparse
import sys

from backend.narrative import rules
from backend.narrative.examples import folds, load_examples
from backend.narrative.training import classifier_on, compare, predict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.narrative.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="list the held-out examples the classifier gets wrong")
    args = parser.parse_args(argv)

    examples = load_examples()
    result = compare(examples)
    print(f"Examples: {len(examples)}, each held out once across {result['folds']} training/held-out splits\n")
    print(f"{'event type':<14}{'n':>4}{'classifier':>12}{'rules':>8}")
    for event_type, row in result["per_type"].items():
        print(f"{event_type:<14}{row['n']:>4}{row['classifier']:>12.1%}{row['rules']:>8.1%}")
    print(f"{'all':<14}{result['held_out']:>4}{result['classifier_accuracy']:>12.1%}{result['rules_accuracy']:>8.1%}")
    print(f"\nThe service uses: {result['method']}")

    if args.errors:
        print("\nClassifier errors (truth -> classifier / rules):")
        for train, held_out in folds(examples):
            nlp = classifier_on(train)
            for text, truth in held_out:
                guess, p = predict(nlp, text)
                if guess != truth:
                    print(f"  {truth} -> {guess} ({p:.2f}) / {rules.classify(text).event_type}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
