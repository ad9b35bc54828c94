#!/usr/bin/env bash
# `make run-production`: the docker-compose.yml stack without Docker, on this machine. A PostgreSQL
# cluster of its own (the backend's database, and Rasa's tracker store in a database of its own),
# a Redis of its own (Rasa's lock store), and the backend with ENVIRONMENT=production, the action
# server and the Rasa server with endpoints.production.yml: the same commands as the images run.
#
# Secrets: taken from the environment when set; otherwise THROWAWAY ones are generated once into
# var/production/secrets.env (mode 600, ignored by git) so restarts keep the database password and
# tokens. They are for this local run only: never copy them to a real deployment.
# State: var/production/ (the PostgreSQL cluster persists across runs; Redis keeps nothing).
# Ctrl-C stops everything, the database and Redis included. See docs/deployment.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
host=${HOST:-127.0.0.1}
backend_port=${BACKEND_PORT:-8000} actions_port=${ACTIONS_PORT:-5055} rasa_port=${RASA_PORT:-5005}
# Not the system services' ports (5432, 6379), so a system PostgreSQL or Redis is never touched.
pg_port=${PG_PORT:-5433} redis_port=${REDIS_PORT:-6380}
state=$root/var/production
mkdir -p "$state/log"
elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

scripts/ensure-postgres.sh
scripts/ensure-redis.sh
pg_bin() { local found; found=$(compgen -G "/usr/lib/postgresql/*/bin/$1" | sort -V | tail -n 1 || true); echo "${found:-$(command -v "$1")}"; }
initdb=$(pg_bin initdb) pg_ctl=$(pg_bin pg_ctl) psql=$(pg_bin psql)
[ -x "$initdb" ] && [ -x "$pg_ctl" ] && command -v redis-server >/dev/null || {
  echo "PostgreSQL and Redis are needed: 'sudo apt-get install postgresql redis-server'" >&2; exit 1; }

# --- secrets -----------------------------------------------------------------------------------
secrets_file=$state/secrets.env
names="POSTGRES_PASSWORD TRACKER_DB_PASSWORD REDIS_PASSWORD SECRET_KEY SERVICE_TOKEN ACTION_SERVER_TOKEN REST_CHANNEL_TOKEN TWILIO_AUTH_TOKEN"
[ -f "$secrets_file" ] || { ( umask 077 && : > "$secrets_file" )
  echo "Generating throwaway secrets for this local run into var/production/secrets.env (never use them elsewhere)."; }
for name in $names; do  # one made for each name missing (a file from before a name was added too)
  grep -q "^$name=" "$secrets_file" \
    || echo "$name=$(.venv/backend/bin/python -c 'import secrets; print(secrets.token_hex(32))')" >> "$secrets_file"
done
while IFS='=' read -r name value; do
  [ -n "${!name:-}" ] || export "$name=$value"  # the environment wins
done < "$secrets_file"

# --- PostgreSQL --------------------------------------------------------------------------------
# The server refuses to run as root: as root the cluster belongs to the 'postgres' user, which must
# reach its directory; a checkout it cannot enter gets its cluster under /var/tmp instead.
as_pg=()
pg_dir=${LFPSE_PG_DIR:-$state/postgres}
if [ "$(id -u)" = 0 ]; then
  as_pg=(runuser -u postgres --)
  if ! "${as_pg[@]}" test -x "$(dirname "$pg_dir")" 2>/dev/null; then
    pg_dir=/var/tmp/lfpse-production-$(echo "$root" | sha256sum | cut -c1-8)/postgres
    echo "The postgres user cannot enter $state; the cluster lives in $pg_dir"
  fi
  mkdir -p "$pg_dir" && chown postgres: "$pg_dir" && chmod 700 "$pg_dir"
fi
mkdir -p "$pg_dir"
if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
  echo "Creating the PostgreSQL cluster in $pg_dir ..."
  pwfile=$(mktemp) && echo "$POSTGRES_PASSWORD" > "$pwfile"
  [ "$(id -u)" != 0 ] || chown postgres "$pwfile"
  "${as_pg[@]}" "$initdb" -D "$pg_dir/data" -U lfpse --pwfile="$pwfile" -A scram-sha-256 -E UTF8 >/dev/null
  rm -f "$pwfile"
fi
began=$(date +%s.%N)
"${as_pg[@]}" "$pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1" start >/dev/null
echo "PostgreSQL ready on 127.0.0.1:$pg_port after $(elapsed "$began") s"

stop_all() {
  trap - EXIT INT TERM
  [ -z "$(jobs -p)" ] || kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  "${as_pg[@]}" "$pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true
}
trap stop_all EXIT INT TERM

export PGPASSWORD=$POSTGRES_PASSWORD
"$psql" -h 127.0.0.1 -p "$pg_port" -U lfpse -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'lfpse'" \
  | grep -q 1 || "$psql" -h 127.0.0.1 -p "$pg_port" -U lfpse -d postgres -qc "CREATE DATABASE lfpse"
# Rasa's tracker store: its own role and database, no access to the records (as in docker-compose.yml).
PGHOST=127.0.0.1 PGPORT=$pg_port POSTGRES_USER=lfpse POSTGRES_DB=lfpse TRACKER_DB_USER=rasa TRACKER_DB_NAME=rasa \
  TRACKER_DB_PASSWORD=$TRACKER_DB_PASSWORD PSQL=$psql scripts/tracker-db-role.sh
unset PGPASSWORD

# --- Redis -------------------------------------------------------------------------------------
mkdir -p "$state/redis"
began=$(date +%s.%N)
redis-server --port "$redis_port" --bind 127.0.0.1 --requirepass "$REDIS_PASSWORD" --save '' --appendonly no \
  --dir "$state/redis" --daemonize no --logfile "$state/log/redis.log" &
until REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG; do sleep 0.1; done
echo "Redis ready on 127.0.0.1:$redis_port after $(elapsed "$began") s"

# --- the services, as docker-compose.yml configures them --------------------------------------
export ENVIRONMENT=production
export DATABASE_URL=postgresql+psycopg://lfpse:$POSTGRES_PASSWORD@127.0.0.1:$pg_port/lfpse
export BACKEND_URL=http://$host:$backend_port
export ACTION_ENDPOINT_URL=http://$host:$actions_port/webhook
export RASA_PUBLIC_URL=${RASA_PUBLIC_URL:-http://$host:$rasa_port}
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://$host:$rasa_port}
export WEBCHAT_ALLOWED_ORIGINS=${WEBCHAT_ALLOWED_ORIGINS:-http://$host:$backend_port}
export TRACKER_DB_HOST=127.0.0.1 TRACKER_DB_PORT=$pg_port TRACKER_DB_NAME=rasa TRACKER_DB_USER=rasa
export TRACKER_DB_PASSWORD TRACKER_DB_LOGIN_DB=rasa
export REDIS_HOST=127.0.0.1 REDIS_PORT=$redis_port REDIS_DB=1
export RASA_TELEMETRY_ENABLED=false

# The narrative pipeline, built before the backend starts as the image builds it (skipped when current).
.venv/backend/bin/python -c 'import sys; from backend.narrative.build import is_current; from backend.config import NARRATIVE_MODEL_DIR; sys.exit(not is_current(NARRATIVE_MODEL_DIR))' \
  || .venv/backend/bin/python -m backend.narrative.build
model=$(scripts/train.sh | tail -n 1)

began=$(date +%s.%N)
.venv/backend/bin/python -m backend.cli serve --host "$host" --port "$backend_port" > "$state/log/backend.log" 2>&1 &
pids=($!)
ACTIONS_HOST=$host .venv/bot/bin/python -m actions.server --port "$actions_port" > "$state/log/actions.log" 2>&1 &
pids+=($!)
.venv/bot/bin/rasa run --model "$model" --credentials credentials.yml --endpoints endpoints.production.yml --interface "$host" --port "$rasa_port" > "$state/log/rasa.log" 2>&1 &
pids+=($!)

echo "Starting (loading the model takes about a minute; logs in var/production/log/) ..."
for pair in "backend $BACKEND_URL/health" "actions http://$host:$actions_port/health" \
            "rasa http://$host:$rasa_port/webhooks/rest/"; do
  set -- $pair
  until curl -sf "$2" > /dev/null; do
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "a service exited; see var/production/log/" >&2; exit 1; }
    done
    sleep 0.5
  done
  echo "  $1 ready after $(elapsed "$began") s"
done
cat <<MSG

Ready (production settings: ENVIRONMENT=production, PostgreSQL, the Redis lock store; no demo accounts).
  Backend API and OpenAPI page:  $BACKEND_URL/api/v1/docs
  Web chat page:                 $BACKEND_URL/chat
  REST channel (a public report):
    curl -H "Authorization: Bearer \$(grep ^REST_CHANNEL_TOKEN var/production/secrets.env | cut -d= -f2)" \\
      -d '{"sender": "my-first-report", "message": "hello"}' http://$host:$rasa_port/webhooks/rest/webhook
  Rasa's conversations:          database 'rasa' on 127.0.0.1:$pg_port (user rasa, password in var/production/secrets.env)
MSG
wait
