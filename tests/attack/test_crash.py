"""SIGKILL a real `betrokken serve` while clients write, restart it on the same data directory,
K times; then every acknowledged (2xx) command must be stored with its data, the log must be
intact, and the projections must equal a rebuild from zero.

K = 5 in `make test`, 30 in `make attack` (CRASH_KILLS overrides). Loopback only."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from conftest import LONG, figure
from live import SCHOOL, Client, Server, admin_token, cli, environment, events_of, projections_of, rows_sorted

KILLS = int(os.environ.get("CRASH_KILLS", "30" if LONG else "5"))
WRITERS = 4
STATUSES = ("present", "absent", "excused")


class Writer(threading.Thread):
    """Registers parents, enrols them, schedules sessions and takes roll calls, recording every
    acknowledged command; a refused connection (the server is down) is retried with the next one."""

    def __init__(self, n: int, server: Server, token: str, program_id: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.n, self.server, self.token, self.program_id, self.stop = n, server, token, program_id, stop
        self.acked: list[dict[str, Any]] = []
        self.attempted_last: dict[tuple[str, str], str] = {}  # (session, parent) -> last status sent
        self.acked_last: dict[tuple[str, str], str] = {}  # (session, parent) -> last status acknowledged
        self.statuses: Counter[int] = Counter()
        self.cut_off = 0
        self.parents: list[str] = []
        self.enrolled: list[str] = []
        self.sessions: list[str] = []
        self.rng = random.Random(n)

    def send(self, method: str, path: str, body: dict[str, Any]) -> Any:
        try:
            r = Client(self.server, self.token).call(method, path, body, timeout=10)
        except requests.RequestException:
            self.cut_off += 1
            time.sleep(0.05)
            return None
        self.statuses[r.status_code] += 1
        return r.json() if r.status_code < 300 else None

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            i += 1
            choice = self.rng.random()
            if not self.parents or choice < 0.2:
                name = f"Ouder {self.n}-{i}"
                made = self.send("POST", "/parents", {"school": SCHOOL, "name": name, "children": [{"name": f"Kind {i}", "group": 1 + i % 8}]})
                if made:
                    self.parents.append(made["id"])
                    self.acked.append({"kind": "parent", "id": made["id"], "name": name})
            elif len(self.enrolled) < len(self.parents) and choice < 0.4:
                parent = self.parents[len(self.enrolled)]
                self.enrolled.append(parent)  # tried once only: an unacknowledged try may have been stored
                if self.send("POST", f"/programs/{self.program_id}/enrollments", {"parent_id": parent, "enrolled_on": "2025-09-01"}):
                    self.acked.append({"kind": "enrolment", "program_id": self.program_id, "parent_id": parent})
                else:
                    self.enrolled[-1] = ""
            elif not self.sessions or choice < 0.5:
                title = f"Bijeenkomst {self.n}-{i}"
                made = self.send("POST", f"/programs/{self.program_id}/sessions", {
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
                self.attempted_last[(session, parent)] = status
                if self.send("PUT", f"/sessions/{session}/attendance", {"records": [{"parent_id": parent, "status": status}]}):
                    self.acked_last[(session, parent)] = status
                    self.acked.append({"kind": "attendance", "session_id": session, "parent_id": parent, "status": status})


def test_every_acknowledged_command_survives_sigkill_and_projections_equal_a_rebuild(tmp_path: Path) -> None:
    env = environment(tmp_path / "data")
    token = admin_token(env)
    server = Server(env)
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
    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {200, 201}, statuses  # nothing refused: each writer only sends commands that hold

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
    # where the last roll call sent for a parent was acknowledged, it is the current status
    current: dict[str, dict[str, str]] = {}
    finals = 0
    for w in writers:
        for key, status in w.acked_last.items():
            if w.attempted_last[key] != status:
                continue
            session, parent = key
            if session not in current:
                current[session] = {r["parent_id"]: r["status"] for r in admin.ok("GET", f"/sessions/{session}")["attendance"]}
            assert current[session].get(parent) == status, (key, status)
            finals += 1

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
           f"log_events={len(positions)} final_statuses_checked={finals} projection_rows_compared={rows}")
    assert len(acked) > 10  # it did write
