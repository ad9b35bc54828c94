"""The example narratives per event type (data/event_type_examples.yaml) and reproducible splits of
them into training and held-out parts, stratified so every event type is in both."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from backend.narrative.lexicon import DATA_DIR

EXAMPLES_PATH = DATA_DIR / "event_type_examples.yaml"
SEED = 7
FOLDS = 4  # each split holds out a quarter; across the folds every example is held out once

Example = tuple[str, str]  # (text, event type)


def load_examples(path: Path = EXAMPLES_PATH) -> list[Example]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(str(text), str(event_type)) for event_type, texts in raw.items() for text in texts]


def folds(examples: list[Example], k: int = FOLDS, seed: int = SEED) -> list[tuple[list[Example], list[Example]]]:
    """k (training, held-out) splits; each event type is dealt round-robin after a seeded shuffle."""
    rng = random.Random(seed)
    parts: list[list[Example]] = [[] for _ in range(k)]
    for event_type in sorted({t for _, t in examples}):
        group = [e for e in examples if e[1] == event_type]
        rng.shuffle(group)
        for i, example in enumerate(group):
            parts[i % k].append(example)
    return [([e for j, p in enumerate(parts) if j != i for e in p], parts[i]) for i in range(k)]
