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
  echo "Training the assistant (inputs changed; about two minutes) ..." >&2
  start=$(date +%s)
  # Rasa's own cache only hits with a fixed hash seed.
  PYTHONHASHSEED=0 .venv/bot/bin/rasa train --quiet --config config.yml --domain bot/domain \
    --data bot/data nlu_data --out models --fixed-model-name "$key" >&2
  echo "Trained in $(( $(date +%s) - start )) s" >&2
  cp "$model" "$cache/$key.tar.gz.part" && mv "$cache/$key.tar.gz.part" "$cache/$key.tar.gz"
fi
echo "$model"
