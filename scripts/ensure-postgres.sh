#!/usr/bin/env bash
# Makes sure PostgreSQL's server programs are installed (from Debian's packages) so the tests can
# start a throwaway cluster of their own. Never touches a running system cluster.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing PostgreSQL from Debian packages ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
else
  echo "PostgreSQL is not installed and cannot be installed here (needs root and apt-get);" \
       "the PostgreSQL half of the tests will be skipped." >&2
fi
