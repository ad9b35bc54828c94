"""Build the narrative pipeline from the project's own data: `python -m backend.narrative.build [--out DIR]`.

No pretrained spaCy model can be installed here, so the pipeline is spacy.blank("en") plus an entity
ruler generated from the lexicon and the taxonomy's labels, and a textcat trained on the examples,
the second opinion on things involved (involved_model.py), what kinds of thing a message is about
(agents_model.py) and the physical harm it states (harm_model.py), all learnt from the development set.
build.json beside it records a hash of every input, so the service rebuilds when any of them changed,
and whether the classifier beat the keyword rules on held-out examples (else the service uses rules).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import cast

import spacy
from spacy.pipeline import EntityRuler

from backend.config import NARRATIVE_MODEL_DIR
from backend.narrative import harm_model, involved_model
from backend.narrative.agents_model import add_agents_textcat
from backend.narrative.devset import TRAIN_PATHS, event_type_examples, load
from backend.narrative.examples import EXAMPLES_PATH, load_examples
from backend.narrative.lexicon import LEXICON_PATH, load_lexicon
from backend.narrative.medicine_names import dictionary_version
from backend.narrative.patterns import add_entity_ruler
from backend.narrative.training import add_textcat, compare, train_textcat
from backend.taxonomy.registry import DATA_DIR as TAXONOMY_DATA

BUILD_FILE = "build.json"
_HERE = Path(__file__).resolve().parent
# Everything the built pipeline depends on: data, the taxonomy labels, and the code that turns them
# into patterns and a classifier. The development set's held-out part is NOT an input: the build never
# reads it (a test watches the files the build opens), so `make narrative-eval` measures unseen text.
INPUTS = (
    LEXICON_PATH, EXAMPLES_PATH, *TRAIN_PATHS, TAXONOMY_DATA / "code-systems.json",
    *(_HERE / f"{name}.py" for name in ("lexicon", "patterns", "examples", "devset", "cues", "harm", "spans", "rules", "medicine_names",
                                         "training", "involvement", "involved_model", "agents_model", "harm_model", "build")),
)


def training_examples() -> list[tuple[str, str]]:
    """The short per-type examples and the development set's training part."""
    return load_examples() + event_type_examples(TRAIN_PATHS)


def inputs_hash() -> str:
    digest = hashlib.sha256(f"spacy {spacy.__version__}\nmedicine names {dictionary_version()}\n".encode())
    for path in INPUTS:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_build_info(model_dir: Path) -> dict | None:
    try:
        return json.loads((model_dir / BUILD_FILE).read_text())
    except (OSError, ValueError):
        return None


def is_current(model_dir: Path) -> bool:
    info = read_build_info(model_dir)
    return info is not None and info.get("inputs_hash") == inputs_hash() and (model_dir / "config.cfg").exists()


def build(out: Path = NARRATIVE_MODEL_DIR) -> dict:
    """Build into a scratch directory beside `out`, then swap it in, so a reader never sees half a model."""
    started = time.perf_counter()
    digest = inputs_hash()
    examples = training_examples()
    comparison = compare(examples)  # the decision: classifier or rules, on held-out examples

    nlp = spacy.blank("en")
    add_entity_ruler(nlp, load_lexicon())
    labelled = [item for path in TRAIN_PATHS for item in load(path)]
    mentions = involved_model.examples(nlp, labelled)
    involved = involved_model.fit(mentions)
    harm = harm_model.fit(harm_model.examples(labelled))
    add_agents_textcat(nlp, labelled)
    add_textcat(nlp, sorted({y for _, y in examples}))
    train_textcat(nlp, examples)  # the shipped classifier learns from every example

    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = out.with_name(f".{out.name}.build-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    nlp.to_disk(scratch)
    involved.save(scratch)
    harm.save(scratch)
    info = {
        "inputs_hash": digest,
        "spacy_version": spacy.__version__,
        "entity_patterns": len(cast(EntityRuler, nlp.get_pipe("entity_ruler")).patterns),
        "examples": len(examples),
        "agent_mentions": len(mentions),
        "event_type": comparison,
        "build_seconds": round(time.perf_counter() - started, 2),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (scratch / BUILD_FILE).write_text(json.dumps(info, indent=2) + "\n")
    _swap_in(scratch, out)
    return info


def _swap_in(scratch: Path, out: Path) -> None:
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        out.rename(old)
    try:
        scratch.rename(out)
    except OSError:  # another process swapped its build in first: theirs is as good
        shutil.rmtree(scratch, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.narrative.build", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=NARRATIVE_MODEL_DIR, help=f"default: {NARRATIVE_MODEL_DIR}")
    args = parser.parse_args(argv)
    info = build(args.out)
    et = info["event_type"]
    print(
        f"Built {args.out} in {info['build_seconds']} s: {info['entity_patterns']} phrase patterns; event type "
        f"by {et['method']} (held-out accuracy: classifier {et['classifier_accuracy']:.1%}, "
        f"rules {et['rules_accuracy']:.1%}, {et['held_out']} examples)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
