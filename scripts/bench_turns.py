"""Turn latency and throughput of the whole assistant: simulated reporters, each holding a full
conversation through the REST channel against the real Rasa server, action server and backend
(every answer saved to the draft), at several concurrency levels. Prints figures; asserts nothing.

    make bench-turns                               # 1, 10, 50 and 200 concurrent conversations
    .venv/backend/bin/python scripts/bench_turns.py --levels 1 10 --seconds 30 [--production]

Each simulated reporter starts a public report with a narrative, confirms what was understood,
answers every question the assistant asks (a choice by number, 'skip' for optional questions),
confirms the check-your-answers step and starts again. Only the reporter's own messages are timed.
It tells which question was asked from the assistant's message (the plan is read once), asking the
backend only when a message is not a plan question. Simulated reporters answer at once, far faster
than the channels' per-sender rate limit allows a person, so the limit is off here.
Printed per level: turns/s, latency percentiles, and each process's CPU time per turn; at the end
each process's peak memory (VmHWM).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.reporter import default_reply, shown_question  # noqa: E402
from tests.e2e.system import System, http  # noqa: E402

NARRATIVES = [
    "Yesterday my mum was given another patient's tablets at the hospital and was sick all night",
    "The lift at the surgery has been broken for weeks and my dad can't get upstairs to see the nurse",
    "The nurse at the walk in centre was very kind to my son and explained everything clearly",
    "My grandad fell in the care home bathroom last night because the call bell didn't work",
]
_ids = itertools.count(1)


class Stats:
    def __init__(self, interval: float = 0.0) -> None:
        self.interval = interval  # paced: each reporter sends a message every `interval` seconds
        self.warmup = 0.0  # paced: first messages spread over this long, and turns in it not counted
        self.counting_from = 0.0
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors = 0
        self.reports = 0

    def turn(self, seconds: float, ok: bool) -> None:
        if time.monotonic() < self.counting_from:
            return
        with self.lock:
            self.latencies.append(seconds)
            self.errors += 0 if ok else 1


WARMUP = 30.0  # paced runs: seconds over which conversations start; not counted
_reporter = threading.local()  # paced runs: when this reporter's next message is due


def say(system: System, sender: str, text: str, stats: Stats) -> list[dict]:
    if stats.interval:  # a reply that took longer than the interval is answered at once
        due = getattr(_reporter, "due", None) or time.monotonic() + random.uniform(0, stats.warmup)
        time.sleep(max(0.0, due - time.monotonic()))
        _reporter.due = max(due, time.monotonic() - stats.interval) + stats.interval
    began = time.perf_counter()
    try:
        status, replies = http("POST", system.webhook, {"sender": sender, "message": text},
                               {"Authorization": f"Bearer {system.rest_token}"}, timeout=120)
        ok = status == 200 and bool(replies)
    except OSError:
        status, replies, ok = 0, [], False
    stats.turn(time.perf_counter() - began, ok)
    return replies if ok else []


class Questions:
    """The public questions of every event type (the plan, read once), to tell from the assistant's
    own message which question it asked, so answering costs the system nothing but the turn."""

    def __init__(self, system: System) -> None:
        self.questions = [q for event_type in system.api("/taxonomy/code-systems/event-types", "public:bench")["codes"]
                          for q in system.api(f"/plan/{event_type['code']}?audience=public", "public:bench")["questions"]]

    def asked(self, replies: list[dict]) -> dict | None:
        return shown_question(self.questions, replies)


def conversation(system: System, questions: Questions, stats: Stats, deadline: float) -> None:
    """One public report from first message to reference (or the deadline)."""
    n = next(_ids)
    sender, key = f"bench-{n}", f"rest:bench-{n}"
    replies = say(system, sender, NARRATIVES[n % len(NARRATIVES)], stats)
    if any(b.get("title") == "Yes" for r in replies for b in r.get("buttons") or []):
        replies = say(system, sender, "yes", stats)  # yes, that is what I meant
    record_id, previous = None, None
    for _ in range(40):
        if time.monotonic() > deadline:
            return
        q = questions.asked(replies)
        if q is None or replies == previous:  # not a plan question, or asked again: ask the backend
            if record_id is None:
                drafts = system.api("/records?status=draft", f"public:{key}")["items"]
                if not drafts:
                    return
                record_id = drafts[0]["id"]
            q = system.api(f"/records/{record_id}/next-question?core_only=true", f"public:{key}")["question"]
            if q is None:
                break
        previous = replies
        replies = say(system, sender, default_reply(q), stats)
    replies = say(system, sender, "yes", stats)  # send it
    if any("PSE-" in (r.get("text") or "") for r in replies):
        with stats.lock:
            stats.reports += 1


def reporter(system: System, questions: Questions, stats: Stats, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            conversation(system, questions, stats, deadline)
        except Exception as exc:
            with stats.lock:
                stats.errors += 1
            print(f"  conversation failed: {exc!r}", file=sys.stderr)


def peak_memory_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its descendants, added up."""
    total = 0
    for member in process_tree(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (Rasa's Sanic workers are child processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, IndexError):
                continue  # gone meanwhile
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo += children.get(tree[-1], [])
    return tree


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process and its descendants so far (/proc/<pid>/stat)."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = _stat(member)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def run_level(system: System, questions: Questions, level: int, seconds: float, rate: float = 0.0) -> dict:
    """`level` reporters for `seconds`: each answering at once, or with `rate`, each pacing its
    messages so that together they offer `rate` turns per second."""
    stats = Stats(level / rate if rate else 0.0)
    if rate:  # conversations start at random times in the warm-up, as they would, not all at once
        stats.warmup = WARMUP
        stats.counting_from = time.monotonic() + WARMUP
    deadline = stats.counting_from + seconds if rate else time.monotonic() + seconds
    threads = [threading.Thread(target=reporter, args=(system, questions, stats, deadline), daemon=True)
               for _ in range(level)]
    for t in threads:
        t.start()
    time.sleep(max(0.0, stats.counting_from - time.monotonic()))
    cpu_before = {name: cpu_seconds(proc.pid) for name, proc in system.procs.items()}
    cpu_before["bench"] = time.process_time()  # the simulated reporters share the machine
    began = time.perf_counter()
    for t in threads:
        t.join(timeout=seconds + 180)
    wall = time.perf_counter() - began
    turns = max(1, len(stats.latencies))
    cpu = {name: (cpu_seconds(proc.pid) - cpu_before[name]) * 1000 / turns for name, proc in system.procs.items()}
    cpu["bench"] = (time.process_time() - cpu_before["bench"]) * 1000 / turns
    lat = stats.latencies or [float("nan")]
    return {"level": level, "turns": len(stats.latencies), "reports": stats.reports, "errors": stats.errors,
            "tps": len(stats.latencies) / wall, "p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99),
            "mean": statistics.fmean(lat) * 1000, "cpu": cpu}


def row(r: dict) -> str:
    cpu = " ".join(f"{name} {ms:.1f}" for name, ms in r["cpu"].items())
    return (f"{r['turns']:>7} {r['reports']:>7} {r['errors']:>6} {r['tps']:>8.1f} {r['p50']:>8.0f} {r['p95']:>8.0f} "
            f"{r['p99']:>8.0f}   {cpu}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--levels", type=int, nargs="+", default=[1, 10, 50, 200])
    ap.add_argument("--seconds", type=float, default=60, help="how long each level runs (default 60)")
    ap.add_argument("--paced", nargs="*", default=["50:60"], metavar="CONVERSATIONS:RATE",
                    help="then paced runs: so many conversations offering RATE turns/s together (default 50:60)")
    ap.add_argument("--production", action="store_true", help="PostgreSQL + SQL tracker store + Redis lock store")
    ap.add_argument("--warmup", type=float, default=15, help="seconds of unmeasured turns before the first level")
    ap.add_argument("--rasa-workers", type=int, default=1,
                    help="Sanic worker processes of the Rasa server (SANIC_WORKERS; needs --production)")
    args = ap.parse_args()
    if args.rasa_workers > 1 and not args.production:
        ap.error("several Rasa workers share conversations through the production stores: add --production")

    from backend.database.migrate import upgrade_to_head

    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp:
        system = System(Path(tmp), production=args.production, extra_env={"CHANNEL_RATE_LIMIT": "0", "SANIC_WORKERS": str(args.rasa_workers)})
        began = time.monotonic()
        if args.production:
            system.start_stores()
        upgrade_to_head(system.database_url)
        system.start()
        print(f"stack ready in {time.monotonic() - began:.1f} s "
              f"({'production: PostgreSQL, SQL tracker store, Redis lock store' if args.production else 'SQLite, in-memory stores'}"
              f"; Rasa workers: {args.rasa_workers})")
        for name, secs in system.ready_after.items():
            print(f"  {name:<8} ready after {secs:.1f} s")
        questions = Questions(system)
        if args.warmup:  # every Rasa worker has its model loaded and its first turns behind it
            run_level(system, questions, max(4, 4 * args.rasa_workers), args.warmup)
        header = (f"{'turns':>7} {'reports':>7} {'errors':>6} {'turns/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
                  f"{'p99 ms':>8}   CPU ms per turn")
        try:
            print(f"\nEach reporter answers at once (throughput):\n{'concurrent':>10} {header}")
            for level in args.levels:
                print(f"{level:>10} {row(run_level(system, questions, level, args.seconds))}", flush=True)
            if args.paced:
                print(f"\nPaced reporters offering a fixed rate together (latency at a load):\n"
                      f"{'concurrent':>10} {'offered':>8} {header}")
            for paced in args.paced:
                level, rate = int(paced.split(":")[0]), float(paced.split(":")[1])
                print(f"{level:>10} {rate:>8.0f} {row(run_level(system, questions, level, args.seconds, rate))}",
                      flush=True)
            print("\npeak memory (VmHWM):")
            for name, proc in system.procs.items():
                print(f"  {name:<8} {peak_memory_mb(proc.pid):>7.0f} MB")
        finally:
            system.stop()


if __name__ == "__main__":
    main()
