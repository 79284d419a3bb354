"""SIGKILL a real `betrokken serve` while clients write, restart it on the same data directory,
K times; then every acknowledged (2xx) command must be stored with its data, the log must be
intact, and the projections must equal a rebuild from zero.

A command whose answer never came (the connection cut by a kill, or the client's 10 s timeout)
may or may not be stored, and a timed-out one may land after a later acknowledged one when the
same server was still working on it; the roll-call check allows exactly that (see `finals`).
The server's deadline (5 s, under the client's 10 s) answers 503 with nothing stored instead.

K = 5 in `make test`, 30 in `make attack` (CRASH_KILLS overrides). Loopback only."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.helpers.live import LONG, SCHOOL, Client, admin_token, events_of, figure, projections_of, rows_sorted
from tests.helpers.processes import Processes
from tests.helpers.serve import Server, cli, environment

KILLS = int(os.environ.get("CRASH_KILLS", "30" if LONG else "5"))
WRITERS = 4
STATUSES = ("present", "absent", "excused")
CLIENT_TIMEOUT = 10  # seconds; the server's deadline (5 s) is well under it
BUSY = 503  # the server's deadline passed: nothing was stored


@dataclass(frozen=True)
class Sent:
    """One roll call sent: its status, whether it was acknowledged (True), answered without being
    stored (False) or never answered (None), and the server generations it may have reached."""

    status: str
    acked: bool | None
    generations: tuple[int, int]


def finals(sent: list[Sent]) -> set[str] | None:
    """The statuses a parent's roll call may end with, given what was sent for it in order; None
    when nothing was acknowledged. The last acknowledged one, or an unanswered one that could
    have landed after it: sent later, or sent earlier to the same server (a killed server's
    requests are gone before the next one starts)."""
    acked = [i for i, s in enumerate(sent) if s.acked]
    if not acked:
        return None
    last = sent[acked[-1]]
    possible = {last.status}
    for i, s in enumerate(sent):
        if s.acked is None and (i > acked[-1] or s.generations[1] >= last.generations[0]):
            possible.add(s.status)
    return possible


class Writer(threading.Thread):
    """Registers parents, enrols them, schedules sessions and takes roll calls, recording every
    acknowledged command; a refused connection (the server is down) is retried with the next one."""

    def __init__(self, n: int, server: Server, token: str, program_id: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.n, self.server, self.token, self.program_id, self.stop = n, server, token, program_id, stop
        self.acked: list[dict[str, Any]] = []
        self.sent: dict[tuple[str, str], list[Sent]] = {}  # (session, parent) -> roll calls in order
        self.statuses: Counter[int] = Counter()
        self.cut_off = 0
        self.parents: list[str] = []
        self.enrolled: list[str] = []
        self.sessions: list[str] = []
        self.rng = random.Random(n)

    def send(self, method: str, path: str, body: dict[str, Any]) -> tuple[Any, bool | None, tuple[int, int]]:
        """The answer's body (None unless 2xx), whether it was stored (None: unknown), and the
        server generations the request may have reached."""
        first, url = self.server.address()
        try:
            r = requests.request(method, url + path, json=body, timeout=CLIENT_TIMEOUT,
                                 headers={"Authorization": f"Bearer {self.token}"})
        except requests.RequestException:
            self.cut_off += 1
            time.sleep(0.05)
            return None, None, (first, self.server.address()[0])
        self.statuses[r.status_code] += 1
        generations = (first, self.server.address()[0])
        return (r.json(), True, generations) if r.status_code < 300 else (None, False, generations)

    def ok(self, method: str, path: str, body: dict[str, Any]) -> Any:
        return self.send(method, path, body)[0]

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            i += 1
            choice = self.rng.random()
            if not self.parents or choice < 0.2:
                name = f"Ouder {self.n}-{i}"
                made = self.ok("POST", "/parents", {"school": SCHOOL, "name": name, "children": [{"name": f"Kind {i}", "group": 1 + i % 8}]})
                if made:
                    self.parents.append(made["id"])
                    self.acked.append({"kind": "parent", "id": made["id"], "name": name})
            elif len(self.enrolled) < len(self.parents) and choice < 0.4:
                parent = self.parents[len(self.enrolled)]
                self.enrolled.append(parent)  # tried once only: an unacknowledged try may have been stored
                if self.ok("POST", f"/programs/{self.program_id}/enrollments", {"parent_id": parent, "enrolled_on": "2025-09-01"}):
                    self.acked.append({"kind": "enrolment", "program_id": self.program_id, "parent_id": parent})
                else:
                    self.enrolled[-1] = ""
            elif not self.sessions or choice < 0.5:
                title = f"Bijeenkomst {self.n}-{i}"
                made = self.ok("POST", f"/programs/{self.program_id}/sessions", {
                    "title": title, "starts_at": f"2025-10-{1 + i % 28:02d}T19:00:00+02:00", "homework": "Samen lezen"})
                if made:
                    self.sessions.append(made["id"])
                    self.acked.append({"kind": "session", "id": made["id"], "title": title})
            else:
                enrolled = [p for p in self.enrolled if p]
                if not enrolled:
                    continue
                session, parent = self.rng.choice(self.sessions), self.rng.choice(enrolled)
                status = self.rng.choice(STATUSES)
                _, acked, generations = self.send("PUT", f"/sessions/{session}/attendance", {"records": [{"parent_id": parent, "status": status}]})
                self.sent.setdefault((session, parent), []).append(Sent(status, acked, generations))
                if acked:
                    self.acked.append({"kind": "attendance", "session_id": session, "parent_id": parent, "status": status})


def test_every_acknowledged_command_survives_sigkill_and_projections_equal_a_rebuild(tmp_path: Path, processes: Processes) -> None:
    env = environment(tmp_path / "data")
    token = admin_token(env)
    server = Server(processes, env)
    admin = Client(server, token)
    program_id = admin.ok("POST", "/programs", {"school": SCHOOL, "name": "PACT crash", "kind": "pact", "starts_on": "2025-09-01",
                                                 "rewards": {"per_session_cents": 500, "per_homework_cents": 250}})["id"]
    stop = threading.Event()
    writers = [Writer(n, server, token, program_id, stop) for n in range(WRITERS)]
    rng = random.Random(0)
    started = time.monotonic()
    try:
        for w in writers:
            w.start()
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.3, 1.2))
            server.kill()
            server.start()
        time.sleep(0.5)
    finally:
        stop.set()
        for w in writers:
            w.join(timeout=30)
    writing = time.monotonic() - started

    acked = [a for w in writers for a in w.acked]
    statuses = sum((w.statuses for w in writers), Counter())
    assert not [s for s in statuses if s >= 500 and s != BUSY], statuses
    # nothing refused: each writer only sends commands that hold (503: too busy, nothing stored)
    assert set(statuses) <= {200, 201, BUSY}, statuses

    # every acknowledged command is stored, with its data (the aggregate's recorded events)
    history: dict[str, list[dict[str, Any]]] = {}

    def facts(aggregate_id: str) -> list[dict[str, Any]]:
        if aggregate_id not in history:
            history[aggregate_id] = events_of(admin, aggregate_id)
        return history[aggregate_id]

    for a in acked:
        if a["kind"] == "parent":
            assert any(e["type"] == "Parent.Registered" and e["data"]["name"] == a["name"] for e in facts(a["id"])), a
            assert admin.ok("GET", f"/parents/{a['id']}")["name"] == a["name"]
        elif a["kind"] == "enrolment":
            assert any(e["type"] == "TrainingProgram.ParentEnrolled" and e["data"]["parent_id"] == a["parent_id"]
                       for e in facts(a["program_id"])), a
        elif a["kind"] == "session":
            assert any(e["type"] == "Session.Scheduled" and e["data"]["title"] == a["title"] for e in facts(a["id"])), a
        else:
            assert any(e["type"] == "Session.AttendanceRecorded" and e["data"] == {"parent_id": a["parent_id"], "status": a["status"]}
                       for e in facts(a["session_id"])), a
    # each roll call ends at its last acknowledged status, or at an unanswered one that could have landed after it
    current: dict[str, dict[str, str]] = {}
    checked = 0
    for w in writers:
        for key, sent in w.sent.items():
            possible = finals(sent)
            if possible is None:
                continue
            session, parent = key
            if session not in current:
                current[session] = {r["parent_id"]: r["status"] for r in admin.ok("GET", f"/sessions/{session}")["attendance"]}
            assert current[session].get(parent) in possible, (key, current[session].get(parent), sent)
            checked += 1

    # the log: gapless positions, every stored event readable; `audit verify` finds it intact
    positions: list[int] = []
    after = 0
    while after is not None:
        page = admin.ok("GET", f"/audit/log?after={after}&limit=1000")
        positions += [item["position"] for item in page["items"]]
        after = page["next"]
    assert positions == list(range(1, len(positions) + 1))

    # projections: what the live server answers equals a rebuild from zero
    before = projections_of(admin, [program_id])
    server.stop()
    cli(env, "audit", "verify")
    cli(env, "audit", "replay-check")
    cli(env, "projections", "rebuild")
    server.start()
    try:
        after_rebuild = projections_of(admin, [program_id])
    finally:
        server.stop()
    assert rows_sorted(before) == rows_sorted(after_rebuild)
    rows = sum(len(v) if isinstance(v, list) else len(v["parents"]) + len(v["sessions"]) for v in before.values())

    figure(f"crash kills={KILLS} survived={KILLS} writers={WRITERS} seconds={writing:.1f} acknowledged={len(acked)} "
           f"by_kind={dict(Counter(a['kind'] for a in acked))} cut_off={sum(w.cut_off for w in writers)} "
           f"aggregates_checked={len(history)} events_checked={sum(len(v) for v in history.values())} "
           f"log_events={len(positions)} final_statuses_checked={checked} busy={statuses[BUSY]} projection_rows_compared={rows}")
    assert len(acked) > 10  # it did write
