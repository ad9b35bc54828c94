#!/usr/bin/env bash
# Trains the Rasa model once per distinct input: the model is named by a hash of the config,
# domain, training data and the bot lock file, and reused when that hash has a model already
# (kept in a cache outside the checkout, like the virtual environments, so a fresh clone reuses it).
# Prints the model's path on the last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
key=$( (cat config.yml requirements/bot.lock; find bot nlu_data -name '*.yml' -print0 | sort -z | xargs -0 cat) | sha256sum | cut -c1-16)
cache=${LFPSE_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lfpse-assistant/models}
model="models/$key.tar.gz"
mkdir -p models "$cache"
[ -f "$model" ] || [ ! -f "$cache/$key.tar.gz" ] || cp "$cache/$key.tar.gz" "$model"
if [ ! -f "$model" ]; then
  mkdir -p var/log
  log=$root/var/log/train.log
  echo "Training the assistant: its inputs changed or no model is cached (2 to 6 minutes; Rasa's output in var/log/train.log)" >&2
  start=$(date +%s)
  # Rasa's own cache only hits with a fixed hash seed; telemetry off (Rasa reports usage by default).
  PYTHONHASHSEED=0 RASA_TELEMETRY_ENABLED=false .venv/bot/bin/rasa train --config config.yml --domain bot/domain \
    --data bot/data nlu_data --out models --fixed-model-name "$key" >"$log" 2>&1 &
  trainer=$!
  trap 'kill $trainer 2>/dev/null || true' EXIT INT TERM
  # Every 15 s: which component Rasa is training and how far (its progress bars are in the log).
  while kill -0 "$trainer" 2>/dev/null; do
    for _ in $(seq 15); do kill -0 "$trainer" 2>/dev/null && sleep 1; done
    kill -0 "$trainer" 2>/dev/null || break
    # `|| true`: before the first component starts grep finds nothing, and with pipefail and -e an
    # empty match would end this script (and its trap the training) on a busy machine.
    step=$(grep -ao "Starting to train component '[A-Za-z]*'" "$log" | tail -n 1 | cut -d"'" -f2 || true)
    epoch=$(grep -aoE "Epochs: +[0-9]+%\|[^|]*\| *[0-9]+/[0-9]+" "$log" | tail -n 1 | grep -oE "[0-9]+/[0-9]+$" || true)
    echo "  training: ${step:-reading the data}${epoch:+, epoch $epoch} ($(( $(date +%s) - start )) s)" >&2
  done
  if ! wait "$trainer"; then
    grep -av "Warning\|warn(" "$log" | tail -n 30 >&2
    echo "Training failed; Rasa's whole output is in $log" >&2
    exit 1
  fi
  trap - EXIT INT TERM
  echo "Trained in $(( $(date +%s) - start )) s" >&2
  cp "$model" "$cache/$key.tar.gz.part" && mv "$cache/$key.tar.gz.part" "$cache/$key.tar.gz"
fi
echo "$model"
