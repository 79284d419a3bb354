"""Commands per second, measured in one run on fresh temporary SQLite stores:

(a) through the programme service in-process: roll calls of 30 parents (30 events a command,
    each on its own session) and one-event commands (a roll call of one parent), once with
    the in-process projector following the saves (as in `betrokken serve`), once without;
(b) through HTTP against a real `betrokken serve` (waitress) subprocess on loopback: 16
    concurrent clients PUT /api/v1/sessions/{id}/attendance with 30 records each;
(c) eventsourcing's bare `app.save()` of the same number of events, in the same shape (the
    floor: what the library and SQLite cost without our rules, loads and checks);
(d) the same on PostgreSQL (an embedded server, durability on): the service, HTTP at 16 clients,
    and one request at a time against SQLite's;
(e) 1 vs 2 `betrokken serve` processes on one store, and the projections follower in a process
    of its own (serve's default) vs a thread of the server;
(f) a long history: 1,000 enrolments in a row, then commands on the 1,000-event programme.

Usage: .venv/bin/python benchmarks/commands.py [--roll-calls 400] [--single 800] [--http 800] [--skip-postgres]
Prints a markdown table with the machine it ran on, and each goal of issue 11 against it."""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, time as clock_time, timedelta
from pathlib import Path
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from application.clock import SCHOOL_TZ  # noqa: E402
from adapters.config import StoreConfig, postgres_settings  # noqa: E402
from application.programs import ProgramService  # noqa: E402
from benchmarks.history import History, bench_history, open_for_bench  # noqa: E402
from benchmarks.postgres import embedded_postgres  # noqa: E402
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
    p99_ms: float | None = None
    errors: int | None = None
    cpu_ms: tuple[float, float, float] | None = None
    """CPU time per command: the benchmark's clients, the server processes, their followers."""

    @property
    def rate(self) -> float:
        return self.commands / self.seconds

    def cells(self) -> list[str]:
        lat = "" if self.p50_ms is None else f"{self.p50_ms:.1f} / {self.p95_ms:.1f} / {self.p99_ms:.1f}"
        return [
            self.what, f"{self.commands:,}", f"{self.events:,}", f"{self.seconds:.2f}",
            f"{self.rate:,.0f}", f"{self.events / self.seconds:,.0f}", lat,
            "" if self.errors is None else str(self.errors),
            "" if self.cpu_ms is None else " / ".join(f"{c:.1f}" for c in self.cpu_ms),
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

def bench_service(config: StoreConfig, roll_calls: int, single: int, projector: bool = True, label: str = "") -> list[Row]:
    """Roll calls of 30 and one-event commands, one after another, in this process; with the
    composition root's in-process projector following every save (as `betrokken serve` runs),
    or with the bare service (projections left to catch up later)."""
    service, close = open_for_bench(config, projector)
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
    how = ("service + projector" if projector else "service alone") + label
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


def bench_floor(path: Path, roll_calls: int, single: int, database_url: str | None = None) -> list[Row]:
    """`app.save()` of the same numbers of events per save, on a plain Application (SQLite, or
    PostgreSQL with the library's own settings when `database_url` is given)."""
    env = ({"PERSISTENCE_MODULE": "eventsourcing.postgres", **postgres_settings(database_url)} if database_url
           else {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)})
    app = Application(env=env)
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
    where = ", PostgreSQL" if database_url else ""
    return [
        Row(f"(c) floor{where}: bare app.save() of {GROUP} events", roll_calls, roll_calls * GROUP, big),
        Row(f"(c) floor{where}: bare app.save() of 1 event", single, single, small),
    ]


# -- (b) through HTTP ---------------------------------------------------------------------------------

def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([BETROKKEN, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"betrokken {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def start_server(env: dict[str, str], threads: int, projector: str = "process") -> tuple[subprocess.Popen[str], str]:
    """`betrokken serve` on a free loopback port (its projections follower in a process beside it,
    as by default, or in a thread); its base URL once it accepts requests."""
    server = subprocess.Popen(
        [BETROKKEN, "serve", "--host", "127.0.0.1", "--port", "0", "--threads", str(threads), "--projector", projector],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
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


def bench_http(config: StoreConfig, requests_total: int, clients: int, threads: int, servers: int = 1,
               projector: str = "process") -> Row:
    """`clients` clients (threads, each its own keep-alive connection, spread over `servers`
    server processes on the same store) PUT roll calls of 30; every answer but 200 is an error."""
    import requests

    env = {**os.environ, "BETROKKEN_DATA_DIR": str(config.data_dir)}
    env.pop("BETROKKEN_DATABASE_URL", None)
    if config.database_url:
        env["BETROKKEN_DATABASE_URL"] = config.database_url
    system = open_system(config)
    try:
        s = stage(system.service, requests_total)
    finally:
        system.close()
    cli(env, "users", "add", "bench", "--role", "admin", "--password-stdin", stdin="bench-wachtwoord-123\n")
    token = cli(env, "users", "token", "bench").strip().splitlines()[-1].strip()
    started_servers = [start_server(env, threads, projector) for _ in range(servers)]
    rng = random.Random(3)
    work = [(sid, {"records": [{"parent_id": str(p), "status": st} for p, st in roll_call(rng, s.parents)]})
            for sid in s.sessions]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(base: str, share: list[tuple[UUID, dict]]) -> None:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {token}"
            for session_id, body in share:
                t0 = time.perf_counter()
                try:
                    answer = http.put(f"{base}/api/v1/sessions/{session_id}/attendance", json=body, timeout=60)
                    failure = "" if answer.status_code == 200 else f"{answer.status_code} {answer.text[:200]}"
                except requests.RequestException as exc:
                    failure = repr(exc)
                took = time.perf_counter() - t0
                with lock:
                    latencies.append(took)
                    if failure:
                        failures.append(failure)

    try:
        bases = [base for _, base in started_servers]
        for base in bases:
            with requests.Session() as warm:  # one request first, so start-up is not measured
                warm.get(f"{base}/api/v1/openapi.json", timeout=30)
                # and the views caught up with the staged programme (a read does that), the follower
                # process up (neither measured)
                warm.get(f"{base}/api/v1/programs/{s.program_id}/attendance", timeout=120,
                         headers={"Authorization": f"Bearer {token}"}).raise_for_status()
                deadline = time.monotonic() + 120
                while warm.get(f"{base}/readyz", timeout=30).json().get("projections_lag") != 0:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the projections did not catch up with the staged programme")
                    time.sleep(0.1)
                time.sleep(0.5)
        workers = [threading.Thread(target=client, args=(bases[i % servers], work[i::clients])) for i in range(clients)]
        pids = [server.pid for server, _ in started_servers]
        followers = [c for pid in pids for c in children(pid)]
        cpu_before = (process_cpu(), sum(map(cpu_of, pids)), sum(map(cpu_of, followers)))
        started = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=600)
        seconds = time.perf_counter() - started
        cpu_after = (process_cpu(), sum(map(cpu_of, pids)), sum(map(cpu_of, followers)))
        cpu = tuple((b - a) * 1000 / requests_total for a, b in zip(cpu_before, cpu_after))
    finally:
        for server, _ in started_servers:
            os.killpg(server.pid, signal.SIGTERM)  # the server and its projections follower
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    if failures:
        print(f"{len(failures)} of {requests_total} requests failed, e.g. {failures[0]}", file=sys.stderr)
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100)
    where = "PostgreSQL" if config.database_url else "SQLite"
    processes = "1 process" if servers == 1 else f"{servers} processes"
    follower = "projections follower process" if projector == "process" else "projections thread"
    return Row(f"(b) HTTP, {where}: {clients} client{'s' if clients > 1 else ''}, PUT attendance of {GROUP} "
               f"({processes}, waitress {threads} threads, {follower})",
               requests_total, requests_total * GROUP, seconds, p50_ms=q[49], p95_ms=q[94], p99_ms=q[98],
               errors=len(failures), cpu_ms=(cpu[0], cpu[1], cpu[2]))


def process_cpu() -> float:
    """CPU seconds this process (the benchmark's clients) has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_of(pid: int) -> float:
    """CPU seconds another process has used (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """A process's children (a server's projections follower)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


# -- the report ---------------------------------------------------------------------------------------

def machine() -> str:
    cpu = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    from importlib.metadata import version

    import psycopg

    return (f"nproc {os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, eventsourcing {version('eventsourcing')}, "
            f"psycopg {version('psycopg')} ({psycopg.pq.__impl__}), {platform.system()} {platform.release()}")


def table(rows: list[Row]) -> str:
    head = ["what", "commands", "events", "seconds", "commands/s", "events/s", "latency p50 / p95 / p99 (ms)", "errors",
            "CPU ms per command: clients / server / follower"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)


def _latency_row(what: str, ms: list[float]) -> Row:
    q = statistics.quantiles(ms, n=100) if len(ms) > 1 else ms * 99
    return Row(what, len(ms), len(ms), sum(ms) / 1000, p50_ms=statistics.median(ms), p95_ms=q[94], p99_ms=q[98])


def history_rows(h: History, where: str) -> list[Row]:
    """The long-history figures as rows: the enrolments in a row, then commands on the long programme."""
    n = len(h.enrolments)
    return [
        _latency_row(f"(f) {where}: {n:,} enrolments in a row (p50 around the 10th / the {n:,}th: "
                     f"{h.window(10):.1f} / {h.window(n):.1f} ms)", h.enrolments),
        _latency_row(f"(f) {where}: enrolments on the {h.events:,}-event programme (warm)", h.warm),
        _latency_row(f"(f) {where}: roll calls of one parent, sessions of the {h.events:,}-event programme (warm)",
                     h.roll_calls),
        _latency_row(f"(f) {where}: the same, cold (a fresh process: the latest snapshot and the events after it)", [h.cold_ms]),
    ]


def goals(rows: dict[str, Row], history: History) -> list[str]:
    """Each goal of issue 11 against this run's figures (the long history as `betrokken serve` runs
    it: with the projector following the saves)."""
    out = []

    def goal(name: str, figure: str, met: bool) -> None:
        out.append(f"- {name}: {figure} — {'met' if met else 'NOT met'}")

    http, floor = rows.get("http"), rows["floor"]
    if http is not None:
        share = http.rate / floor.rate
        goal("HTTP PUT of 30 at 16 clients vs bare save() of 30 events (≥ 35%)",
             f"{http.rate:,.0f} vs {floor.rate:,.0f}/s = {share:.0%}", share >= 0.35)
        goal("its p95 (≤ 100 ms)", f"{http.p95_ms:.0f} ms", (http.p95_ms or 0) <= 100)
    one_sqlite, one_pg = rows.get("one-sqlite"), rows.get("one-pg")
    if one_sqlite is not None and one_pg is not None:
        ratio = (one_pg.p50_ms or 0) / (one_sqlite.p50_ms or 1)
        goal("one request at a time, PostgreSQL vs SQLite (≤ 1.3×)",
             f"p50 {one_pg.p50_ms:.1f} vs {one_sqlite.p50_ms:.1f} ms = {ratio:.2f}×", ratio <= 1.3)
        floor_pg = rows.get("floor-pg")
        if floor_pg is not None:
            out.append(f"- the library's own bare save() of {GROUP} events, PostgreSQL vs SQLite: "
                       f"{floor.rate / floor_pg.rate:.2f}× the time")
    roll, enrol = statistics.median(history.roll_calls), statistics.median(history.warm)
    goal("a command on a 1,000-event programme (≤ 5 ms)",
         f"p50 roll call {roll:.1f} ms, enrolment {enrol:.1f} ms warm; a roll call cold {history.cold_ms:.0f} ms",
         max(roll, enrol) <= 5)
    tenth, last = history.window(10), history.window(len(history.enrolments))
    goal("1,000 enrolments in a row (the 1,000th as fast as the 10th)", f"{tenth:.1f} ms vs {last:.1f} ms",
         last <= tenth * 1.5)
    two, one = rows.get("http-2"), rows.get("http")
    if two is not None and one is not None:
        out.append(f"- 2 server processes vs 1: {two.rate:,.0f} vs {one.rate:,.0f} requests/s ({two.rate / one.rate:.2f}×)")
    thread = rows.get("http-thread")
    if thread is not None and one is not None:
        out.append(f"- the projections in a follower process vs a thread of the server: {one.rate:,.0f} vs "
                   f"{thread.rate:,.0f} requests/s, p95 {one.p95_ms:.0f} vs {thread.p95_ms:.0f} ms")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roll-calls", type=int, default=400, help="roll calls of 30 through the service")
    parser.add_argument("--single", type=int, default=800, help="one-event commands through the service")
    parser.add_argument("--http", type=int, default=800, help="HTTP roll calls of 30 in all")
    parser.add_argument("--one", type=int, default=200, help="HTTP roll calls of 30 sent one at a time")
    parser.add_argument("--enrolments", type=int, default=1000, help="enrolments in a row on one programme")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--server-threads", type=int, default=8, help="waitress threads (betrokken serve's default: 8)")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows: list[Row] = []
    named: dict[str, Row] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="betrokken-bench-") as tmp, ExitStack() as stack:
        root = Path(tmp)
        sqlite = lambda name: StoreConfig(data_dir=root / name)  # noqa: E731
        new_database = None if args.skip_postgres else stack.enter_context(embedded_postgres())
        pg = lambda name: StoreConfig(data_dir=root / name, database_url=new_database())  # noqa: E731
        print(f"(a) service ({args.roll_calls} roll calls of {GROUP}, {args.single} one-event commands) ...", file=sys.stderr)
        rows += bench_service(sqlite("service"), args.roll_calls, args.single, projector=True)
        rows += bench_service(sqlite("bare-service"), args.roll_calls, args.single, projector=False)
        if new_database is not None:
            rows += bench_service(pg("pg-service"), args.roll_calls, args.single, projector=True, label=", PostgreSQL")
        if not args.skip_http:
            print(f"(b) HTTP ({args.http} PUTs from {args.clients} clients) ...", file=sys.stderr)
            runs = [("http", sqlite("http"), args.http, args.clients, 1, "process"),
                    ("http-thread", sqlite("http-thread"), args.http, args.clients, 1, "thread"),
                    ("http-2", sqlite("http-2"), args.http, args.clients, 2, "process"),
                    ("one-sqlite", sqlite("one"), args.one, 1, 1, "process")]
            if new_database is not None:
                runs += [("http-pg", pg("http-pg"), args.http, args.clients, 1, "process"),
                         ("one-pg", pg("one-pg"), args.one, 1, 1, "process")]
            for name, config, total, clients, servers, projector in runs:
                try:
                    named[name] = bench_http(config, total, clients, args.server_threads, servers, projector)
                    rows.append(named[name])
                except Exception as exc:  # the table still shows the rest
                    notes.append(f"(b) {name} not measured: {exc}")
        print(f"(f) {args.enrolments} enrolments in a row ...", file=sys.stderr)
        rows += history_rows(bench_history(sqlite("history-alone"), args.enrolments, projector=False), "SQLite, service alone")
        history = bench_history(sqlite("history"), args.enrolments)
        rows += history_rows(history, "SQLite, service + projector")
        if new_database is not None:
            rows += history_rows(bench_history(pg("pg-history"), args.enrolments), "PostgreSQL, service + projector")
        print("(c) floor ...", file=sys.stderr)
        floor = bench_floor(root / "floor.sqlite", args.roll_calls, args.single)
        rows += floor
        named["floor"] = floor[0]
        if new_database is not None:
            pg_floor = bench_floor(root / "unused", args.roll_calls, args.single, new_database())
            rows += pg_floor
            named["floor-pg"] = pg_floor[0]
    print(f"Machine: {machine()}\n")
    print(f"Command: {' '.join([Path(sys.executable).name, *sys.argv])}\n")
    print(f"Load average (1 min) at the start / the end: {load_before:.1f} / {os.getloadavg()[0]:.1f}\n")
    print(table(rows))
    print("\nGoals (issue 11):")
    print("\n".join(goals(named, history)))
    for note in notes:
        print(f"\n{note}")


if __name__ == "__main__":
    main()
