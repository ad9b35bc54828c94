"""Made-up records for the dashboard benchmark (scripts/bench_dashboard.py): no real person or event.

The mixes are plausible rather than measured: mostly incidents with no or low harm, medicines the
commonest agent, acute and GP services the commonest areas, more recent months busier, organisation
sizes falling off like a Zipf curve (one large trust, many small practices). Loading goes around the
ORM (COPY on PostgreSQL, executemany on SQLite) with the plain indexes dropped and rebuilt after, as
a bulk load would be done; the schema itself is the migrations'.
"""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, time, timedelta

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url

from backend.accounts.models import Account, Organisation, Role
from backend.taxonomy import Taxonomy

ORGANISATIONS, BIGGEST, DEMO_RANK = 200, "RVJ", 25  # the demo trust is the largest, the demo practice mid-sized
COLUMNS = ("id", "public_id", "reference", "event_type", "status", "audience", "version", "revision",
           "organisation_ods", "owner_account_id", "public_key_hash", "channel", "event_date", "physical_harm",
           "psychological_harm", "reporter_type", "answers", "created_at", "updated_at", "submitted_at")
EVENT_TYPES = {"incident": 70, "poor_outcome": 10, "risk": 8, "good_care": 12}
PHYSICAL = {"5": 62, "4": 25, "3": 9, "2": 3, "1": 1}
PSYCHOLOGICAL = {"4": 70, "3": 20, "2": 8, "1": 2}
AGENTS = {"4": 35, "3": 12, "9": 8, "13": 4, "14": 3, "11": 2, "12": 1, "8": 0.5, "10": 34.5}
AREAS = {"1": 35, "17": 20, "4": 10, "3": 6, "19": 6, "7": 5, "9": 5}  # the rest 1 each
STAFF_CHANNELS, PUBLIC_CHANNELS = {"web": 40, "teams": 30, "chat": 20, "api": 10}, {"sms": 45, "voice": 30, "chat": 25}
PUBLIC_REPORTERS = {"1": 50, "2": 40, "4": 10}
WHAT = ("The wrong dose of a medicine was given", "A prescription was delayed",
        "A patient fell on the way to the toilet", "An infusion pump alarm was not answered",
        "Test results were filed without being seen", "A referral letter was lost",
        "The lift was out of order so a transfer was delayed", "Staff took time to explain a diagnosis clearly",
        "A handover missed an allergy", "A sample was mislabelled", "A pressure ulcer developed",
        "The call took too long to be answered")
WHERE = ("on the ward", "in the practice", "at the pharmacy", "during a home visit", "in the ambulance", "in clinic")
THEN = ("", " and it was put right quickly.", " and the team has discussed it.", " with no lasting effect.")


def _picker(rng: random.Random, weights: Mapping[str, float]) -> Callable[[], str]:
    codes, cum, total = list(weights), [], 0.0
    for w in weights.values():
        total += w
        cum.append(total)
    return lambda: rng.choices(codes, cum_weights=cum)[0]


class Synthetic:
    def __init__(self, n: int, tax: Taxonomy, seed: int = 5, today: date | None = None):
        self.n, self.tax, self.rng = n, tax, random.Random(seed)
        self.today = today or date.today()
        ods = tax.code_system("ods-codes-5")
        pool = sorted(c.code for c in ods.codes if c.code not in (BIGGEST, "G81019"))
        others = self.rng.sample(pool, ORGANISATIONS - 2)
        codes = [BIGGEST, *others[:DEMO_RANK - 2], "G81019", *others[DEMO_RANK - 2:]]
        self.orgs = [(code, ods.label(code), 1 / (rank + 1) ** 0.7) for rank, code in enumerate(codes)]
        self.accounts: list[dict[str, object]] = []
        self.staff: dict[str, list[int]] = {}  # ods -> ids of its reporting accounts
        for code, _, weight in self.orgs:
            ids = []
            for k in range(2 + round(60 * weight)):  # bigger organisations, more reporters
                self.accounts.append({"id": len(self.accounts) + 1, "email": f"{code.lower()}.{k}@bench.example",
                                      "display_name": f"Reporter {k}", "password_hash": None, "organisation_ods": code,
                                      "role": Role.organisational.value if k == 0 else Role.standard.value})
                ids.append(len(self.accounts))
            self.staff[code] = ids

    def records(self) -> Iterator[tuple[tuple, list[tuple[int, str, str]]]]:
        """(record row in COLUMNS order, its facet rows), dates as ISO text."""
        rng, r = self.rng, self.rng.random
        org = _picker(rng, {c: w for c, _, w in self.orgs})
        event_type, phys, psych, agent = (_picker(rng, d) for d in (EVENT_TYPES, PHYSICAL, PSYCHOLOGICAL, AGENTS))
        area = _picker(rng, {c.code: AREAS.get(c.code, 1) for c in self.tax.values_required("ServiceArea").codes})
        staff_channel, public_channel = _picker(rng, STAFF_CHANNELS), _picker(rng, PUBLIC_CHANNELS)
        public_reporter = _picker(rng, PUBLIC_REPORTERS)
        for i in range(1, self.n + 1):
            ods, et, public, submitted = org(), event_type(), r() < 0.15, r() < 0.88
            days_ago = int(1095 * r() ** 1.2)  # busier in recent months
            when = self.today - timedelta(days=days_ago)
            created = datetime.combine(when + timedelta(days=min(days_ago, rng.randrange(8))), time()) + \
                timedelta(seconds=rng.randrange(86400))
            sent = created + timedelta(seconds=rng.randrange(60, 86400)) if submitted else None
            harmed = et in ("incident", "poor_outcome")
            h, p = (phys(), psych()) if harmed else (None, None)
            with_agents = et == "incident" or (harmed and r() < .5)
            agents = sorted({agent() for _ in range(1 + (r() < 0.2))}) if with_agents else []
            areas = sorted({area() for _ in range(1 + (r() < 0.1))})
            reporter = public_reporter() if public else "3"
            desc = f"{rng.choice(WHAT)} {rng.choice(WHERE)}{rng.choice(THEN)}"
            answers = {"fields": {"EventType": et, "Description": desc, "ApproximateDate": when.isoformat(),
                                  "ServiceArea": areas, "InvolvedAgents": agents, "ReporterType": reporter},
                       "patients": [{"PhysicalHarm": h, "PsychologicalHarm": p}] if harmed else [], "skipped": []}
            owner = None if public else rng.choice(self.staff[ods])
            row = (i, str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                   f"PSE-{sent:%Y}-{i:06d}" if sent else None, et, "submitted" if submitted else "draft",
                   "public" if public else "staff", int(submitted), 2, ods, owner,
                   f"{rng.getrandbits(256):064x}" if public else None,
                   public_channel() if public else staff_channel(), when.isoformat(), h, p, reporter,
                   json.dumps(answers), _ts(created), _ts(sent or created), _ts(sent))
            facets = [(i, "InvolvedAgents", c) for c in agents] + [(i, "ServiceArea", c) for c in areas]
            yield row, facets


def _ts(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if moment else None  # UTC, as SQLAlchemy stores it


def _people(url: str, data: Synthetic) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Organisation), [{"ods_code": c, "name": name} for c, name, _ in data.orgs])
        conn.execute(insert(Account), data.accounts)
    engine.dispose()


def _batches(data: Synthetic, size: int = 50_000) -> Iterator[tuple[list[tuple], list[tuple]]]:
    rows, facets = [], []
    for row, f in data.records():
        rows.append(row)
        facets += f
        if len(rows) == size:
            yield rows, facets
            rows, facets = [], []
    if rows:
        yield rows, facets


TABLES = ("event_records", "record_facets")


def load_sqlite(url: str, n: int, tax: Taxonomy) -> int:
    data = Synthetic(n, tax)
    _people(url, data)
    path = make_url(url).database
    if path is None:
        raise ValueError(f"load_sqlite needs a database file, not {url!r}")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=MEMORY")
    db.execute("PRAGMA synchronous=OFF")
    indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                         "AND tbl_name IN (?, ?)", TABLES).fetchall()
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')
    facets = 0
    for rows, f in _batches(data):
        db.executemany(f"INSERT INTO event_records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                       rows)
        db.executemany("INSERT INTO record_facets (record_id, field, code) VALUES (?, ?, ?)", f)
        facets += len(f)
    for _, sql in indexes:
        db.execute(sql)
    db.commit()
    db.execute("ANALYZE")
    db.execute("PRAGMA journal_mode=WAL")  # as the application runs it
    db.close()
    return facets


def load_postgresql(url: str, n: int, tax: Taxonomy) -> int:
    data = Synthetic(n, tax)
    _people(url, data)
    engine = create_engine(url)
    raw = engine.raw_connection()
    conn = raw.driver_connection
    assert conn is not None  # a connection just checked out of the pool is live, so its driver one is set
    with conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no foreign-key triggers during the load
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
                    "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = ANY(%s) AND NOT x.indisprimary "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)", [list(TABLES)])
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        facets = 0
        for rows, f in _batches(data):
            with cur.copy(f"COPY event_records ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cur.copy("COPY record_facets (record_id, field, code) FROM STDIN") as copy:
                for row in f:
                    copy.write_row(row)
            facets += len(f)
        for _, sql in indexes:
            cur.execute(sql)
        cur.execute("SELECT setval(pg_get_serial_sequence('event_records', 'id'), (SELECT max(id) FROM event_records))")
    conn.commit()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")  # what autovacuum would have done by the time anyone looks
    raw.close()
    engine.dispose()
    return facets
