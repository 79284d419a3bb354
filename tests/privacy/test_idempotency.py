"""The Idempotency-Key header: a command retried (one after another, or all at once) is stored
once and its first answer replayed; a reused key with another body is refused."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from adapters.config import StoreConfig
from adapters.idempotency import Claimed, InProgress, Reused, Stored, open_idempotency
from web import idempotency as web_idempotency

BODY = {"school": "12AB", "name": "Fatima Yilmaz", "children": [{"name": "Sara", "group": 4}]}


def event_types(api: Any) -> list[str]:
    """The type of every stored event, in log order."""
    return [e["type"] for e in api.get("/audit/log?limit=1000", user="admin").json["items"]]


def registered(api: Any) -> int:
    return sum(t.endswith("Registered") and t.startswith("Parent") for t in event_types(api))


def key(k: str) -> dict[str, str]:
    return {"Idempotency-Key": k}


def test_five_sequential_retries_register_one_parent_and_answer_the_same(any_api: Any) -> None:
    answers = [any_api.post("/parents", BODY, headers=key("tablet-7-reg-1")) for _ in range(5)]
    assert [a.status_code for a in answers] == [201] * 5
    assert len({a.get_data() for a in answers}) == 1
    assert [a.headers.get("Idempotent-Replayed") for a in answers] == [None] + ["true"] * 4
    assert registered(any_api) == 1
    assert len(any_api.get("/parents").json["items"]) == 1


def test_eight_concurrent_retries_store_one_event_and_answer_identically(any_api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    service = any_api.service
    real = service.register_parent
    calls = []

    def slow(*args: Any, **kwargs: Any) -> Any:  # a slow save: the duplicates arrive while it runs
        calls.append(1)
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "register_parent", slow)
    start = threading.Barrier(8)

    def tablet(_: int) -> Any:
        client = any_api.app.test_client()
        start.wait()
        return client.post("/api/v1/parents", json=BODY, headers={
            **key("bad-wifi-1"), "Authorization": f"Bearer {any_api.tokens['staff']}"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(tablet, range(8)))
    assert [a.status_code for a in answers] == [201] * 8
    assert len({a.get_data() for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 7
    assert len(calls) == 1 and registered(any_api) == 1


def test_a_duplicate_still_running_after_the_wait_answers_409(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real = api.service.register_parent
    monkeypatch.setattr(api.service, "register_parent", lambda *a, **k: (time.sleep(1.0), real(*a, **k))[1])
    monkeypatch.setattr(web_idempotency, "WAIT_SECONDS", 0.2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(lambda: api.app.test_client().post("/api/v1/parents", json=BODY, headers={
            **key("slow-1"), "Authorization": f"Bearer {api.tokens['staff']}"}))
        time.sleep(0.3)
        second = api.post("/parents", BODY, headers=key("slow-1"))
        assert second.status_code == 409 and second.json["error"]["code"] == "idempotency_in_progress"
        assert first.result().status_code == 201
    assert api.post("/parents", BODY, headers=key("slow-1")).headers.get("Idempotent-Replayed") == "true"
    assert registered(api) == 1


def test_the_same_key_with_another_body_is_refused_and_stores_nothing(any_api: Any) -> None:
    assert any_api.post("/parents", BODY, headers=key("k-1")).status_code == 201
    other = any_api.post("/parents", {**BODY, "name": "Jan de Vries"}, headers=key("k-1"))
    assert other.status_code == 409 and other.json["error"]["code"] == "idempotency_key_reused"
    elsewhere = any_api.post("/programs", {"school": "12AB", "name": "PACT", "kind": "pact", "starts_on": "2025-09-01"},
                             headers=key("k-1"))
    assert elsewhere.status_code == 409 and elsewhere.json["error"]["code"] == "idempotency_key_reused"
    assert registered(any_api) == 1 and len(event_types(any_api)) == 1


def test_the_same_body_with_its_keys_in_another_order_is_the_same_request(api: Any) -> None:
    first = api.post("/parents", BODY, headers=key("order-1"))
    reordered = {"children": BODY["children"], "name": BODY["name"], "school": BODY["school"]}
    again = api.post("/parents", reordered, headers=key("order-1"))
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_data() == first.get_data()


def test_different_users_with_the_same_key_are_independent(any_api: Any) -> None:
    mine = any_api.post("/parents", BODY, user="staff", headers=key("shared-key"))
    theirs = any_api.post("/parents", BODY, user="admin", headers=key("shared-key"))
    assert mine.status_code == theirs.status_code == 201
    assert theirs.headers.get("Idempotent-Replayed") is None and mine.json["id"] != theirs.json["id"]
    assert registered(any_api) == 2


def test_a_roll_call_put_with_a_key_is_recorded_once(any_api: Any) -> None:
    parent = any_api.parent()
    program = any_api.program()
    any_api.enroll(program["id"], parent["id"])
    session = any_api.session(program["id"])
    body = {"records": [{"parent_id": parent["id"], "status": "present"}]}
    first = any_api.put(f"/sessions/{session['id']}/attendance", body, headers=key("roll-1"))
    assert first.status_code == 200, first.json
    count = len(event_types(any_api))
    # Meanwhile someone corrects the roll call; the tablet's late retry must not undo that.
    any_api.roll_call(session["id"], (parent["id"], "excused"))
    again = [any_api.put(f"/sessions/{session['id']}/attendance", body, headers=key("roll-1")) for _ in range(3)]
    assert all(a.status_code == 200 and a.get_data() == first.get_data() for a in again)
    assert len(event_types(any_api)) == count + 1  # only the correction
    statuses = any_api.get(f"/sessions/{session['id']}").json["attendance"]
    assert statuses == [{"parent_id": parent["id"], "status": "excused"}]


def test_a_refusal_is_replayed_and_an_error_on_our_side_frees_the_key(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    program = api.program()
    refused = api.post(f"/programs/{program['id']}/enrollments", {"parent_id": unknown}, headers=key("enrol-1"))
    assert refused.status_code == 404
    replayed = api.post(f"/programs/{program['id']}/enrollments", {"parent_id": unknown}, headers=key("enrol-1"))
    assert replayed.status_code == 404 and replayed.headers.get("Idempotent-Replayed") == "true"
    assert replayed.get_data() == refused.get_data()

    real = api.service.register_parent
    failures = iter([RuntimeError("disk on fire")])

    def flaky(*args: Any, **kwargs: Any) -> Any:
        for failure in failures:
            raise failure
        return real(*args, **kwargs)

    monkeypatch.setattr(api.service, "register_parent", flaky)
    assert api.post("/parents", BODY, headers=key("flaky-1")).status_code == 500
    retried = api.post("/parents", BODY, headers=key("flaky-1"))
    assert retried.status_code == 201 and retried.headers.get("Idempotent-Replayed") is None
    assert registered(api) == 1


def test_a_bad_key_is_refused_and_no_token_is_still_401(api: Any) -> None:
    for bad in ("", "x" * 256, "has space", "tab\tkey"):
        r = api.post("/parents", BODY, headers=key(bad))
        assert r.status_code == 422 and r.json["error"]["code"] == "idempotency_key_invalid", bad
    assert api.post("/parents", BODY, user=None, headers=key("anon-1")).status_code == 401
    assert registered(api) == 0
    # GET ignores the header.
    assert api.get("/parents", headers=key("anon-1")).status_code == 200


def test_routing_comes_first_a_post_to_a_put_only_path_is_405_even_with_a_used_key(api: Any) -> None:
    parent = api.parent()
    program = api.program()
    api.enroll(program["id"], parent["id"])
    session = api.session(program["id"])
    body = {"records": [{"parent_id": parent["id"], "status": "present"}]}
    path = f"/sessions/{session['id']}/attendance"
    assert api.put(path, body, headers=key("roll-405")).status_code == 200
    for attempt in range(2):  # the key seen before, and again: the method is wrong, not the key
        wrong = api.post(path, body, headers=key("roll-405"))
        assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed", (attempt, wrong.json)
        assert wrong.headers["Allow"] and "PUT" in wrong.headers["Allow"]
    assert api.post("/no-such-path", body, headers=key("roll-405")).status_code == 404
    assert api.post(path, body, headers=key("")).status_code == 405  # nor is a bad key looked at first
    assert api.put(path, body, headers=key("roll-405")).headers.get("Idempotent-Replayed") == "true"


def test_keys_expire_after_24_hours_and_a_dead_claim_after_its_lease(store: StoreConfig) -> None:
    table = open_idempotency(store)
    try:
        assert isinstance(table.claim("ineke", "k", "fp", "/api/v1/parents"), Claimed)
        assert isinstance(table.claim("ineke", "k", "fp", "/api/v1/parents"), InProgress)
        assert isinstance(table.claim("ineke", "k", "other", "/api/v1/parents"), Reused)
        table.complete("ineke", "k", 201, b'{"id": 1}', "application/json")
        assert table.claim("ineke", "k", "fp", "/api/v1/parents") == Stored(201, b'{"id": 1}', "application/json")
        assert isinstance(table.claim("jan", "k", "fp", "/api/v1/parents"), Claimed)
        day_ago = time.time() - 24 * 3600 - 1
        backdate = table.execute  # through the store's own connection, on either engine
        backdate(f"UPDATE {table.table} SET created_at = ?, claimed_at = ? WHERE user_name = 'ineke'",
                 (day_ago, day_ago))
        assert isinstance(table.claim("ineke", "k", "new", "/api/v1/parents"), Claimed)
        backdate(f"UPDATE {table.table} SET claimed_at = ? WHERE user_name = 'jan'", (time.time() - 121,))
        assert isinstance(table.claim("jan", "k", "fp", "/api/v1/parents"), Claimed)
    finally:
        table.close()


def test_the_openapi_document_describes_the_header_on_every_command(api: Any) -> None:
    from openapi_spec_validator import validate

    doc = api.client.get("/api/v1/openapi.json").json
    validate(doc)
    assert doc["components"]["parameters"]["IdempotencyKey"]["name"] == "Idempotency-Key"
    assert "Idempotency-Key" in doc["info"]["description"]
    ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    commands = [(path, m, op) for path, ops in doc["paths"].items() for m, op in ops.items() if m in ("post", "put")]
    assert len(commands) >= 10
    for path, method, op in commands:
        assert ref in op.get("parameters", []), (path, method)
    assert ref not in doc["paths"]["/api/v1/parents"]["get"].get("parameters", [])
    assert "/api/v1/parents/{parent_id}/erasure" in doc["paths"]
