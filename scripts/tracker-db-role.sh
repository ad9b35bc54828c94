#!/usr/bin/env bash
# Rasa's tracker store gets a role and a database of its own, with no access to the records database:
# Rasa's credentials (on the internet-facing server) then cannot read or change any record.
# Idempotent. Run by PostgreSQL's image on a new volume (docker-compose.yml mounts it into
# /docker-entrypoint-initdb.d) and by scripts/run-production.sh; tests/backend/test_tracker_db_role.py runs it.
# Reads: TRACKER_DB_USER, TRACKER_DB_PASSWORD, TRACKER_DB_NAME (Rasa's), POSTGRES_USER, POSTGRES_DB
# (the records database's owner and name), and psql's own PGHOST, PGPORT, PGPASSWORD; PSQL (default psql).
set -euo pipefail
for name in "$TRACKER_DB_USER" "$TRACKER_DB_NAME" "$POSTGRES_USER" "$POSTGRES_DB"; do
  [[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "tracker-db-role.sh: '$name' is not a plain lower-case name" >&2; exit 1; }
done
[ "$TRACKER_DB_USER" != "$POSTGRES_USER" ] || { echo "tracker-db-role.sh: the tracker store needs its own role" >&2; exit 1; }
sql() { "${PSQL:-psql}" -v ON_ERROR_STOP=1 -qtA -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
  -v role="$TRACKER_DB_USER" -v db="$TRACKER_DB_NAME" -v records="$POSTGRES_DB" -v pw="$TRACKER_DB_PASSWORD"; }
if [ -z "$(echo "SELECT 1 FROM pg_roles WHERE rolname = :'role'" | sql)" ]; then
  echo "CREATE ROLE :\"role\" LOGIN PASSWORD :'pw'" | sql
else
  echo "ALTER ROLE :\"role\" LOGIN PASSWORD :'pw'" | sql
fi
if [ -z "$(echo "SELECT 1 FROM pg_database WHERE datname = :'db'" | sql)" ]; then
  echo "CREATE DATABASE :\"db\" OWNER :\"role\"" | sql
else
  echo "ALTER DATABASE :\"db\" OWNER TO :\"role\"" | sql  # made by an earlier setup as another role
fi
# No one but the records database's owner may connect to it (PostgreSQL lets every role by default).
echo "REVOKE ALL ON DATABASE :\"records\" FROM PUBLIC" | sql
echo "REVOKE ALL ON DATABASE :\"db\" FROM PUBLIC" | sql
