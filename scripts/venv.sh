#!/usr/bin/env bash
# Makes (or reuses) the virtual environment NAME from a hash-locked requirements file and links it
# at .venv/NAME. Environments live in a cache keyed by the lock file's hash and the Python version,
# so an unchanged lock is never installed twice, and a half-finished install is never reused.
set -euo pipefail
name=$1 lock=$2
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${LFPSE_VENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lfpse-assistant/venvs}

python=${PYTHON:-}
if [ -z "$python" ]; then
  # .python-version selects 3.10 through pyenv; fall back to any python3.10 on PATH.
  for candidate in "$(cd "$root" && pyenv which python 2>/dev/null || true)" python3.10 python3; do
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      python=$candidate; break
    fi
  done
fi
[ -n "$python" ] || { echo "Python 3.10 is needed (see .python-version; 'pyenv install 3.10')" >&2; exit 1; }

pyver=$("$python" -c 'import platform; print(platform.python_version())')
key=$( (cat "$lock"; echo "$pyver") | sha256sum | cut -c1-16)
target=$cache/$name-$key
if [ ! -f "$target/.complete" ]; then
  echo "Installing the $name environment from $lock (Python $pyver) ..."
  rm -rf "$target"
  mkdir -p "$cache"
  "$python" -m venv "$target"
  # (pip's notes about this machine's optional local indexes are noise, filtered out)
  "$target/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  touch "$target/.complete"
fi
mkdir -p "$root/.venv"
[ -L "$root/.venv/$name" ] || rm -rf "$root/.venv/$name"
ln -sfn "$target" "$root/.venv/$name"
