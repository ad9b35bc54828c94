#!/usr/bin/env bash
# `make test`: every test, in stages, with the time each took. The model trains in the background while
# the lint, backend and bot tests run (they do not need it); the story and end-to-end tests then share it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p var/log
began=$SECONDS
summary=()

report() {
  echo
  echo "== make test: $1 after $((SECONDS - began)) s"
  printf '  %s\n' "${summary[@]}"
}

stage() {
  local name=$1 started=$SECONDS
  shift
  echo
  echo "== $name ($((SECONDS - began)) s into the run)"
  if "$@"; then
    summary+=("$(printf '%-34s passed  %5d s' "$name" $((SECONDS - started)))")
  else
    summary+=("$(printf '%-34s FAILED  %5d s' "$name" $((SECONDS - started)))")
    report "failed"
    exit 1
  fi
}

echo "== the assistant's model: trained in the background if its inputs changed (progress in var/log/train-progress.log)"
scripts/train.sh >var/log/train-model.out 2>var/log/train-progress.log &
trainer=$!
trap 'kill $trainer 2>/dev/null || true' EXIT

stage "lint (ruff, mypy)" make --no-print-directory lint
stage "backend and repo tests" make --no-print-directory test-backend
stage "bot tests" make --no-print-directory test-bot
model_wait=$SECONDS
echo
echo "== waiting for the model ($((SECONDS - began)) s into the run)"
if ! wait "$trainer"; then
  cat var/log/train-progress.log >&2
  summary+=("model training FAILED (see var/log/train.log)")
  report "failed"
  exit 1
fi
trap - EXIT
grep -h "Trained in" var/log/train-progress.log || echo "  reused $(tail -n 1 var/log/train-model.out)"
summary+=("$(printf '%-34s ready   %5d s waited' "model" $((SECONDS - model_wait)))")
stage "assistant (data validation, stories)" make --no-print-directory test-assistant
stage "end to end" make --no-print-directory test-e2e
report "every stage passed"
