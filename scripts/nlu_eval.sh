#!/usr/bin/env bash
# Evaluate the NLU model on a fixed held-out split of the project's own NLU data.
#
#   scripts/nlu_eval.sh        (or: make nlu-eval)
#   CONFIG=/tmp/other-config.yml scripts/nlu_eval.sh   # compare a pipeline without editing config.yml
#   SEED=7 scripts/nlu_eval.sh                          # another split: is a gain more than one split's luck?
#
# 1. splits nlu_data/ 80/20 per intent with a fixed seed (rasa data split nlu --random-seed 42),
# 2. trains an NLU-only model on the 80% with the repo's config.yml (rasa train nlu),
# 3. tests it on the 20% (rasa test nlu) and prints intent accuracy, macro F1 and entity F1.
#
# Everything is built in a temporary directory (also Rasa's working directory, so its .rasa/cache
# lands there); only the split, the reports and the summary are kept, in var/nlu-eval/ (git-ignored;
# var/nlu-eval-NAME/ for CONFIG=NAME.yml, with -seedN added for another SEED).
# config.yml fixes DIET's random seed, so the same data and config give the same figures.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RASA="${RASA:-$ROOT/.venv/bot/bin/rasa}"
PY="$(dirname "$RASA")/python"
CONFIG="$(realpath "${CONFIG:-$ROOT/config.yml}")"
SEED="${SEED:-42}"
KEEP="$ROOT/var/nlu-eval"
[ "$CONFIG" = "$ROOT/config.yml" ] || KEEP="$KEEP-$(basename "$CONFIG" .yml)"
[ "$SEED" = 42 ] || KEEP="$KEEP-seed$SEED"
TRAIN_FRACTION=0.8

[ -x "$RASA" ] || { echo "no rasa at $RASA (run: make bot-env)" >&2; exit 1; }

export PYTHONHASHSEED=0               # the same file order and split on every run
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS=ignore

WORK="$(mktemp -d "${TMPDIR:-/tmp}/nlu-eval.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

step() { printf '\n== %s\n' "$*"; }
run() {  # run quietly; show the log if it fails
    local log="$WORK/$1.log"; shift
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "failed: $*" >&2
        exit 1
    fi
}

step "split nlu_data/ (training fraction $TRAIN_FRACTION, seed $SEED)"
run split "$RASA" data split nlu --nlu "$ROOT/nlu_data" --training-fraction "$TRAIN_FRACTION" \
    --random-seed "$SEED" --out "$WORK/split"

step "train an NLU-only model with ${CONFIG#"$ROOT"/}"
start=$SECONDS
run train "$RASA" train nlu --config "$CONFIG" --nlu "$WORK/split/training_data.yml" \
    --out "$WORK/models" --fixed-model-name nlu
echo "trained in $((SECONDS - start)) s"

step "test on the held-out split"
run test "$RASA" test nlu --model "$WORK/models/nlu.tar.gz" --nlu "$WORK/split/test_data.yml" \
    --out "$WORK/results" --no-plot --successes

rm -rf "$KEEP"
mkdir -p "$KEEP"
cp -r "$WORK/split" "$WORK/results" "$KEEP/"

step "results (kept in ${KEEP#"$ROOT"/})"
"$PY" - "$KEEP/results" "$KEEP/split" <<'PY' | tee "$KEEP/summary.txt"
import json
import sys
from collections import Counter
from pathlib import Path

results, split = Path(sys.argv[1]), Path(sys.argv[2])
intents = json.loads((results / "intent_report.json").read_text())
entities = json.loads((results / "DIETClassifier_report.json").read_text())
averages = {"accuracy", "micro avg", "macro avg", "weighted avg"}

test_examples = sum(v["support"] for k, v in intents.items() if k not in averages)
print(f"held-out examples:   {test_examples}")
print(f"intent accuracy:     {intents['accuracy']:.3f}")
print(f"intent macro F1:     {intents['macro avg']['f1-score']:.3f}")
print(f"intent weighted F1:  {intents['weighted avg']['f1-score']:.3f}")
ent_avg = entities.get("micro avg") or entities.get("weighted avg")
print(f"entity micro F1:     {ent_avg['f1-score']:.3f}  (precision {ent_avg['precision']:.3f}, "
      f"recall {ent_avg['recall']:.3f})")
if "macro avg" in entities:
    print(f"entity macro F1:     {entities['macro avg']['f1-score']:.3f}")
for name, row in sorted(entities.items()):
    if name not in averages and name != "no_entity" and isinstance(row, dict):
        print(f"  {name:<18} F1 {row['f1-score']:.3f}  support {row['support']}")

# Span scores above are per token; what the bot uses is the value after EntitySynonymMapper.
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402

synonyms = {k.lower(): v for k, v in load_data(str(split / "test_data.yml")).entity_synonyms.items()}
by_text = {}
for name in ("DIETClassifier_errors.json", "DIETClassifier_successes.json"):
    if (results / name).is_file():
        for ex in json.loads((results / name).read_text()):
            by_text[ex["text"]] = ex
gold_examples = [ex for ex in by_text.values() if ex["entities"]]
right = sum(
    {(e["entity"], synonyms.get(str(e["value"]).lower(), e["value"])) for e in ex["entities"]}
    == {(e["entity"], e["value"]) for e in ex["predicted_entities"]}
    for ex in gold_examples
)
spurious = sum(1 for ex in by_text.values() if not ex["entities"] and ex["predicted_entities"])
if gold_examples:
    print(f"entity values right: {right}/{len(gold_examples)} annotated examples "
          f"({right / len(gold_examples):.3f}); spurious entities in {spurious} unannotated ones")

print("per intent:          precision  recall  F1     support")
for name, row in sorted(intents.items()):
    if name not in averages:
        print(f"  {name:<18} {row['precision']:.3f}      {row['recall']:.3f}   {row['f1-score']:.3f}  {row['support']}")
weak = sorted((v["f1-score"], k) for k, v in intents.items() if k not in averages and v["f1-score"] < 1)
if weak:
    print("intents below F1 1.0: " + ", ".join(f"{k} {f:.2f}" for f, k in weak))
errors_file = results / "intent_errors.json"
if errors_file.is_file():
    errors = json.loads(errors_file.read_text())
    pairs = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    for (gold, predicted), n in pairs.most_common(8):
        print(f"  {gold} -> {predicted}: {n}")
PY
