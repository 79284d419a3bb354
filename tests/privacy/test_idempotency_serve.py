"""Tablets on bad wifi against a real `betrokken serve`: 8 identical retries at once, one event."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from adapters.config import StoreConfig
from tests.helpers.processes import Processes
from tests.helpers.serve import Server, add_user, environment

RETRIES = 8


def test_eight_simultaneous_retries_through_a_real_server_store_one_event(store: StoreConfig, processes: Processes) -> None:
    env = environment(store.data_dir, store.database_url)
    staff = {"Authorization": "Bearer " + add_user(env, "ineke", "staff", "12AB", password="geheim")}
    admin = {"Authorization": "Bearer " + add_user(env, "beheer", "admin", password="geheim")}
    server = Server(processes, env)
    try:
        program = requests.post(f"{server.url}/programs", json={
            "school": "12AB", "name": "PACT", "kind": "pact", "starts_on": "2025-09-01"}, headers=staff, timeout=10).json()
        body = {"school": "12AB", "name": "Fatima Yilmaz", "children": [{"name": "Sara", "group": 4}]}
        start = threading.Barrier(RETRIES)

        def tablet(_: int) -> requests.Response:
            start.wait()
            return requests.post(f"{server.url}/parents", json=body, timeout=30,
                                 headers={**staff, "Idempotency-Key": "tablet-3-registration-17"})

        with ThreadPoolExecutor(max_workers=RETRIES) as pool:
            answers = list(pool.map(tablet, range(RETRIES)))
        assert [a.status_code for a in answers] == [201] * RETRIES, [a.text for a in answers]
        assert len({a.content for a in answers}) == 1
        assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == RETRIES - 1

        parent_id = answers[0].json()["id"]
        enrol = {"parent_id": parent_id, "enrolled_on": "2025-09-01"}

        def enrol_retry(_: int) -> requests.Response:
            return requests.post(f"{server.url}/programs/{program['id']}/enrollments", json=enrol, timeout=30,
                                 headers={**staff, "Idempotency-Key": "tablet-3-enrol-1"})

        with ThreadPoolExecutor(max_workers=RETRIES) as pool:
            enrolled = list(pool.map(enrol_retry, range(RETRIES)))
        assert [a.status_code for a in enrolled] == [201] * RETRIES  # not one 409 "already enrolled"

        log = requests.get(f"{server.url}/audit/log?limit=1000", headers=admin, timeout=10).json()["items"]
        types = [e["type"] for e in log]
        assert types.count("Parent.Registered") == 1, types
        assert sum(t.endswith("Enrolled") for t in types) == 1, types
        assert len(requests.get(f"{server.url}/parents", headers=staff, timeout=10).json()["items"]) == 1
    finally:
        assert server.stop() == 0
