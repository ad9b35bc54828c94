"""Times the dashboard queries on a million synthetic records, on SQLite and on PostgreSQL.

    .venv/backend/bin/python scripts/bench_dashboard.py [--records N] [--only sqlite|postgresql]
                                                        [--keep] [--postgres-url URL] [--repeat N]

The records are made up (no real person or event): plausible mixes of event types, harm, agents,
service areas, channels and statuses over three years, in about 200 organisations from the ODS list,
the demo ones included. The schema comes from the real migrations. PostgreSQL runs in a throwaway
cluster (tests/support/postgres.py) unless --postgres-url names a database; --keep keeps the SQLite
file and a cluster under var/bench/ and reuses them when they already hold N records.

"cold" is the first run on a new connection (no plan or page cache in the database process; the
operating system's file cache is not dropped), "warm" the median of the next --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import pwd
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.accounts.models import Account, Role  # noqa: E402
from backend.auth.principal import Principal  # noqa: E402
from backend.dashboard import export, queries  # noqa: E402
from backend.dashboard.filters import Filters  # noqa: E402
from backend.dashboard.synthetic import load_postgresql, load_sqlite  # noqa: E402
from backend.database import make_engine  # noqa: E402
from backend.database.migrate import upgrade_to_head  # noqa: E402
from backend.records.models import EventRecord  # noqa: E402
from backend.taxonomy import get_taxonomy  # noqa: E402
from tests.support.postgres import TempPostgres  # noqa: E402

BENCH_DIR = ROOT / "var" / "bench"


class KeptPostgres(TempPostgres):
    """A cluster under var/bench/postgres that survives the run, for --keep."""

    def start(self) -> str:
        self.dir = BENCH_DIR / "postgres"
        self.dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self.user = "postgres"
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        data = self.dir / "data"
        if not (data / "PG_VERSION").exists():
            self._run(self.initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        self._run(self.pg_ctl, "-D", str(data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start")
        return self.url("postgres")

    def stop(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.dir / "data"), "-m", "fast", "stop")


def _count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(EventRecord)).scalar() or 0
    except Exception:  # no schema yet
        return -1
    finally:
        engine.dispose()


def prepare(backend: str, url: str, n: int, keep: bool) -> None:
    started = time.perf_counter()
    upgrade_to_head(url)  # a kept database gets any newer migration (and index) first
    if keep and _count(url) == n:
        print(f"{backend}: reusing {n:,} seeded records (migrations checked in {time.perf_counter() - started:.1f} s)")
        return
    if _count(url) != 0:
        raise SystemExit(f"{backend}: the database holds other records; give an empty one (or --records of it)")
    loaded = (load_sqlite if backend == "sqlite" else load_postgresql)(url, n, get_taxonomy())
    print(f"{backend}: seeded {n:,} records and {loaded:,} facets in {time.perf_counter() - started:.1f} s")


def principals(url: str) -> dict[str, Principal]:
    """An organisational user of the largest organisation, and its most prolific standard reporter."""
    engine = create_engine(url)
    with Session(engine) as db:
        org, _ = db.execute(select(EventRecord.organisation_ods, func.count()).group_by(EventRecord.organisation_ods)
                            .order_by(func.count().desc()).limit(1)).one()
        reviewer = db.scalars(select(Account).where(Account.organisation_ods == org,
                                                    Account.role == Role.organisational.value)).first()
        std_id, _ = db.execute(select(EventRecord.owner_account_id, func.count()).join(Account)
                               .where(Account.organisation_ods == org, Account.role == Role.standard.value)
                               .group_by(EventRecord.owner_account_id).order_by(func.count().desc()).limit(1)).one()
    engine.dispose()
    return {f"organisational ({org})": Principal(reviewer.id, Role.organisational, org),
            f"standard ({org})": Principal(std_id, Role.standard, org)}


FILTER_SETS = {
    "no filters": Filters(),
    "12 months, incidents, moderate+ harm": Filters(date_from=date.today() - timedelta(days=365),
                                                    event_type=("incident",), physical_harm=("3", "2", "1")),
    "medicines in GP services": Filters(agent=("4",), service_area=("17",)),
}


def _total(db, who, f) -> int:
    queries.total(db, who, f)
    return 1  # one row: the count


def _queries(tax, total: int):
    deep = max(1, -(-total // queries.PAGE_SIZE) // 2)  # the middle page of the selection
    return {
        "total": _total,
        "by month": lambda db, w, f: len(queries.by_month(db, w, f)),
        "by physical harm": lambda db, w, f: len(queries.by_column(db, w, f, "physical_harm")),
        "by psychological harm": lambda db, w, f: len(queries.by_column(db, w, f, "psychological_harm")),
        "by event type": lambda db, w, f: len(queries.by_column(db, w, f, "event_type")),
        "by agent": lambda db, w, f: len(queries.by_facet(db, w, f, "agent")),
        "page 1": lambda db, w, f: len(queries.page(db, tax, w, f, 1).items),
        f"page {deep} (deep)": lambda db, w, f: len(queries.page(db, tax, w, f, deep).items),
        "export CSV": lambda db, w, f: sum(s.count("\r\n") for s in export.csv_text(db, tax, w, f)) - 1,
    }


def _time(engine, fn, repeat: int) -> tuple[int, float, float]:
    engine.dispose()  # the first run gets a new connection: a new PostgreSQL backend, an empty SQLite cache
    times, rows = [], 0
    for _ in range(1 + repeat):
        with Session(engine) as db:
            db.connection()  # connecting is not what is measured
            started = time.perf_counter()
            rows = fn(db)
            times.append((time.perf_counter() - started) * 1000)
    return rows, times[0], statistics.median(times[1:])


def bench(backend: str, url: str, repeat: int) -> list[tuple]:
    tax, engine, results = get_taxonomy(), make_engine(url), []
    for who_name, who in principals(url).items():
        for set_name, f in FILTER_SETS.items():
            with Session(engine) as db:
                total = queries.total(db, who, f)
            started = time.perf_counter()
            for q_name, q in _queries(tax, total).items():
                rows, cold, warm = _time(engine, lambda db, q=q, who=who, f=f: q(db, who, f), repeat)
                results.append((backend, who_name, set_name, total, q_name, rows, cold, warm))
            took = time.perf_counter() - started
            print(f"{backend}: {who_name}, {set_name}: {total:,} records, timed in {took:.1f} s", flush=True)
    engine.dispose()
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--only", choices=("sqlite", "postgresql"))
    ap.add_argument("--keep", action="store_true", help="keep the databases and reuse them when already seeded")
    ap.add_argument("--postgres-url", help="an existing (empty or seeded) PostgreSQL database instead of a cluster")
    ap.add_argument("--repeat", type=int, default=5, help="warm runs per query (default 5)")
    args = ap.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    results = []
    if args.only in (None, "sqlite"):
        path = BENCH_DIR / f"dashboard-{args.records}.db"
        if not args.keep:
            for p in path.parent.glob(path.name + "*"):
                p.unlink()
        prepare("sqlite", f"sqlite:///{path}", args.records, args.keep)
        results += bench("sqlite", f"sqlite:///{path}", args.repeat)
    if args.only in (None, "postgresql"):
        server = None
        if args.postgres_url:
            url = args.postgres_url
        else:
            server = KeptPostgres() if args.keep else TempPostgres()
            if not server.available:
                raise SystemExit("PostgreSQL is not installed (make postgres)")
            server.start()
            url = server.url("bench")
            with create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT").connect() as conn:
                if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = 'bench'")).scalar():
                    conn.execute(text("CREATE DATABASE bench"))
        try:
            prepare("postgresql", url, args.records, args.keep)
            results += bench("postgresql", url, args.repeat)
        finally:
            if server:
                server.stop()
    print_table(results)


def print_table(results: list[tuple]) -> None:
    head = ("backend", "principal", "filters", "selected", "query", "rows", "cold ms", "warm ms")
    widths = [max(len(str(r[i])) if i < 6 else 9 for r in [head, *results]) for i in range(8)]
    print()
    for row in [head, *results]:
        cells = [f"{c:.1f}" if isinstance(c, float) else str(c) for c in row]
        print("  ".join(c.rjust(w) if i >= 3 else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))))


if __name__ == "__main__":
    main()
