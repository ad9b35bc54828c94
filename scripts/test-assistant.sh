#!/usr/bin/env bash
# The assistant's own checks, in the bot environment: the training data is valid, the model is
# trained (or reused), and every test story is predicted exactly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rasa=.venv/bot/bin/rasa
export PYTHONHASHSEED=0 RASA_TELEMETRY_ENABLED=false  # no usage telemetry from Rasa
echo "rasa data validate"
$rasa data validate --fail-on-warnings --config config.yml --domain bot/domain --data bot/data nlu_data 2>&1 \
  | grep -E "UserWarning|ERROR|conflict" || true
$rasa data validate --fail-on-warnings --config config.yml --domain bot/domain --data bot/data nlu_data >/dev/null 2>&1
model=$(scripts/train.sh | tail -n 1)
out=$(mktemp -d)
echo "rasa test core (story tests)"
$rasa test core --model "$model" --stories tests/bot/stories --out "$out" --fail-on-prediction-errors >"$out/log" 2>&1 \
  || { grep -v Warning "$out/log" | tail -40; cat "$out"/failed_test_stories.yml 2>/dev/null | head -80; exit 1; }
grep -E "Correct:|Accuracy:" "$out/log" | head -4 || true
echo "story tests: all stories predicted exactly"
