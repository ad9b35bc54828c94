#!/usr/bin/env bash
# Makes what the web chat tests need: Debian's Chromium (installed as root if missing), the widget's
# npm packages (web/package-lock.json, including playwright-core, which never downloads a browser)
# and the built widget (var/web/widget.js, served by the backend at /chat/static/widget.js).
# --widget-only (for `make run`): just the widget, and only a warning when npm is missing.
set -euo pipefail
widget_only=false
[ "${1:-}" = "--widget-only" ] && widget_only=true
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

if ! $widget_only && ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null \
            || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null; }
    else
        echo "Chromium is missing: install it with 'sudo apt-get install chromium'" >&2
        exit 1
    fi
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "npm (Node.js 18+) is needed to build the web chat widget" >&2
    if $widget_only; then exit 0; else exit 1; fi
fi
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    echo "Installing the web assets' npm packages (web/package-lock.json) ..."
    (cd web && npm ci --no-audit --no-fund --no-progress --loglevel=error)
fi
(cd web && node build.mjs >/dev/null)
