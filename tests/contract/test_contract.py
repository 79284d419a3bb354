"""Black-box check of the public contract (CLI, HTTP API, the rules of docs/rules.md): only the
`betrokken` console script (subprocess) and HTTP (requests) against a live `betrokken serve` on a
tmp data directory.

The scenario's expected figures are computed by hand from the rules in docs/rules.md."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from tests.helpers.processes import Processes
from tests.helpers.serve import Server

BETROKKEN = shutil.which("betrokken", path=str(Path(sys.executable).parent)) or "betrokken"


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BETROKKEN_")}
    env["BETROKKEN_DATA_DIR"] = str(data_dir)
    return env


def cli(env: dict[str, str], *args: str, stdin: str | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([BETROKKEN, *args], env=env, input=stdin, capture_output=True, text=True, timeout=180)
    if ok:
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done


class Api:
    def __init__(self, base: str, token: str | None) -> None:
        self.base, self.s = base, requests.Session()
        if token:
            self.s.headers["Authorization"] = f"Bearer {token}"

    def __getattr__(self, method: str) -> Any:
        def call(path: str, **kw: Any) -> requests.Response:
            return self.s.request(method.upper(), self.base + path, timeout=30, **kw)

        return call


def error_of(r: requests.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert isinstance(err["code"], str) and err["code"], body
    assert isinstance(err["message"], str) and err["message"], body
    assert "fields" in err and isinstance(err["fields"], dict), body
    if status == 422:
        assert err["fields"], body
        for name, msgs in err["fields"].items():
            assert isinstance(msgs, list) and all(isinstance(m, str) for m in msgs), body
    return err


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, module_processes: Processes) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("contract-data")
    env = env_for(data)
    tokens: dict[str, str] = {}
    for name, role, extra in [
        ("beheer", "admin", []),
        ("juf", "staff", ["--school", "12AB"]),
        ("controle", "auditor", []),
        ("cijfers", "analyst", []),
    ]:
        cli(env, "users", "add", name, "--role", role, *extra, "--password-stdin", stdin="een-lang-wachtwoord-42\n")
        tokens[role] = cli(env, "users", "token", name).stdout.strip().splitlines()[-1]
    server = Server(module_processes, env)  # stopped by module_processes whatever the outcome
    yield {"env": env, "data": data, "url": server.base, "tokens": tokens, "tmp": tmp_path_factory}
    server.stop()


def api(world: dict[str, Any], role: str | None = "admin") -> Api:
    return Api(world["url"] + "/api/v1", world["tokens"][role] if role else None)


def log_end(a: Api) -> int:
    """The position of the last stored event (walks /audit/log with next)."""
    after, last = 0, 0
    while True:
        r = a.get("/audit/log", params={"after": after, "limit": 500})
        assert r.status_code == 200, r.text
        body = r.json()
        for item in body["items"]:
            last = max(last, item["position"])
        if not body["next"] or not body["items"]:
            return last
        after = body["items"][-1]["position"]


def test_contract(world: dict[str, Any]) -> None:
    a = api(world)
    aud = api(world, "auditor")
    staff = api(world, "staff")

    # --- 401 / auth -------------------------------------------------------------------------
    error_of(api(world, None).get("/programs"), 401)
    error_of(Api(world["url"] + "/api/v1", "not-a-token").get("/programs"), 401)
    assert a.get("/openapi.json").status_code == 200

    # --- parents ----------------------------------------------------------------------------
    def new_parent(name: str, school: str = "12AB", who: Api = a) -> dict[str, Any]:
        r = who.post("/parents", json={"school": school, "name": name, "phone": "0612345678",
                                       "email": f"{name.lower()}@example.nl", "language": "nl",
                                       "children": [{"name": f"Kind {name}", "group": 3}]})
        assert r.status_code == 201, r.text
        p = r.json()
        uuid.UUID(p["id"])
        assert p["school"] == school and p["name"] == name
        assert len(p["children"]) == 1 and set(p["children"][0]) >= {"id", "name", "group"}
        assert p["children"][0]["group"] == 3 and p["children"][0]["name"] == f"Kind {name}"
        return p

    before = log_end(a)
    for bad in [
        {"school": "12AB", "name": "X", "children": [{"name": "K", "group": 9}]},
        {"school": "12AB", "name": "X", "children": [{"name": "K", "group": 0}]},
        {"school": "12AB", "children": []},
        {"school": "12AB", "name": "X", "children": [{"name": "K"}]},
    ]:
        error_of(a.post("/parents", json=bad), 422)
    error_of(a.post("/parents", data="not json", headers={"Content-Type": "application/json"}), 422)
    assert log_end(a) == before, "a refused command recorded an event"

    pa, pb, pc, pd, pe = (new_parent(n) for n in ("Anna", "Bram", "Cor", "Dirk", "Eva"))
    other = new_parent("Olaf", school="34CD")
    A, B, C, D, E = (p["id"] for p in (pa, pb, pc, pd, pe))

    r = a.get(f"/parents/{A}")
    assert r.status_code == 200 and r.json()["id"] == A and r.json()["children"][0]["id"] == pa["children"][0]["id"]
    error_of(a.get(f"/parents/{uuid.uuid4()}"), 404)
    error_of(a.get("/parents/not-a-uuid"), 404)
    # staff of 12AB: a 34CD parent does not exist for them
    error_of(staff.get(f"/parents/{other['id']}"), 404)
    assert staff.get(f"/parents/{A}").status_code == 200
    before = log_end(a)
    r = staff.post("/parents", json={"school": "34CD", "name": "Z", "children": []})
    assert r.status_code in (403, 404), r.text
    error_of(r, r.status_code)
    assert log_end(a) == before
    # the auditor may not register parents
    before = log_end(a)
    error_of(aud.post("/parents", json={"school": "12AB", "name": "Z", "children": []}), 403)
    error_of(api(world, "analyst").post("/parents", json={"school": "12AB", "name": "Z", "children": []}), 403)
    assert log_end(a) == before

    r = a.post(f"/parents/{A}/children", json={"name": "Tweede", "group": 8})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Tweede" and r.json()["group"] == 8 and uuid.UUID(r.json()["id"])
    error_of(a.post(f"/parents/{A}/children", json={"name": "Te oud", "group": 9}), 422)
    error_of(a.post(f"/parents/{uuid.uuid4()}/children", json={"name": "X", "group": 2}), 404)
    assert len(a.get(f"/parents/{A}").json()["children"]) == 2

    # --- programmes -------------------------------------------------------------------------
    completion = {"min_attendance_rate": 0.5, "min_homework_rate": 0.5, "min_sessions_attended": 1}
    rewards = {"per_session_cents": 500, "per_homework_cents": 200, "per_assessment_cents": 1000,
               "assessment_threshold": 0.6, "cap_cents": 2000, "payout": "cash"}
    r = a.post("/programs", json={"school": "12AB", "name": "Eigen", "kind": "custom", "starts_on": "2024-01-01",
                                  "completion": completion, "rewards": rewards})
    assert r.status_code == 201, r.text
    prog = r.json()
    P = prog["id"]
    assert prog["completion"] == completion and prog["rewards"] == rewards

    r = a.post("/programs", json={"school": "12AB", "name": "PACT", "kind": "pact", "starts_on": "2024-01-01"})
    assert r.status_code == 201, r.text
    pact = r.json()
    assert set(pact["completion"]) == set(completion) and set(pact["rewards"]) == set(rewards)
    for kind in ("pittige_jaren", "real", "info_meetings", "custom"):
        r = a.post("/programs", json={"school": "12AB", "name": kind, "kind": kind, "starts_on": "2024-01-01"})
        assert r.status_code == 201, (kind, r.text)
        assert set(r.json()["completion"]) == set(completion) and set(r.json()["rewards"]) == set(rewards)

    before = log_end(a)
    for bad in [
        {"school": "12AB", "name": "X", "kind": "yoga", "starts_on": "2024-01-01"},
        {"school": "12AB", "name": "X", "kind": "pact", "starts_on": "01-01-2024"},
        {"school": "12AB", "name": "X", "kind": "pact", "starts_on": "2024-01-01",
         "completion": {**completion, "min_attendance_rate": 1.5}},
        {"school": "12AB", "name": "X", "kind": "pact", "starts_on": "2024-01-01",
         "completion": {**completion, "min_sessions_attended": -1}},
        {"school": "12AB", "name": "X", "kind": "pact", "starts_on": "2024-01-01",
         "rewards": {**rewards, "payout": "bitcoin"}},
        {"school": "12AB", "name": "X", "kind": "pact", "starts_on": "2024-01-01",
         "rewards": {**rewards, "assessment_threshold": -0.1}},
    ]:
        error_of(a.post("/programs", json=bad), 422)
    assert log_end(a) == before

    assert a.get(f"/programs/{P}").status_code == 200 and a.get(f"/programs/{P}").json()["id"] == P
    r = a.get("/programs")
    assert r.status_code == 200
    listed = r.json()
    listed = listed.get("items", listed) if isinstance(listed, dict) else listed
    assert P in [p["id"] for p in listed]
    error_of(a.get(f"/programs/{uuid.uuid4()}"), 404)

    # second programme: everything at 0
    zero = {"min_attendance_rate": 0, "min_homework_rate": 0, "min_sessions_attended": 0}
    r = a.post("/programs", json={"school": "12AB", "name": "Nul", "kind": "custom", "starts_on": "2024-01-01",
                                  "completion": zero, "rewards": {**rewards, "cap_cents": None}})
    assert r.status_code == 201, r.text
    Q = r.json()["id"]
    assert r.json()["rewards"]["cap_cents"] is None

    # --- enrolments -------------------------------------------------------------------------
    def enrol(prog_id: str, parent: str, on: str | None, status: int = 201) -> requests.Response:
        body: dict[str, Any] = {"parent_id": parent}
        if on:
            body["enrolled_on"] = on
        r = a.post(f"/programs/{prog_id}/enrollments", json=body)
        assert r.status_code == status, r.text
        return r

    for p in (A, B, D, E):
        enrol(P, p, "2024-01-01")
    enrol(P, C, "2024-01-15")
    before = log_end(a)
    error_of(enrol(P, A, "2024-01-02", 409), 409)
    error_of(a.post(f"/programs/{P}/enrollments", json={"parent_id": str(uuid.uuid4())}), 404)
    error_of(a.post(f"/programs/{P}/enrollments", json={"parent_id": A, "enrolled_on": "gisteren"}), 422)
    error_of(a.post(f"/programs/{P}/enrollments", json={}), 422)
    assert log_end(a) == before
    enrol(Q, A, "2024-01-01")
    enrol(Q, B, "2024-01-01")

    # --- sessions ---------------------------------------------------------------------------
    def session(prog_id: str, title: str, starts_at: str, **kw: Any) -> str:
        r = a.post(f"/programs/{prog_id}/sessions", json={"title": title, "starts_at": starts_at, **kw})
        assert r.status_code == 201, r.text
        uuid.UUID(r.json()["id"])
        return str(r.json()["id"])

    S1 = session(P, "Een", "2024-01-10T18:00:00+01:00", homework="Lees voor", location="School")
    S2 = session(P, "Twee", "2024-01-17T18:00:00+01:00")
    S3 = session(P, "Drie", "2024-01-20T10:00:00+01:00", homework="Teken")
    S4 = session(P, "Vier", "2024-01-22T10:00:00+01:00", homework="Niets")
    # 2024-01-24 in its own offset (2024-01-25 in UTC): a home visit for Cor only
    S5 = session(P, "Huisbezoek", "2024-01-24T23:30:00-05:00", homework="Samen", participants=[C])
    before = log_end(a)
    error_of(a.post(f"/programs/{P}/sessions", json={"title": "X", "starts_at": "morgen"}), 422)
    error_of(a.post(f"/programs/{P}/sessions", json={"starts_at": "2024-01-10T18:00:00+01:00"}), 422)
    error_of(a.post(f"/programs/{uuid.uuid4()}/sessions", json={"title": "X", "starts_at": "2024-01-10T18:00:00+01:00"}), 404)
    assert log_end(a) == before

    def put(kind: str, sid: str, records: list[dict[str, Any]], status: int = 200) -> requests.Response:
        r = a.put(f"/sessions/{sid}/{kind}", json={"records": records})
        assert r.status_code == status, (kind, sid, records, r.text)
        return r

    # Cor was not enrolled on 2024-01-10: the whole PUT is refused, nothing recorded
    before = log_end(a)
    error_of(put("attendance", S1, [{"parent_id": A, "status": "present"}, {"parent_id": C, "status": "present"}], 409), 409)
    error_of(put("homework", S1, [{"parent_id": A, "completed": True}, {"parent_id": C, "completed": True}], 409), 409)
    error_of(put("attendance", S1, [{"parent_id": A, "status": "late"}], 422), 422)
    error_of(put("attendance", S1, [{"parent_id": "nope", "status": "present"}], 422), 422)
    error_of(put("homework", S1, [{"parent_id": A, "completed": "ja"}], 422), 422)
    error_of(a.put(f"/sessions/{uuid.uuid4()}/attendance", json={"records": [{"parent_id": A, "status": "present"}]}), 404)
    assert log_end(a) == before
    s1 = a.get(f"/sessions/{S1}").json()
    assert s1["attendance"] == [] and s1["homework"] == [], s1
    assert s1["program_id"] == P and s1["title"] == "Een" and s1["cancelled"] is False

    # Dirk first recorded present, then corrected to absent
    put("attendance", S1, [{"parent_id": A, "status": "present"}, {"parent_id": B, "status": "excused"},
                           {"parent_id": D, "status": "present"}, {"parent_id": E, "status": "excused"}])
    # read your writes
    att = a.get(f"/programs/{P}/attendance").json()
    row = next(s for s in att["sessions"] if s["session_id"] == S1)
    assert (row["present"], row["excused"]) == (2, 2), row
    h1 = a.get(f"/audit/aggregates/{S1}/events").json()["events"]
    put("attendance", S1, [{"parent_id": A, "status": "present"}, {"parent_id": B, "status": "excused"}])
    assert a.get(f"/audit/aggregates/{S1}/events").json()["events"] == h1, "repeating a PUT changed something"
    put("attendance", S1, [{"parent_id": D, "status": "absent"}])
    h2 = a.get(f"/audit/aggregates/{S1}/events").json()["events"]
    assert len(h2) > len(h1), "a correction left no trace in the audit history"
    assert "absent" in json.dumps(h2[len(h1):]) and D in json.dumps(h2[len(h1):])
    status_of = {r["parent_id"]: r["status"] for r in a.get(f"/sessions/{S1}").json()["attendance"]}
    assert status_of == {A: "present", B: "excused", D: "absent", E: "excused"}, status_of
    put("homework", S1, [{"parent_id": A, "completed": True}, {"parent_id": B, "completed": False}])
    hw = {r["parent_id"]: r["completed"] for r in a.get(f"/sessions/{S1}").json()["homework"]}
    assert hw == {A: True, B: False}

    # S2: no homework; Dirk has no record
    put("attendance", S2, [{"parent_id": A, "status": "present"}, {"parent_id": B, "status": "present"},
                           {"parent_id": C, "status": "present"}, {"parent_id": E, "status": "excused"}])

    # Bram withdraws on 2024-01-20: S3 (that date) no longer counts for him
    before = log_end(a)
    error_of(a.post(f"/programs/{P}/enrollments/{B}/withdrawal", json={"withdrawn_on": "2024-01-20"}), 422)
    assert log_end(a) == before
    r = a.post(f"/programs/{P}/enrollments/{B}/withdrawal", json={"withdrawn_on": "2024-01-20", "reason": "verhuisd"})
    assert r.status_code == 200, r.text
    error_of(a.post(f"/programs/{P}/enrollments/{str(uuid.uuid4())}/withdrawal", json={"reason": "x"}), 404)
    error_of(put("attendance", S3, [{"parent_id": B, "status": "present"}], 409), 409)
    put("attendance", S3, [{"parent_id": A, "status": "absent"}, {"parent_id": C, "status": "present"},
                           {"parent_id": D, "status": "excused"}, {"parent_id": E, "status": "excused"}])
    put("homework", S3, [{"parent_id": A, "completed": False}, {"parent_id": C, "completed": True}])

    # S4 cancelled before any roll call; S1 has attendance: cancelling it is refused
    before = log_end(a)
    error_of(a.post(f"/sessions/{S1}/cancellation", json={"reason": "ziek"}), 409)
    error_of(a.post(f"/sessions/{S4}/cancellation", json={}), 422)
    assert log_end(a) == before
    r = a.post(f"/sessions/{S4}/cancellation", json={"reason": "ziek"})
    assert r.status_code == 200, r.text
    assert a.get(f"/sessions/{S4}").json()["cancelled"] is True

    # S5: a home visit for Cor only
    error_of(put("attendance", S5, [{"parent_id": A, "status": "present"}], 409), 409)
    put("attendance", S5, [{"parent_id": C, "status": "present"}])
    put("homework", S5, [{"parent_id": C, "completed": True}])

    # assessments: exactly at threshold counts; below does not; another programme's does not
    def assess(parent: str, prog_id: str, score: float, max_score: float, status: int = 201) -> requests.Response:
        child = a.get(f"/parents/{parent}").json()["children"][0]["id"]
        r = a.post(f"/parents/{parent}/assessments", json={"program_id": prog_id, "child_id": child, "name": "Toets",
                                                           "score": score, "max_score": max_score, "taken_on": "2024-01-21"})
        assert r.status_code == status, r.text
        return r

    assess(A, P, 6, 10)
    assess(A, P, 5, 10)
    assess(D, P, 59, 100)
    assess(A, Q, 10, 10)
    before = log_end(a)
    error_of(a.post(f"/parents/{A}/assessments", json={"program_id": P, "child_id": pa["children"][0]["id"], "name": "T",
                                                      "score": 1, "max_score": 0, "taken_on": "2024-01-21"}), 422)
    error_of(a.post(f"/parents/{A}/assessments", json={"program_id": P, "name": "Toets", "score": 1}), 422)
    error_of(a.post(f"/parents/{A}/assessments", json={"program_id": P, "child_id": pa["children"][0]["id"], "name": "T",
                                                      "score": 11, "max_score": 10, "taken_on": "2024-01-21"}), 422)
    error_of(a.post(f"/parents/{uuid.uuid4()}/assessments", json={"program_id": P, "child_id": pa["children"][0]["id"],
                                                                 "name": "T", "score": 1, "max_score": 10,
                                                                 "taken_on": "2024-01-21"}), 404)
    assert log_end(a) == before

    # --- projections ------------------------------------------------------------------------
    att = a.get(f"/programs/{P}/attendance")
    assert att.status_code == 200, att.text
    att = att.json()
    sessions = {s["session_id"]: s for s in att["sessions"]}
    assert S4 not in sessions or all(sessions[S4][k] == 0 for k in ("present", "absent", "excused"))
    assert (sessions[S1]["present"], sessions[S1]["absent"], sessions[S1]["excused"]) == (1, 1, 2), sessions[S1]
    assert (sessions[S2]["present"], sessions[S2]["excused"]) == (3, 1), sessions[S2]
    assert (sessions[S3]["present"], sessions[S3]["absent"], sessions[S3]["excused"]) == (1, 1, 2), sessions[S3]
    assert (sessions[S5]["present"], sessions[S5]["absent"], sessions[S5]["excused"]) == (1, 0, 0), sessions[S5]
    for s in att["sessions"]:
        assert set(s) >= {"session_id", "starts_at", "present", "absent", "excused"}
    parents = {p["parent_id"]: p for p in att["parents"]}
    expect_att = {
        A: (3, 2, 0, 1, 2 / 3),
        B: (2, 1, 1, 0, 1.0),
        C: (3, 3, 0, 0, 1.0),
        D: (3, 0, 1, 2, 0.0),
        E: (3, 0, 3, 0, None),
    }
    for pid, (held, attended, excused, absent, rate) in expect_att.items():
        got = parents[pid]
        assert (got["sessions_held"], got["attended"], got["excused"], got["absent"]) == (held, attended, excused, absent), (pid, got)
        if rate is None:
            assert got["attendance_rate"] is None, got
        else:
            assert got["attendance_rate"] == pytest.approx(rate), got

    comp = a.get(f"/programs/{P}/completion")
    assert comp.status_code == 200, comp.text
    comp = {c["parent_id"]: c for c in comp.json()}
    expect_comp = {
        A: (2, 2, 1, 0.5, True),
        B: (1, 1, 0, 0.0, False),
        C: (3, 2, 2, 1.0, True),
        D: (0, 2, 0, 0.0, False),
        E: (0, 2, 0, 0.0, False),  # null attendance rate, minimum 0.5: fails
    }
    for pid, (attended, assigned, done, hrate, ok) in expect_comp.items():
        got = comp[pid]
        assert set(got) >= {"parent_id", "attended", "attendance_rate", "homework_assigned", "homework_completed",
                            "homework_rate", "completed"}
        assert (got["attended"], got["homework_assigned"], got["homework_completed"], got["completed"]) == (attended, assigned, done, ok), (pid, got)
        assert got["homework_rate"] == pytest.approx(hrate), got
    assert comp[E]["attendance_rate"] is None

    rw = a.get(f"/programs/{P}/rewards")
    assert rw.status_code == 200, rw.text
    rw = {x["parent_id"]: x for x in rw.json()}
    # A: 2*500 + 1*200 + 1*1000 (6/10 == 0.6) = 2200, capped 2000
    expect_rw = {
        A: (1000, 200, 1000, 2000),
        B: (500, 0, 0, 500),
        C: (1500, 400, 0, 1900),
        D: (0, 0, 0, 0),
        E: (0, 0, 0, 0),
    }
    for pid, (s, h, asm, earned) in expect_rw.items():
        got = rw[pid]
        assert (got["sessions_cents"], got["homework_cents"], got["assessment_cents"], got["earned_cents"]) == (s, h, asm, earned), (pid, got)
        assert got["paid_cents"] == 0 and got["outstanding_cents"] == earned and got["eligible"] is (earned > 0), got

    # payouts
    before = log_end(a)
    error_of(a.post(f"/programs/{P}/payouts", json={"parent_id": A, "amount_cents": 2001, "method": "cash"}), 409)
    error_of(a.post(f"/programs/{P}/payouts", json={"parent_id": A, "amount_cents": 100, "method": "paypal"}), 422)
    error_of(a.post(f"/programs/{P}/payouts", json={"parent_id": A, "amount_cents": "veel", "method": "cash"}), 422)
    error_of(a.post(f"/programs/{P}/payouts", json={"parent_id": D, "amount_cents": 1, "method": "cash"}), 409)
    error_of(a.post(f"/programs/{P}/payouts", json={"parent_id": str(uuid.uuid4()), "amount_cents": 1, "method": "cash"}), 404)
    error_of(a.post(f"/programs/{P}/payouts", json={"parent_id": other["id"], "amount_cents": 1, "method": "cash"}), 409)
    error_of(staff.post(f"/programs/{P}/payouts", json={"parent_id": other["id"], "amount_cents": 1, "method": "cash"}), 404)
    assert log_end(a) == before
    r = a.post(f"/programs/{P}/payouts", json={"parent_id": A, "amount_cents": 500, "method": "cash"})
    assert r.status_code == 201, r.text
    x = a.get(f"/programs/{P}/rewards").json()
    x = {y["parent_id"]: y for y in x}
    assert (x[A]["paid_cents"], x[A]["outstanding_cents"], x[A]["eligible"]) == (500, 1500, True)
    error_of(a.post(f"/programs/{P}/payouts", json={"parent_id": A, "amount_cents": 1501, "method": "cash"}), 409)
    r = a.post(f"/programs/{P}/payouts", json={"parent_id": B, "amount_cents": 500, "method": "education_fund"})
    assert r.status_code == 201, r.text
    x = {y["parent_id"]: y for y in a.get(f"/programs/{P}/rewards").json()}
    assert (x[B]["earned_cents"], x[B]["paid_cents"], x[B]["outstanding_cents"], x[B]["eligible"]) == (500, 500, 0, False)
    error_of(a.post(f"/programs/{P}/payouts", json={"parent_id": B, "amount_cents": 1, "method": "cash"}), 409)

    # programme Q: all minimums 0; a null attendance rate passes
    T1 = session(Q, "Q1", "2024-02-01T09:00:00+01:00", homework="Q")
    put("attendance", T1, [{"parent_id": A, "status": "excused"}])
    qc = {c["parent_id"]: c for c in a.get(f"/programs/{Q}/completion").json()}
    assert qc[A]["attendance_rate"] is None and qc[A]["homework_assigned"] == 1 and qc[A]["homework_rate"] == 0
    assert qc[A]["completed"] is True, qc[A]
    assert qc[B]["attendance_rate"] == 0 and qc[B]["completed"] is True, qc[B]
    qr = {c["parent_id"]: c for c in a.get(f"/programs/{Q}/rewards").json()}
    assert qr[A]["assessment_cents"] == 1000 and qr[A]["earned_cents"] == 1000  # no cap
    qa = {p["parent_id"]: p for p in a.get(f"/programs/{Q}/attendance").json()["parents"]}
    assert (qa[B]["sessions_held"], qa[B]["absent"]) == (1, 1)

    # CSV on each projection
    for view, cols in [("attendance", {"parent_id", "attendance_rate"}),
                       ("completion", {"parent_id", "homework_rate", "completed"}),
                       ("rewards", {"parent_id", "earned_cents", "outstanding_cents", "eligible"})]:
        r = a.get(f"/programs/{P}/{view}", params={"format": "csv"})
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("text/csv"), r.headers
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert rows and cols <= set(rows[0]), (view, r.text[:300])
        assert {row["parent_id"] for row in rows if row.get("parent_id")} >= {A, C}, view

    # --- roles on projections / audit -----------------------------------------------------
    assert staff.get(f"/programs/{P}/rewards").status_code == 200
    error_of(api(world, None).get(f"/programs/{P}/rewards"), 401)
    error_of(a.get(f"/programs/{uuid.uuid4()}/completion"), 404)
    error_of(staff.put(f"/sessions/{S2}/attendance", json={"records": [{"parent_id": A, "status": "bogus"}]}), 422)

    # --- audit ------------------------------------------------------------------------------
    r = aud.get("/audit/log", params={"after": 0, "limit": 3})
    assert r.status_code == 200, r.text
    page = r.json()
    assert len(page["items"]) == 3 and page["next"]
    for item in page["items"]:
        assert set(item) >= {"position", "aggregate_id", "version", "type", "timestamp", "actor"}
        assert item["actor"]
    assert [i["position"] for i in page["items"]] == sorted(i["position"] for i in page["items"])
    r2 = aud.get("/audit/log", params={"after": page["items"][-1]["position"], "limit": 3}).json()
    assert r2["items"][0]["position"] > page["items"][-1]["position"]
    nxt = page["next"]
    if isinstance(nxt, str) and nxt.startswith("/"):
        r3 = aud.s.get(world["url"] + nxt if not nxt.startswith("/api/") else world["url"] + nxt, timeout=30)
    elif isinstance(nxt, str) and nxt.startswith("http"):
        r3 = aud.s.get(nxt, timeout=30)
    else:  # the position to pass as ?after=
        r3 = aud.get("/audit/log", params={"after": nxt, "limit": 3})
    assert r3.status_code == 200 and r3.json()["items"][0]["position"] == r2["items"][0]["position"], (nxt, r3.text[:200])
    error_of(aud.get("/audit/log", params={"limit": "veel"}), 422)
    end = aud.get("/audit/log", params={"after": log_end(a), "limit": 3}).json()
    assert end["items"] == [] and end["next"] is None
    actors = {i["actor"] for i in aud.get("/audit/log", params={"after": 0, "limit": 50}).json()["items"]}
    assert "beheer" in json.dumps(sorted(actors)), actors

    ev = aud.get(f"/audit/aggregates/{A}/events")
    assert ev.status_code == 200, ev.text
    ev = ev.json()
    assert ev["aggregate_id"] == A and ev["events"][0]["version"] == 1
    for e in ev["events"]:
        assert set(e) >= {"version", "type", "timestamp", "actor", "data"}
    st = aud.get(f"/audit/aggregates/{A}/state", params={"version": 1}).json()
    assert st["aggregate_id"] == A and st["version"] == 1
    assert len(st["state"]["children"]) == 1, st
    st_asof = aud.get(f"/audit/aggregates/{A}/state", params={"as_of": ev["events"][0]["timestamp"]})
    assert st_asof.status_code == 200, st_asof.text
    assert st_asof.json()["version"] == 1
    error_of(aud.get(f"/audit/aggregates/{uuid.uuid4()}/events"), 404)
    error_of(aud.get(f"/audit/aggregates/{A}/state", params={"version": "x"}), 422)
    error_of(aud.get(f"/audit/aggregates/{A}/state", params={"as_of": "gisteren"}), 422)
    error_of(staff.get("/audit/log"), 403)

    # --- CLI --------------------------------------------------------------------------------
    env = world["env"]
    assert cli(env, "projections", "status").stdout.strip()
    cli(env, "projections", "rebuild")
    x2 = {y["parent_id"]: y for y in a.get(f"/programs/{P}/rewards").json()}
    assert x2[A]["outstanding_cents"] == 1500 and x2[C]["earned_cents"] == 1900
    hist = cli(env, "audit", "history", A).stdout
    assert hist.strip()
    assert cli(env, "audit", "state", A, "--version", "1").stdout.strip()
    assert cli(env, "audit", "state", A, "--as-of", ev["events"][0]["timestamp"]).stdout.strip()
    assert cli(env, "audit", "verify").returncode == 0
    assert cli(env, "audit", "replay-check").returncode == 0
    export = world["tmp"].mktemp("export") / "events.jsonl"
    cli(env, "events", "export", "-o", str(export))
    lines = export.read_text().splitlines()
    assert len(lines) == log_end(a) and all(json.loads(line) for line in lines)
    env2 = env_for(world["tmp"].mktemp("imported"))
    cli(env2, "events", "import", str(export))
    assert cli(env, "audit", "digest").stdout == cli(env2, "audit", "digest").stdout
    assert cli(env2, "audit", "verify").returncode == 0

    out = cli(env, "query", "SELECT 1 AS een, 'x' AS twee", "--format", "json").stdout
    assert json.loads(out) == [{"een": 1, "twee": "x"}], out
    out = cli(env, "query", "SELECT 1 AS een, 'x' AS twee", "--format", "csv").stdout
    assert out.splitlines()[:2] == ["een,twee", "1,x"], out
    out = cli(env, "query", "SELECT 1 AS een", "--format", "table").stdout
    assert "een" in out and "1" in out
    tables = json.loads(cli(env, "query", "SELECT name FROM sqlite_master WHERE type='table'", "--format", "json").stdout)
    assert tables
    victim = tables[0]["name"]
    for sql in (f"DELETE FROM {victim}", f"DROP TABLE {victim}", "CREATE TABLE t (x)"):
        done = cli(env, "query", sql, ok=False)
        assert done.returncode != 0, (sql, done.stdout)
    assert cli(env, "audit", "replay-check").returncode == 0


def test_demo_on_empty_store(tmp_path: Path) -> None:
    env = env_for(tmp_path / "demo")
    done = cli(env, "demo")
    text = done.stdout.lower()
    for role in ("admin", "staff", "auditor", "analyst"):
        assert role in text, done.stdout[-2000:]
    assert cli(env, "audit", "verify").returncode == 0
    progs = json.loads(cli(env, "query", "SELECT * FROM programs", "--format", "json").stdout)
    assert len(progs) >= 2
