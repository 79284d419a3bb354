"""Rebuild speed of the projections, against the floor of eventsourcing alone.

Generates a log of realistic programmes (16 parents, 14 weekly sessions with homework, roll
calls, homework records, assessments, a payout each: ~540 events a programme) with big
multi-aggregate saves, then measures, each in a fresh subprocess (so peak memory is its own):

  floor     eventsourcing reading + decoding every notification, pages of 1,000
  rebuild   Projections.rebuild() from zero (read + decode + facts + three views; facts, dirty marks and
            position one transaction a page, dirty programmes recomputed every 256 programmes)
  raw       sqlite3 executemany of one small row per event, one transaction, WAL

    .venv/bin/python benchmarks/rebuild.py --events 100000 [--data-dir DIR] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.config import StoreConfig  # noqa: E402
from betrokken.system import open_service  # noqa: E402
from domain.parent import Parent  # noqa: E402
from domain.session import Session  # noqa: E402
from domain.training_program import TrainingProgram  # noqa: E402

CET = timezone(timedelta(hours=1))


def programme(rng: random.Random, index: int) -> list:
    """One programme with its parents and sessions, every fact recorded: new aggregates to save."""
    school = f"{10 + index % 80:02d}AB"
    program = TrainingProgram.create(
        school=school, name=f"PACT {index}", kind="pact", starts_on=date(2025, 1, 6), completion=None,
        rewards={"per_session_cents": 500, "per_homework_cents": 200, "per_assessment_cents": 1000, "cap_cents": 10000},
        actor="bench",
    )
    parents = [
        Parent.register(school=school, name=f"Ouder {index}-{i}", phone=None, email=None, language="nl",
                        children=[("Kind", rng.randint(1, 8))], actor="bench")
        for i in range(16)
    ]
    for p in parents:
        program.enroll(parent_id=p.id, parent_school=p.school, child_id=None, enrolled_on=date(2025, 1, 6), actor="bench")
    sessions = []
    for week in range(14):
        s = Session.schedule(program_id=program.id, title=f"Bijeenkomst {week + 1}",
                             starts_at=datetime(2025, 1, 6, 19, tzinfo=CET) + timedelta(weeks=week),
                             location="Aula", homework="Voorlezen", participants=None, actor="bench")
        s.record_attendance([(p.id, rng.choice(["present", "present", "present", "absent", "excused"]))
                             for p in parents], actor="bench")
        s.record_homework([(p.id, rng.random() < 0.7) for p in parents], actor="bench")
        sessions.append(s)
    for p in parents:
        child = next(iter(p.children))
        for _ in range(2):
            p.record_assessment(program_id=program.id, child_id=child, name="Cito", score=rng.randint(0, 10),
                                max_score=10, taken_on=date(2025, 3, 1), actor="bench")
        program.record_payout(parent_id=p.id, amount_cents=500, method="cash", earned_cents=500, actor="bench")
    return [program, *parents, *sessions]


def generate(config: StoreConfig, events: int) -> tuple[int, float]:
    """Fill the store with about `events` events; returns (events, seconds)."""
    service = open_service(config)
    started = time.perf_counter()
    rng = random.Random(42)
    index = 0
    while (service.recorder.max_notification_id() or 0) < events:
        batch = []
        for _ in range(4):
            batch.extend(programme(rng, index))
            index += 1
        service.save(*batch)
    total = service.recorder.max_notification_id() or 0
    service.close()
    return total, time.perf_counter() - started


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_floor(config: StoreConfig) -> dict:
    service = open_service(config)
    started = time.perf_counter()
    position, count = 0, 0
    while True:
        page = service.recorder.select_notifications(start=position, limit=1000, inclusive_of_start=False)
        if not page:
            break
        for n in page:
            service.mapper.to_domain_event(n)
        count += len(page)
        position = page[-1].id
    seconds = time.perf_counter() - started
    service.close()
    return {"events": count, "seconds": seconds, "peak_mib": peak_mib()}


def phase_rebuild(config: StoreConfig) -> dict:
    from projections import open_projections

    service = open_service(config)
    projections = open_projections(config, service, namespace="bench_projections")
    stats = projections.rebuild()
    projections.close()
    service.close()
    return {"events": stats.events, "seconds": stats.seconds, "peak_mib": peak_mib()}


def phase_raw(config: StoreConfig, events: int) -> dict:
    path = config.data_dir / "raw.sqlite"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE raw (position INTEGER PRIMARY KEY, topic TEXT, value INTEGER)")
    rows = [(i, "domain.session:Session.AttendanceRecorded", i % 7) for i in range(1, events + 1)]
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO raw VALUES (?, ?, ?)", rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    path.unlink()
    return {"events": events, "seconds": seconds, "peak_mib": peak_mib()}


def in_subprocess(args: argparse.Namespace, phase: str, events: int) -> dict:
    cmd = [sys.executable, __file__, "--phase", phase, "--data-dir", str(args.data_dir), "--events", str(events)]
    if args.database_url:
        cmd += ["--database-url", args.database_url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--database-url")
    parser.add_argument("--phase", choices=["floor", "rebuild", "raw"])
    args = parser.parse_args()
    if args.data_dir is None:
        args.data_dir = Path(tempfile.mkdtemp(prefix="betrokken-bench-"))
    config = StoreConfig(data_dir=args.data_dir, database_url=args.database_url)
    if args.phase:
        result = {"floor": lambda: phase_floor(config), "rebuild": lambda: phase_rebuild(config),
                  "raw": lambda: phase_raw(config, args.events)}[args.phase]()
        print(json.dumps(result))
        return

    service = open_service(config)
    existing = service.recorder.max_notification_id() or 0
    service.close()
    if existing < args.events:
        total, seconds = generate(config, args.events)
        print(f"generated {total:,} events in {seconds:.1f} s ({total / seconds:,.0f} events/s) in {args.data_dir}",
              file=sys.stderr)
    else:
        total = existing
    results = {phase: in_subprocess(args, phase, total) for phase in ("floor", "rebuild", "raw")}
    floor_rate = results["floor"]["events"] / results["floor"]["seconds"]
    store = "PostgreSQL" if config.is_postgres else "SQLite"
    print(f"\n{total:,} events, {store}, Python {sys.version.split()[0]}\n")
    print("| what | events | seconds | events/s | of floor | peak RSS |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    labels = {"floor": "eventsourcing read + decode (floor)", "rebuild": "projections rebuild (3 views + facts)",
              "raw": "raw sqlite3 executemany, 1 row/event"}
    for phase in ("floor", "rebuild", "raw"):
        r = results[phase]
        rate = r["events"] / r["seconds"]
        print(f"| {labels[phase]} | {r['events']:,} | {r['seconds']:.2f} | {rate:,.0f} | {rate / floor_rate:.0%} "
              f"| {r['peak_mib']:.0f} MiB |")


if __name__ == "__main__":
    main()
