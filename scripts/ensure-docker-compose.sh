#!/usr/bin/env bash
# Makes sure a compose implementation is installed so tests/repo/test_compose.py can check
# docker-compose.yml offline (`docker-compose config` needs no Docker engine): Debian's
# `docker-compose` package (1.29) as root when neither `docker-compose` nor `docker compose` exists.
set -euo pipefail
if command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing docker-compose from Debian packages ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends docker-compose >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; }
else
  echo "docker-compose is not installed and cannot be installed here (needs root and apt-get):" \
       "'sudo apt-get install docker-compose'; the compose file check will be skipped." >&2
fi
