#!/usr/bin/env bash
# Regenerate requirements/NAME.lock (fully pinned, --hash on every line) from requirements/NAME.in,
# for NAME in backend and bot (both when none is named).
#
#   scripts/lock.sh                               # re-resolve both, keeping pins where still valid
#   scripts/lock.sh bot --upgrade                 # move the bot env to the newest allowed versions
#   scripts/lock.sh backend --upgrade-package httpx2
#
# Both envs are Python 3.10 (rasa 3.6.x: Requires-Python <3.11), and pip-compile resolves
# environment markers for the interpreter it runs on, so pip-tools runs from a throwaway
# Python 3.10 venv outside the repo. Override the interpreter with PYTHON310=/path/to/python3.10
# and the venv location with PIPTOOLS_VENV=/some/dir.
# A cold resolve takes a few minutes (rasa pulls in ~190 packages, tensorflow included).
set -euo pipefail

PIP_VERSION=26.3
PIP_TOOLS_VERSION=7.6.2

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${PYTHON310:-python3.10}"
tools_venv="${PIPTOOLS_VENV:-${TMPDIR:-/tmp}/piptools-bot-py310}"

is_py310() {
  "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null
}

if ! is_py310 "$py"; then
  echo "lock.sh: '$py' is not Python 3.10; set PYTHON310=/path/to/python3.10" >&2
  exit 1
fi

if ! is_py310 "$tools_venv/bin/python" \
  || ! "$tools_venv/bin/pip-compile" --version 2>/dev/null | grep -qF "version $PIP_TOOLS_VERSION"; then
  "$py" -m venv --clear "$tools_venv"
  "$tools_venv/bin/python" -m pip install --quiet "pip==$PIP_VERSION" "pip-tools==$PIP_TOOLS_VERSION"
fi

cd "$repo_root"
names=(backend bot)
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then names=("$1"); shift; fi
for name in "${names[@]}"; do
  CUSTOM_COMPILE_COMMAND="make lock" \
  "$tools_venv/bin/pip-compile" \
  --generate-hashes \
  --allow-unsafe \
  --resolver=backtracking \
  --strip-extras \
  --no-emit-index-url \
  --no-emit-find-links \
  --output-file "requirements/$name.lock" \
  "$@" \
  "requirements/$name.in"
done
