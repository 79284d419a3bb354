"""Commands per second, measured in one run on fresh temporary SQLite stores:

(a) through the programme service in-process: roll calls of 30 parents (30 events a command,
    each on its own session) and one-event commands (a roll call of one parent), once with
    the in-process projector following the saves (as in `betrokken serve`), once without;
(b) through HTTP against a real `betrokken serve` (waitress) subprocess on loopback: 16
    concurrent clients PUT /api/v1/sessions/{id}/attendance with 30 records each;
(c) eventsourcing's bare `app.save()` of the same number of events, in the same shape (the
    floor: what the library and SQLite cost without our rules, loads and checks).

Usage: .venv/bin/python benchmarks/commands.py [--roll-calls 400] [--single 800] [--http 800]
Prints a markdown table with the machine it ran on."""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, time as clock_time, timedelta
from pathlib import Path
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from application.clock import SCHOOL_TZ  # noqa: E402
from adapters.config import StoreConfig  # noqa: E402
from betrokken.system import open_service  # noqa: E402
from application.programs import ProgramService  # noqa: E402
from betrokken.system import open_system  # noqa: E402

GROUP = 30
STATUSES = ("present", "absent", "excused")
BETROKKEN = str(Path(sys.executable).with_name("betrokken"))


@dataclass
class Row:
    """One line of the results table."""

    what: str
    commands: int
    events: int
    seconds: float
    p50_ms: float | None = None
    p95_ms: float | None = None

    def cells(self) -> list[str]:
        lat = "" if self.p50_ms is None else f"{self.p50_ms:.1f} / {self.p95_ms:.1f}"
        return [
            self.what, f"{self.commands:,}", f"{self.events:,}", f"{self.seconds:.2f}",
            f"{self.commands / self.seconds:,.0f}", f"{self.events / self.seconds:,.0f}", lat,
        ]


# -- the programme to run commands against ------------------------------------------------------

@dataclass
class Stage:
    """A PACT group of 30 enrolled parents and enough distinct sessions to take roll calls on."""

    program_id: UUID
    parents: list[UUID]
    sessions: list[UUID]


def stage(service: ProgramService, sessions: int) -> Stage:
    """Create the group and schedule `sessions` weekly meetings (in series of at most 50)."""
    program = service.create_program(school="12AB", name="PACT benchmark", kind="pact", starts_on=date(2024, 1, 1))
    parents = [
        service.register_parent(school="12AB", name=f"Ouder {i}", children=[(f"Kind {i}", 3)]).id for i in range(GROUP)
    ]
    for p in parents:
        service.enroll(program.id, parent_id=p, enrolled_on=date(2024, 1, 1))
    ids: list[UUID] = []
    first = datetime.combine(date(2024, 1, 9), clock_time(19, 30), tzinfo=SCHOOL_TZ)
    while len(ids) < sessions:
        weeks = min(50, sessions - len(ids))
        series = service.schedule_series(program.id, title=f"Bijeenkomst {len(ids)}", first_starts_at=first, weeks=weeks)
        ids.extend(s.id for s in series)
        first += timedelta(hours=1)  # the next series meets an hour later on the same evenings
    return Stage(program.id, parents, ids)


def roll_call(rng: random.Random, parents: list[UUID]) -> list[tuple[UUID, str]]:
    return [(p, rng.choice(STATUSES)) for p in parents]


# -- (a) through the service ----------------------------------------------------------------------

def bench_service(data_dir: Path, roll_calls: int, single: int, projector: bool = True) -> list[Row]:
    """Roll calls of 30 and one-event commands, one after another, in this process; with the
    composition root's in-process projector following every save (as `betrokken serve` runs),
    or with the bare service (projections left to catch up later)."""
    if projector:
        system = open_system(StoreConfig(data_dir=data_dir))
        service, close = system.service, system.close
    else:
        service = open_service(StoreConfig(data_dir=data_dir))
        close = service.close
    try:
        s = stage(service, roll_calls + single)
        rng = random.Random(1)
        batches = [roll_call(rng, s.parents) for _ in range(roll_calls)]
        started = time.perf_counter()
        for session_id, records in zip(s.sessions[:roll_calls], batches):
            service.take_roll_call(session_id, records)
        big = time.perf_counter() - started
        started = time.perf_counter()
        for session_id in s.sessions[roll_calls:]:
            service.take_roll_call(session_id, [(s.parents[0], "present")])
        small = time.perf_counter() - started
    finally:
        close()
    how = "service + projector" if projector else "service alone"
    return [
        Row(f"(a) {how}: roll call of {GROUP} parents", roll_calls, roll_calls * GROUP, big),
        Row(f"(a) {how}: one-event command (roll call of 1)", single, single, small),
    ]


# -- (c) the library's floor ------------------------------------------------------------------------

class Tally(Aggregate):
    """A bare aggregate: one event when made, one per mark."""

    @event("Marked")
    def mark(self, parent_id: UUID, status: str) -> None:
        pass


def bench_floor(path: Path, roll_calls: int, single: int) -> list[Row]:
    """`app.save()` of the same numbers of events per save, on a plain Application."""
    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)})
    rng = random.Random(2)
    parents = [UUID(int=i + 1) for i in range(GROUP)]
    try:
        started = time.perf_counter()
        for _ in range(roll_calls):
            tally = Tally()  # the creation event is the first of the 30
            for p in parents[1:]:
                tally.mark(p, rng.choice(STATUSES))
            app.save(tally)
        big = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(single):
            app.save(Tally())
        small = time.perf_counter() - started
    finally:
        app.close()
    return [
        Row(f"(c) floor: bare app.save() of {GROUP} events", roll_calls, roll_calls * GROUP, big),
        Row("(c) floor: bare app.save() of 1 event", single, single, small),
    ]


# -- (b) through HTTP ---------------------------------------------------------------------------------

def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([BETROKKEN, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"betrokken {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def start_server(env: dict[str, str], threads: int) -> tuple[subprocess.Popen[str], str]:
    """`betrokken serve` on a free loopback port; its base URL once it accepts requests."""
    server = subprocess.Popen(
        [BETROKKEN, "serve", "--host", "127.0.0.1", "--port", "0", "--threads", str(threads)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 60
    assert server.stdout is not None
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        if found:
            threading.Thread(target=server.stdout.read, daemon=True).start()  # keep the pipe drained
            return server, found.group(0)
    server.kill()
    raise RuntimeError("betrokken serve did not report its address within 60 s")


def bench_http(data_dir: Path, requests_total: int, clients: int, threads: int) -> list[Row]:
    """16 clients (threads, each its own keep-alive connection) PUT roll calls of 30."""
    import requests

    env = {**os.environ, "BETROKKEN_DATA_DIR": str(data_dir)}
    env.pop("BETROKKEN_DATABASE_URL", None)
    system = open_system(StoreConfig(data_dir=data_dir))
    try:
        s = stage(system.service, requests_total)
    finally:
        system.close()
    cli(env, "users", "add", "bench", "--role", "admin", "--password-stdin", stdin="bench-wachtwoord-123\n")
    token = cli(env, "users", "token", "bench").strip().splitlines()[-1].strip()
    server, base = start_server(env, threads)
    rng = random.Random(3)
    work = [(sid, {"records": [{"parent_id": str(p), "status": st} for p, st in roll_call(rng, s.parents)]})
            for sid in s.sessions]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(share: list[tuple[UUID, dict]]) -> None:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {token}"
            for session_id, body in share:
                t0 = time.perf_counter()
                answer = http.put(f"{base}/api/v1/sessions/{session_id}/attendance", json=body, timeout=60)
                took = time.perf_counter() - t0
                with lock:
                    latencies.append(took)
                    if answer.status_code != 200:
                        failures.append(f"{answer.status_code} {answer.text[:200]}")

    try:
        with requests.Session() as warm:  # one request first, so start-up is not measured
            warm.get(f"{base}/api/v1/openapi.json", timeout=30)
        workers = [threading.Thread(target=client, args=(work[i::clients],)) for i in range(clients)]
        started = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=600)
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    if failures:
        raise RuntimeError(f"{len(failures)} of {requests_total} requests failed, e.g. {failures[0]}")
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100)
    return [Row(f"(b) HTTP: {clients} clients, PUT attendance of {GROUP} (waitress, {threads} threads)",
                requests_total, requests_total * GROUP, seconds, p50_ms=q[49], p95_ms=q[94])]


# -- the report ---------------------------------------------------------------------------------------

def machine() -> str:
    cpu = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    from importlib.metadata import version

    return (f"nproc {os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, eventsourcing {version('eventsourcing')}, {platform.system()} {platform.release()}")


def table(rows: list[Row]) -> str:
    head = ["what", "commands", "events", "seconds", "commands/s", "events/s", "latency p50 / p95 (ms)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roll-calls", type=int, default=400, help="roll calls of 30 through the service")
    parser.add_argument("--single", type=int, default=800, help="one-event commands through the service")
    parser.add_argument("--http", type=int, default=800, help="HTTP roll calls of 30 in all")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--server-threads", type=int, default=8, help="waitress threads (betrokken serve's default: 8)")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    rows: list[Row] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="betrokken-bench-") as tmp:
        root = Path(tmp)
        print(f"(a) service ({args.roll_calls} roll calls of {GROUP}, {args.single} one-event commands) ...", file=sys.stderr)
        rows += bench_service(root / "service", args.roll_calls, args.single, projector=True)
        rows += bench_service(root / "bare-service", args.roll_calls, args.single, projector=False)
        if not args.skip_http:
            print(f"(b) HTTP ({args.http} PUTs from {args.clients} clients) ...", file=sys.stderr)
            try:
                rows += bench_http(root / "http", args.http, args.clients, args.server_threads)
            except Exception as exc:  # the table still shows (a) and (c)
                notes.append(f"(b) HTTP not measured: {exc}")
        print("(c) floor ...", file=sys.stderr)
        rows += bench_floor(root / "floor.sqlite", args.roll_calls, args.single)
    print(f"Machine: {machine()}\n")
    print(f"Command: {' '.join([Path(sys.executable).name, *sys.argv])}\n")
    print(table(rows))
    for note in notes:
        print(f"\n{note}")


if __name__ == "__main__":
    main()
