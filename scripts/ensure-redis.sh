#!/usr/bin/env bash
# Makes sure Redis's server program is installed (from Debian's packages) so the production-mode
# tests and `make run-production` can start a throwaway Redis of their own (the lock store several
# Rasa servers share). Never touches a running system Redis.
set -euo pipefail
if command -v redis-server >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Redis from Debian packages ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server >/dev/null; }
  # The package starts a system Redis on port 6379 where an init system runs; ours start their own.
else
  echo "Redis is not installed and cannot be installed here (needs root and apt-get):" \
       "'sudo apt-get install redis-server'; the production-mode tests will be skipped." >&2
fi
