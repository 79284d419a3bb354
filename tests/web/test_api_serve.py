"""`betrokken serve` as a real process: it says where it listens, serves threads at once, and a
restart on the same data directory finds everything."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.helpers.processes import Processes
from tests.helpers.serve import Server, add_user, environment, free_port


def test_serve_answers_threads_at_once_and_a_restart_finds_everything(tmp_path: Path, processes: Processes) -> None:
    env = environment(tmp_path / "data")
    auth = {"Authorization": f"Bearer {add_user(env, 'ineke', 'staff', '12AB', password='geheim')}"}
    port = free_port()

    server = Server(processes, env, port=port)
    try:
        program = requests.post(f"{server.url}/programs", json={
            "school": "12AB", "name": "PACT", "kind": "pact", "starts_on": "2025-09-01"}, headers=auth, timeout=10).json()

        def register(i: int) -> str:
            r = requests.post(f"{server.url}/parents", json={
                "school": "12AB", "name": f"Ouder {i}", "children": [{"name": "Kind", "group": 1 + i % 8}]},
                headers=auth, timeout=30)
            assert r.status_code == 201, r.text
            e = requests.post(f"{server.url}/programs/{program['id']}/enrollments",
                              json={"parent_id": r.json()["id"], "enrolled_on": "2025-09-01"}, headers=auth, timeout=30)
            assert e.status_code == 201, e.text
            return r.json()["id"]

        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(pool.map(register, range(24)))
        assert requests.get(f"{server.url}/parents", timeout=10).status_code == 401
    finally:
        assert server.stop() == 0

    again = Server(processes, env, port=port)
    try:
        listed = requests.get(f"{again.url}/parents", headers=auth, timeout=10).json()["items"]
        assert sorted(p["id"] for p in listed) == sorted(ids)
        detail = requests.get(f"{again.url}/programs/{program['id']}", headers=auth, timeout=10).json()
        assert sorted(e["parent_id"] for e in detail["enrolments"]) == sorted(ids)
    finally:
        again.stop()
