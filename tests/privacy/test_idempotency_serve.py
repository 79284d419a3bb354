"""Tablets on bad wifi against a real `betrokken serve`: 8 identical retries at once, one event."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import pytest
import requests

from adapters.config import StoreConfig
from test_api_serve import Server, cli, free_port  # tests/web, on sys.path via conftest.py

RETRIES = 8


@pytest.fixture
def env(store: StoreConfig) -> Iterator[dict[str, str]]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("BETROKKEN_")}
    e["BETROKKEN_DATA_DIR"] = str(store.data_dir)
    if store.database_url:
        e["BETROKKEN_DATABASE_URL"] = store.database_url
    yield e


def test_eight_simultaneous_retries_through_a_real_server_store_one_event(env: dict[str, str]) -> None:
    cli(env, "users", "add", "ineke", "--role", "staff", "--school", "12AB", "--password-stdin", stdin="geheim\n")
    cli(env, "users", "add", "beheer", "--role", "admin", "--password-stdin", stdin="geheim\n")
    staff = {"Authorization": "Bearer " + cli(env, "users", "token", "ineke").strip().splitlines()[-1]}
    admin = {"Authorization": "Bearer " + cli(env, "users", "token", "beheer").strip().splitlines()[-1]}
    server = Server(env, free_port())
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
        assert len(requests.get(f"{server.url}/parents", headers=staff, timeout=10).json()) == 1
    finally:
        assert server.stop() == 0
