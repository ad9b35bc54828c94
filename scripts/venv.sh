#!/usr/bin/env bash
# Makes (or reuses) the virtual environment NAME from a hash-locked requirements file and links it
# at .venv/NAME. Environments live in a cache keyed by the hash of the lock, the installer lock and
# the Python version, so an unchanged lock is never installed twice, and a half-finished install is
# never reused. The installer (pip, setuptools, wheel) is itself installed from
# requirements/installer.lock first: the pip that `python -m venv` bundles differs by machine, and
# the one Python 3.10.13 bundles (23.0.1) cannot install backend.lock.
set -euo pipefail
name=$1 lock=$2
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${LFPSE_VENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lfpse-assistant/venvs}
installer_lock=$root/requirements/installer.lock

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
key=$( (cat "$lock" "$installer_lock"; echo "$pyver") | sha256sum | cut -c1-16)
target=$cache/$name-$key
if [ ! -f "$target/.complete" ]; then
  started=$SECONDS
  total=$(grep -cE '^[A-Za-z0-9._-]+==' "$lock")
  log=$cache/$name-$key.log
  echo "Installing the $name environment: $total packages from $lock (Python $pyver); details in $log"
  rm -rf "$target"
  mkdir -p "$cache"
  "$python" -m venv "$target"
  # (pip's notes about this machine's optional local indexes are noise, kept out of the terminal)
  "$target/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar=off \
    --require-hashes --no-deps -r "$installer_lock" >"$log" 2>&1 \
    || { tail -20 "$log" >&2; echo "Installing the installer from $installer_lock failed" >&2; exit 1; }
  # A progress line for every tenth of the packages fetched, with the elapsed time.
  progress() {
    local n=0 step=$(( total / 10 > 0 ? total / 10 : 1 )) line
    while IFS= read -r line; do
      printf '%s\n' "$line" >>"$log"
      case $line in
        Collecting*|Processing*) n=$((n + 1))
          if (( n % step == 0 )); then echo "  $name: $n of $total packages fetched ($((SECONDS - started)) s)"; fi ;;
        "Installing collected packages"*) echo "  $name: unpacking and installing ($((SECONDS - started)) s) ..." ;;
      esac
    done
  }
  if ! "$target/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar=off \
      --require-hashes -r "$lock" 2>&1 | progress; then
    grep -v "is ignored: it is neither a file nor a directory" "$log" | tail -30 >&2
    echo "Installing the $name environment failed; the whole log is $log" >&2
    exit 1
  fi
  touch "$target/.complete"
  echo "The $name environment is ready ($((SECONDS - started)) s)."
fi
mkdir -p "$root/.venv"
[ -L "$root/.venv/$name" ] || rm -rf "$root/.venv/$name"
ln -sfn "$target" "$root/.venv/$name"
