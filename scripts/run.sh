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
export RASA_TELEMETRY_ENABLED=false  # Rasa reports usage telemetry by default; this system sends nothing
began=$SECONDS
step() { echo "[$1/3] $2 ($((SECONDS - began)) s)"; }

step 1 "Preparing the database (migrations, demo accounts)"
mkdir -p var/log
.venv/backend/bin/python -m backend.cli seed 2>>var/log/setup.log
export SERVICE_TOKEN=${SERVICE_TOKEN:-$(.venv/backend/bin/python -m backend.cli service-token)}
export ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-$(.venv/backend/bin/python -m backend.cli dev-secret action_server_token)}
export REST_CHANNEL_TOKEN=${REST_CHANNEL_TOKEN:-$(.venv/backend/bin/python -m backend.cli dev-secret rest_channel_token)}
# Channels: development values unless configured (see README, "Channels").
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://$host:$rasa_port}
export RASA_PUBLIC_URL=${RASA_PUBLIC_URL:-http://$host:$rasa_port}  # the chat page's widget talks only to it
export WEBCHAT_ALLOWED_ORIGINS=${WEBCHAT_ALLOWED_ORIGINS:-$BACKEND_URL}  # ... and it only to the chat page
export TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN:-$(.venv/backend/bin/python -m backend.cli dev-secret twilio_auth_token)}
step 2 "The assistant's model"
model=$(scripts/train.sh | tail -n 1)
echo "  $model"

trap 'trap - EXIT; kill 0' EXIT INT TERM
step 3 "Starting the backend, the action server and Rasa (loading the model takes a minute or two; logs in var/log/)"
.venv/backend/bin/python -m backend.cli serve --host "$host" --port "$backend_port" > var/log/backend.log 2>&1 &
backend_pid=$!
ACTIONS_HOST=$host .venv/bot/bin/python -m actions.server --port "$actions_port" > var/log/actions.log 2>&1 &
actions_pid=$!
.venv/bot/bin/rasa run --model "$model" --credentials credentials.yml --endpoints endpoints.yml \
  --interface "$host" --port "$rasa_port" > var/log/rasa.log 2>&1 &
rasa_pid=$!
# Wait for each service, saying every 15 s which are still starting; a service that exits stops the run
# with the end of its log.
names=(backend actions rasa)
urls=("$BACKEND_URL/health" "http://$host:$actions_port/health" "http://$host:$rasa_port/webhooks/rest/")
pids=("$backend_pid" "$actions_pid" "$rasa_pid")
up=(no no no) last_said=$SECONDS
while [[ " ${up[*]} " == *" no "* ]]; do
  for i in 0 1 2; do
    [ "${up[$i]}" = no ] || continue
    if curl -sf "${urls[$i]}" > /dev/null; then
      up[$i]=yes
      echo "  ${names[$i]} is up ($((SECONDS - began)) s)"
    elif ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "The ${names[$i]} service stopped while starting; the end of var/log/${names[$i]}.log:" >&2
      tail -n 20 "var/log/${names[$i]}.log" >&2
      exit 1
    fi
  done
  if [[ " ${up[*]} " == *" no "* ]]; then
    if (( SECONDS - last_said >= 15 )); then
      still=$(for i in 0 1 2; do [ "${up[$i]}" = yes ] || printf '%s ' "${names[$i]}"; done)
      echo "  still starting: ${still% } ($((SECONDS - began)) s)"; last_said=$SECONDS
    fi
    sleep 1
  fi
done
cat <<MSG

Ready in $((SECONDS - began)) s.
  Web form, dashboard, print:    $BACKEND_URL/   (sign in with a demo account: var/demo-accounts.txt)
  Web chat:                      $BACKEND_URL/chat
  Backend API and OpenAPI page:  $BACKEND_URL/api/v1/docs
  Chat in this terminal:         .venv/backend/bin/python scripts/chat.py            (as the public)
                                 .venv/backend/bin/python scripts/chat.py --staff standard@demo.example
  REST channel:                  curl -H "Authorization: Bearer \$(.venv/backend/bin/python -m backend.cli dev-secret rest_channel_token)" \\
                                   -d '{"sender": "me-at-a-terminal", "message": "hello"}' http://$host:$rasa_port/webhooks/rest/webhook
MSG
wait
