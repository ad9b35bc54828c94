"""Rasa's tracker store has its own role and database, with no access to the records (issue 15):
scripts/tracker-db-role.sh, run against a real PostgreSQL cluster as compose and run-production run it."""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_script(postgres, password: str) -> None:
    env = {**os.environ, "PGHOST": str(postgres.dir), "PGPORT": str(postgres.port),
           "POSTGRES_USER": "postgres", "POSTGRES_DB": "records_t", "TRACKER_DB_USER": "rasa_t",
           "TRACKER_DB_NAME": "rasa_t", "TRACKER_DB_PASSWORD": password,
           "PSQL": str(Path(postgres.initdb).with_name("psql"))}
    subprocess.run([str(ROOT / "scripts/tracker-db-role.sh")], env=env, check=True, timeout=60)


def test_the_tracker_role_reaches_its_own_database_and_not_the_records(postgres):
    server = f"host={postgres.dir} port={postgres.port}"
    with psycopg.connect(f"{server} user=postgres dbname=postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE records_t")
    run_script(postgres, "first-password-0123")
    run_script(postgres, "tracker-password-0123")  # again: idempotent, and the password is the new one
    as_tracker = f"{server} user=rasa_t password=tracker-password-0123"  # (the test cluster trusts local users)
    with psycopg.connect(f"{as_tracker} dbname=rasa_t", autocommit=True) as rasa:
        rasa.execute("CREATE TABLE events (id int)")  # Rasa makes its own table
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(f"{as_tracker} dbname=records_t")
