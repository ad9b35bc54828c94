"""The schema comes only from migrations: empty to head, head back to empty, and no drift from the models."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

import backend.models  # noqa: F401
from backend.database import Base
from backend.database.migrate import alembic_config, upgrade_to_head

TABLES = {"organisations", "accounts", "audit_events", "event_records", "record_facets", "record_versions",
          "external_identities"}


def _empty_url(database_url):
    """A database with no tables: drop everything the template gave us."""
    engine = create_engine(database_url)
    command.downgrade(alembic_config(database_url), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    return engine


def test_empty_to_head_and_back(database_url):
    engine = _empty_url(database_url)
    upgrade_to_head(database_url)
    assert TABLES <= set(inspect(engine).get_table_names())
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
    upgrade_to_head(database_url)  # running again at start-up is a no-op
    engine.dispose()


def test_models_match_migrations(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    engine.dispose()


def test_0006_removes_public_key_hash_prefixes_from_stored_actors(database_url):
    """Audit actors were "public:<12 hex of the key's hash>" (issue 16): the migration leaves "public"."""
    engine = create_engine(database_url)
    command.downgrade(alembic_config(database_url), "0005")
    with engine.begin() as conn:
        for actor in ("public:0123456789ab via service", "public:ba9876543210", "account:7"):
            conn.execute(text("INSERT INTO audit_events (at, actor, entity_type, entity_id, action) "
                              "VALUES (CURRENT_TIMESTAMP, :actor, 'record', 'r1', 'answer')"), {"actor": actor})
    upgrade_to_head(database_url)
    with engine.connect() as conn:
        actors = conn.execute(text("SELECT actor FROM audit_events ORDER BY id")).scalars().all()
    assert actors == ["public via service", "public", "account:7"]
    engine.dispose()
