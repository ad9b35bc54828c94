"""Deleting a draft and the retention period (issue 16): the deletion's audit entry names fields, not
their contents; `backend.cli purge` removes a deleted draft's words from the audit trail, old resume
code tries and old conversations in Rasa's tracker store after RETENTION_DAYS, and nothing else."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, insert, select

from backend.audit.models import AuditEvent
from backend.resume_codes.models import ResumeAttempt
from backend.retention import TRACKER_EVENTS, purge
from tests.backend.reporting import API, answer, new_draft

WORDS = "Mrs Example's insulin was given twice by mistake"  # what the reporter asked to have deleted
KEPT = "A pump alarm was silenced on ward 9"
ANSWERED = ["Description", "EventType", "PatientCount", "ReporterType"]  # ReporterType: implied for staff
ASSUMED = ["DataSharingOptOut", "IsAnonymous", "Organisation"]  # the plan's defaults (issue 14), audited as such
FIELDS = sorted(ANSWERED + ASSUMED)


def audit_json(db, record_id: str) -> str:
    db.expire_all()
    rows = db.scalars(select(AuditEvent).where(AuditEvent.entity_id == record_id).order_by(AuditEvent.id)).all()
    return json.dumps([[r.action, r.field, r.old_value, r.new_value] for r in rows])


def drafts(client, headers) -> tuple[str, str]:
    deleted = new_draft(client, headers, "incident")["record"]["id"]
    assert answer(client, headers, deleted, {"field": "Description", "value": WORDS},
                  {"field": "PatientCount", "value": 1}).status_code == 200
    kept = new_draft(client, headers, "incident")["record"]["id"]
    assert answer(client, headers, kept, {"field": "Description", "value": KEPT}).status_code == 200
    assert client.delete(f"{API}/records/{deleted}", headers=headers).status_code == 204
    return deleted, kept


def test_deleting_a_draft_audits_its_field_names_not_their_contents(client, people, db):
    deleted, _ = drafts(client, people.headers("std_a"))
    event = db.scalars(select(AuditEvent).where(AuditEvent.entity_id == deleted, AuditEvent.action == "delete")).one()
    assert event.old_value == {"fields": FIELDS}
    assert "insulin" not in json.dumps(event.old_value)


def test_purge_removes_deleted_drafts_words_after_the_retention_period_only(client, people, db):
    deleted, kept = drafts(client, people.headers("std_a"))
    now = datetime.now(timezone.utc)
    assert WORDS in audit_json(db, deleted)  # kept during the retention period, as any audit entry

    early = purge(db, now + timedelta(days=89), days=90)
    assert early.deleted_drafts == 0 and WORDS in audit_json(db, deleted)

    purged = purge(db, now + timedelta(days=91), days=90)
    assert purged.deleted_drafts == 1 and purged.audit_values >= 2
    trail = audit_json(db, deleted)
    assert "insulin" not in trail
    # Who did what to which field, and when, is still there.
    rows = json.loads(trail)
    assert [r[0] for r in rows][0] == "create" and rows[-1] == ["delete", None, {"fields": FIELDS}, None]
    assert {r[1] for r in rows if r[0] == "answer"} == set(ANSWERED)
    assert {r[1] for r in rows if r[0] == "default"} == set(ASSUMED)
    assert all(r[2] is None and r[3] is None for r in rows[:-1])
    assert KEPT in audit_json(db, kept)  # a draft its reporter kept is never touched
    assert client.get(f"{API}/records/{kept}", headers=people.headers("std_a")).json()["answers"]["fields"][
        "Description"] == KEPT
    again = purge(db, now + timedelta(days=92), days=90)
    assert again.deleted_drafts == 0 and again.audit_values == 0


def test_purge_removes_old_conversations_from_the_tracker_store_and_old_resume_tries(db, tmp_path):
    tracker = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    TRACKER_EVENTS.metadata.create_all(tracker)
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    old, recent = (now - timedelta(days=100)).timestamp(), (now - timedelta(days=5)).timestamp()
    with tracker.begin() as conn:
        conn.execute(insert(TRACKER_EVENTS), [
            {"sender_id": "old-conversation", "type_name": "user", "timestamp": old, "data": '{"text": "hello"}'},
            {"sender_id": "old-conversation", "type_name": "bot", "timestamp": old + 1, "data": "{}"},
            # Begun long ago but still going: its last event is recent, so it stays whole.
            {"sender_id": "long-conversation", "type_name": "user", "timestamp": old, "data": "{}"},
            {"sender_id": "long-conversation", "type_name": "user", "timestamp": recent, "data": "{}"},
        ])  # fmt: skip
    db.add_all([ResumeAttempt(key_hash="a" * 64, at=now - timedelta(days=100)),
                ResumeAttempt(key_hash="b" * 64, at=now - timedelta(days=1))])
    db.commit()

    purged = purge(db, now, days=90, tracker=tracker)
    assert (purged.conversations, purged.tracker_events, purged.resume_attempts) == (1, 2, 1)
    with tracker.connect() as conn:
        assert [r[0] for r in conn.execute(select(TRACKER_EVENTS.c.sender_id))] == ["long-conversation"] * 2
    assert [a.key_hash for a in db.scalars(select(ResumeAttempt))] == ["b" * 64]


def test_purge_command(database_url, tmp_path, monkeypatch, capsys, client):
    from backend import cli
    from backend.config import get_settings

    tracker = tmp_path / "tracker.db"
    TRACKER_EVENTS.metadata.create_all(create_engine(f"sqlite:///{tracker}"))
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("SERVICE_TOKEN", "s" * 40)
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tracker}")
    get_settings.cache_clear()
    try:
        assert cli.main(["purge", "--days", "30"]) == 0
    finally:
        get_settings.cache_clear()
    assert "Retention 30 days. Deleted drafts purged: 0" in capsys.readouterr().out
