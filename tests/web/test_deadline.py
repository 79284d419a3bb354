"""A command that waits on the store past the request's deadline answers 503 and records
nothing, so it can never land after a command its client sent later."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from typing import Iterator

from tests.helpers.api_client import Api


@contextmanager
def write_lock_held(api: Api, seconds: float) -> Iterator[None]:
    """Another connection holds the store's write lock for `seconds`, then lets go."""
    config = api.app.extensions["betrokken"].config
    if config.is_postgres:
        import psycopg

        conn = psycopg.connect(config.database_url)
        table = api.service.recorder.events_table_name
        conn.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
        release = conn.rollback
    else:
        conn = sqlite3.connect(config.events_path, check_same_thread=False, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        release = lambda: conn.execute("ROLLBACK")  # noqa: E731
    timer = threading.Timer(seconds, release)
    timer.start()
    try:
        yield
    finally:
        timer.join()
        conn.close()


def test_a_roll_call_that_waits_past_its_deadline_answers_503_and_records_nothing(any_api: Api) -> None:
    parent = any_api.parent()
    program = any_api.program()
    any_api.enroll(program["id"], parent["id"])
    session = any_api.session(program["id"])["id"]
    before = any_api.last_position()
    body = {"records": [{"parent_id": parent["id"], "status": "present"}]}
    key = {"Idempotency-Key": "deadline-1"}

    any_api.app.config["BETROKKEN_REQUEST_DEADLINE"] = 0.2
    with write_lock_held(any_api, 1.0):
        r = any_api.put(f"/sessions/{session}/attendance", body, headers=key)
    assert r.status_code == 503, r.json
    assert r.json["error"]["code"] == "deadline_exceeded"
    assert any_api.last_position() == before
    assert any_api.get(f"/sessions/{session}").json["attendance"] == []

    # the key was not kept: the retry runs afresh once the store is free
    any_api.app.config["BETROKKEN_REQUEST_DEADLINE"] = 5.0
    again = any_api.put(f"/sessions/{session}/attendance", body, headers=key)
    assert again.status_code == 200, again.json
    assert any_api.last_position() == before + 1
