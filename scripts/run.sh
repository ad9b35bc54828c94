#!/usr/bin/env bash
# `make run`: the whole system on embedded defaults (SQLite, in-memory tracker and lock stores),
# training the model on first run. Ctrl-C stops everything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
host=${HOST:-127.0.0.1}
backend_port=${BACKEND_PORT:-8000} actions_port=${ACTIONS_PORT:-5055} rasa_port=${RASA_PORT:-5005}

export BACKEND_URL=http://$host:$backend_port
export ACTION_ENDPOINT_URL=http://$host:$actions_port/webhook
.venv/backend/bin/python -m backend.cli seed
export SERVICE_TOKEN=${SERVICE_TOKEN:-$(.venv/backend/bin/python -m backend.cli service-token)}
export ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-$(.venv/backend/bin/python -m backend.cli dev-secret action_server_token)}
export REST_CHANNEL_TOKEN=${REST_CHANNEL_TOKEN:-$(.venv/backend/bin/python -m backend.cli dev-secret rest_channel_token)}
# Channels: development values unless configured (see README, "Channels").
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://$host:$rasa_port}
export RASA_PUBLIC_URL=${RASA_PUBLIC_URL:-http://$host:$rasa_port}  # the chat page's widget talks only to it
export WEBCHAT_ALLOWED_ORIGINS=${WEBCHAT_ALLOWED_ORIGINS:-$BACKEND_URL}  # ... and it only to the chat page
export TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN:-$(.venv/backend/bin/python -m backend.cli dev-secret twilio_auth_token)}
model=$(scripts/train.sh | tail -n 1)

trap 'trap - EXIT; kill 0' EXIT INT TERM
mkdir -p var/log
.venv/backend/bin/python -m backend.cli serve --host "$host" --port "$backend_port" > var/log/backend.log 2>&1 &
ACTIONS_HOST=$host .venv/bot/bin/python -m actions.server --port "$actions_port" > var/log/actions.log 2>&1 &
.venv/bot/bin/rasa run --model "$model" --credentials credentials.yml --endpoints endpoints.yml \
  --interface "$host" --port "$rasa_port" > var/log/rasa.log 2>&1 &

echo "Starting (loading the model takes about a minute; logs in var/log/) ..."
for url in "$BACKEND_URL/health" "http://$host:$actions_port/health" "http://$host:$rasa_port/webhooks/rest/"; do
  until curl -sf "$url" > /dev/null; do sleep 1; done
done
cat <<MSG

Ready.
  Web form, dashboard, print:    $BACKEND_URL/   (sign in with a demo account: var/demo-accounts.txt)
  Web chat:                      $BACKEND_URL/chat
  Backend API and OpenAPI page:  $BACKEND_URL/api/v1/docs
  Chat in this terminal:         .venv/backend/bin/python scripts/chat.py            (as the public)
                                 .venv/backend/bin/python scripts/chat.py --staff standard@demo.example
  REST channel:                  curl -H "Authorization: Bearer \$(.venv/backend/bin/python -m backend.cli dev-secret rest_channel_token)" \\
                                   -d '{"sender": "me-at-a-terminal", "message": "hello"}' http://$host:$rasa_port/webhooks/rest/webhook
MSG
wait
