"""N concurrent HTTP clients against a real `betrokken serve`, all on the SAME aggregates: roll
calls on one session, enrolments (and one contested enrolment) on one programme, payouts to one
parent. Nothing is lost: every 2xx command is in the log, no 5xx, each key ends at its last
acknowledged write, one parent is enrolled once, and payouts never exceed what was earned.

8 clients in `make test`; `make attack` gives each client more writes (CONCURRENT_ROUNDS)."""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from tests.helpers.live import LONG, SCHOOL, Client, admin_token, events_of, figure
from tests.helpers.processes import Processes
from tests.helpers.serve import Server, environment

CLIENTS = int(os.environ.get("CONCURRENT_CLIENTS", "8"))
ROUNDS = int(os.environ.get("CONCURRENT_ROUNDS", "40" if LONG else "10"))
PAYOUT_STEP, EARNED = 100, 2000  # one session attended at 2000 cents: 20 payouts of 100 fit, no more
CYCLE = ("present", "absent", "excused")  # each roll call changes the status: one event per write


def test_concurrent_writers_on_the_same_aggregates_lose_nothing(tmp_path: Path, processes: Processes) -> None:
    env = environment(tmp_path / "data")
    token = admin_token(env)
    server = Server(processes, env, threads=CLIENTS)
    admin = Client(server, token)
    try:
        run(server, admin, token)
    finally:
        server.stop()


def run(server: Server, admin: Client, token: str) -> None:
    def parent(name: str) -> str:
        return admin.ok("POST", "/parents", {"school": SCHOOL, "name": name, "children": [{"name": "Kind", "group": 5}]})["id"]

    program = admin.ok("POST", "/programs", {"school": SCHOOL, "name": "PACT druk", "kind": "pact", "starts_on": "2025-09-01",
                                              "rewards": {"per_session_cents": EARNED, "per_homework_cents": 0, "cap_cents": None}})["id"]
    roll = [parent(f"Aanwezig {i}") for i in range(CLIENTS)]  # client i corrects roll[i] again and again
    payee = parent("Ontvanger")
    contested = parent("Gewild")  # every client tries to enrol this one at once
    newcomers = [[parent(f"Nieuw {i}-{j}") for j in range(ROUNDS)] for i in range(CLIENTS)]
    for p in [*roll, payee]:
        admin.ok("POST", f"/programs/{program}/enrollments", {"parent_id": p, "enrolled_on": "2025-09-01"})
    paid_session = admin.ok("POST", f"/programs/{program}/sessions", {"title": "Betaald", "starts_at": "2025-09-08T19:00:00+02:00"})["id"]
    admin.ok("PUT", f"/sessions/{paid_session}/attendance", {"records": [{"parent_id": payee, "status": "present"}]})
    session = admin.ok("POST", f"/programs/{program}/sessions", {"title": "Druk", "starts_at": "2025-09-15T19:00:00+02:00"})["id"]
    before = max([0, *[i["position"] for i in admin.ok("GET", "/audit/log?after=0&limit=1000")["items"]]])

    barrier = threading.Barrier(CLIENTS)
    statuses: Counter[int] = Counter()
    roll_acked: dict[str, list[str]] = {p: [] for p in roll}
    enrol_acked: list[str] = []
    contested_answers: list[int] = []
    payouts_acked: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        c = Client(server, token)

        def send(method: str, path: str, body: dict[str, Any]) -> requests.Response:
            r = c.call(method, path, body, timeout=60)
            with lock:
                statuses[r.status_code] += 1
            return r

        try:
            barrier.wait(timeout=30)
            r = send("POST", f"/programs/{program}/enrollments", {"parent_id": contested, "enrolled_on": "2025-09-01"})
            contested_answers.append(r.status_code)
            for j in range(ROUNDS):
                status = CYCLE[j % len(CYCLE)]
                r = send("PUT", f"/sessions/{session}/attendance", {"records": [{"parent_id": roll[i], "status": status}]})
                if r.status_code == 200:
                    roll_acked[roll[i]].append(status)
                r = send("POST", f"/programs/{program}/enrollments", {"parent_id": newcomers[i][j], "enrolled_on": "2025-09-01"})
                if r.status_code == 201:
                    with lock:
                        enrol_acked.append(newcomers[i][j])
                r = send("POST", f"/programs/{program}/payouts", {"parent_id": payee, "amount_cents": PAYOUT_STEP, "method": "cash"})
                if r.status_code == 201:
                    with lock:
                        payouts_acked.append(r.json()["id"])
                elif r.status_code != 409:
                    errors.append(f"payout {r.status_code} {r.text[:200]}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)

    assert not errors, errors[:5]
    assert not [s for s in statuses if s >= 500], statuses
    # the contested enrolment: exactly one client won, the others were told it is already enrolled
    assert sorted(contested_answers) == [201] + [409] * (CLIENTS - 1), contested_answers

    session_facts = events_of(admin, session)
    program_facts = events_of(admin, program)
    # roll calls: per parent, the recorded statuses in log order are exactly the acknowledged ones
    for p, acked in roll_acked.items():
        recorded = [e["data"]["status"] for e in session_facts
                    if e["type"] == "Session.AttendanceRecorded" and e["data"]["parent_id"] == p]
        assert recorded == acked, (p, recorded, acked)
    final = {r["parent_id"]: r["status"] for r in admin.ok("GET", f"/sessions/{session}")["attendance"]}
    assert final == {p: acked[-1] for p, acked in roll_acked.items() if acked}
    # enrolments: every acknowledged one recorded once, and nobody else
    enrolled = Counter(e["data"]["parent_id"] for e in program_facts if e["type"] == "TrainingProgram.ParentEnrolled")
    assert enrolled == Counter([*roll, payee, contested, *enrol_acked]), "an enrolment was lost or doubled"
    # payouts: exactly what was earned, no more; the recorded ones are the acknowledged ones
    recorded_payouts = [e["data"]["payout_id"] for e in program_facts if e["type"] == "TrainingProgram.PayoutRecorded"]
    assert sorted(recorded_payouts) == sorted(payouts_acked)
    assert len(payouts_acked) * PAYOUT_STEP == EARNED
    rewards = {r["parent_id"]: r for r in admin.ok("GET", f"/programs/{program}/rewards")}
    assert rewards[payee]["paid_cents"] == EARNED and rewards[payee]["outstanding_cents"] == 0
    # and the log holds nothing else: each 2xx answer is one event here (roll calls change a status)
    after = max(i["position"] for i in admin.ok("GET", f"/audit/log?after={before}&limit=1000")["items"])
    acked_total = sum(map(len, roll_acked.values())) + len(enrol_acked) + len(payouts_acked) + 1
    assert after - before == acked_total, (after - before, acked_total)

    figure(f"concurrent clients={CLIENTS} rounds={ROUNDS} requests={sum(statuses.values())} statuses={dict(statuses)} "
           f"acknowledged={acked_total} roll_calls={sum(map(len, roll_acked.values()))} enrolments={len(enrol_acked)}+1 contested "
           f"payouts={len(payouts_acked)} (={len(payouts_acked) * PAYOUT_STEP} of {EARNED} cents) lost=0 doubled=0 5xx=0")
