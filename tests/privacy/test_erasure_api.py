"""Erasing a parent (AVG art. 17) through the API and the CLI: the personal data is gone from
every file, answer, page and export; every figure, the audit chain and the erasure's own event stay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.config import StoreConfig
from tests.helpers.cli import run

NAME, PHONE, EMAIL = "Zeynep Uniekenaam", "0687654321", "zeynep.uniek@example.nl"
CHILD, OTHER_CHILD = "Elif Zeldzaamkind", "Mert Zeldzaamkind"
WITHDRAWAL = "Verhuist naar Uniekstad"
SECRETS = (NAME, PHONE, EMAIL, CHILD, OTHER_CHILD, WITHDRAWAL, "Zeynep", "zeynep.uniek", "Uniekstad")
STORE_FILES = ("events.sqlite", "keys.sqlite", "projections.sqlite", "accounts.sqlite", "idempotency.sqlite")


def files_of(data_dir: Path) -> dict[str, bytes]:
    """Every file in the data directory (the SQLite files with their -wal, -shm and -journal)."""
    return {p.name: p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file()}


def holding(data_dir: Path, secrets: tuple[str, ...]) -> list[tuple[str, str]]:
    """Which files hold which secret in readable form (UTF-8 or UTF-16, as SQLite may store text)."""
    found = []
    for name, data in files_of(data_dir).items():
        for s in secrets:
            if any(s.encode(enc) in data for enc in ("utf-8", "utf-16-le", "utf-16-be")):
                found.append((name, s))
    return found


def figures(api: Any, program_id: str) -> dict[str, Any]:
    """Every count and amount of the programme's projections."""
    out = {}
    for view in ("attendance", "completion", "rewards"):
        r = api.get(f"/programs/{program_id}/{view}", user="admin")
        assert r.status_code == 200, r.json
        out[view] = r.json
    return out


def busy_parent(api: Any) -> tuple[str, str]:
    """A parent with contacts, two children, roll calls, homework, a test result, a payout and a
    withdrawal, registered with an Idempotency-Key (so a stored answer shows them too)."""
    r = api.post("/parents", {"school": "12AB", "name": NAME, "phone": PHONE, "email": EMAIL, "language": "Turks",
                              "children": [{"name": CHILD, "group": 4}]}, headers={"Idempotency-Key": "reg-1"})
    assert r.status_code == 201, r.json
    parent = r.json
    child = api.post(f"/parents/{parent['id']}/children", {"name": OTHER_CHILD, "group": 7},
                     headers={"Idempotency-Key": "child-1"})
    assert child.status_code == 201, child.json
    program = api.program(rewards={"per_session_cents": 500, "per_homework_cents": 250, "per_assessment_cents": 1000})
    other = api.parent(name="Jan de Vries")
    for p in (parent["id"], other["id"]):
        api.enroll(program["id"], p)
    s1 = api.session(program["id"], "2025-09-08T19:00:00+02:00")
    s2 = api.session(program["id"], "2025-09-15T19:00:00+02:00")
    assert api.roll_call(s1["id"], (parent["id"], "present"), (other["id"], "absent")).status_code == 200
    assert api.roll_call(s2["id"], (parent["id"], "excused"), (other["id"], "present")).status_code == 200
    hw = api.put(f"/sessions/{s1['id']}/homework", {"records": [{"parent_id": parent["id"], "completed": True}]})
    assert hw.status_code == 200, hw.json
    a = api.post(f"/parents/{parent['id']}/assessments", {
        "program_id": program["id"], "child_id": parent["children"][0]["id"], "name": "Cito rekenen",
        "score": 40, "max_score": 50, "taken_on": "2025-10-01"})
    assert a.status_code == 201, a.json
    pay = api.post(f"/programs/{program['id']}/payouts", {"parent_id": parent["id"], "amount_cents": 500, "method": "cash"})
    assert pay.status_code == 201, pay.json
    w = api.post(f"/programs/{program['id']}/enrollments/{parent['id']}/withdrawal",
                 {"withdrawn_on": "2025-10-20", "reason": WITHDRAWAL})
    assert w.status_code == 200, w.json
    return parent["id"], program["id"]


def staff_page(api: Any, url: str, user: str = "admin") -> str:
    """A staff UI page, signed in as the user (password as in api_client.open_api)."""
    import re

    client = api.app.test_client()
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', client.get("/login").get_data(as_text=True))
    assert token
    signed_in = client.post("/login", data={"username": user, "password": f"{user}-password", "csrf_token": token.group(1)})
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
    page = client.get(url)
    assert page.status_code == 200, url
    return page.get_data(as_text=True)


def test_an_erased_parent_is_gone_from_every_file_answer_page_and_export_and_every_figure_stays(
    any_api: Any, store: StoreConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    api = any_api
    parent_id, program_id = busy_parent(api)
    before = figures(api, program_id)
    if not store.is_postgres:
        # Negative control: the stored idempotent answer shows the parent in clear until the erasure.
        assert any(f.startswith("idempotency.sqlite") and s == NAME for f, s in holding(store.data_dir, SECRETS))

    for role in ("staff", "auditor", "analyst"):
        refused = api.post(f"/parents/{parent_id}/erasure", {"reason": "verzoek van ouder"}, user=role)
        assert refused.status_code == 403, (role, refused.json)
    assert api.post(f"/parents/{parent_id}/erasure", {"reason": "verzoek van ouder"}, user=None).status_code == 401
    assert api.get(f"/parents/{parent_id}").json["erased"] is False

    r = api.post(f"/parents/{parent_id}/erasure", {"reason": "verzoek van ouder (art. 17 AVG)"}, user="admin")
    assert r.status_code == 200, r.json
    erased = r.json
    assert erased.pop("outcome") == "erased"  # the rest of the answer is the parent as shown afterwards
    assert erased["id"] == parent_id and erased["erased"] is True and erased["name"] == "gewist"
    assert erased["phone"] == "gewist" and erased["email"] == "gewist" and erased["language"] == "gewist"
    assert {c["name"] for c in erased["children"]} == {"gewist"} and len(erased["children"]) == 2
    assert len(erased["assessments"]) == 1  # scores are figures, not personal text: they stay

    # The API shows the parent erased; every count and amount is as it was.
    shown = api.get(f"/parents/{parent_id}", user="staff").json
    assert shown == erased
    assert figures(api, program_id) == before
    enrolments = api.get(f"/programs/{program_id}").json["enrolments"]
    assert WITHDRAWAL not in json.dumps(enrolments)

    # The erasure is itself an event in the audit log, by the admin.
    log = api.get("/audit/log?limit=1000", user="admin").json["items"]
    erasures = [e for e in log if e["aggregate_id"] == parent_id and e["type"].endswith("Erased")]
    assert len(erasures) == 1 and erasures[0]["actor"] == "admin"
    history = api.get(f"/audit/aggregates/{parent_id}/events", user="admin").json
    assert history["events"][-1]["data"]["reason"] == "verzoek van ouder (art. 17 AVG)"
    assert not any(s in json.dumps(history) for s in SECRETS)

    # No stored answer replays the parent's data: a retry of the registration runs again, as new.
    again = api.post("/parents", {"school": "12AB", "name": NAME, "phone": PHONE, "email": EMAIL, "language": "Turks",
                                  "children": [{"name": CHILD, "group": 4}]}, headers={"Idempotency-Key": "reg-1"})
    assert again.headers.get("Idempotent-Replayed") is None and again.json["id"] != parent_id
    api.post(f"/parents/{again.json['id']}/erasure", {"reason": "test"}, user="admin")

    # The staff UI says so, on the parent's page and in the lists.
    page = staff_page(api, f"/parents/{parent_id}")
    assert "Gegevens gewist" in page and not any(s in page for s in SECRETS)
    listing = staff_page(api, "/parents")
    assert "Gegevens gewist" in listing and NAME not in listing
    assert "Gegevens gewist" in staff_page(api, f"/programs/{program_id}")

    # No file of the store holds any of it in readable form (SQLite; PostgreSQL: its tables below).
    if not store.is_postgres:
        names = set(files_of(store.data_dir))
        assert {f for f in STORE_FILES if f in names} == set(STORE_FILES), names
        assert holding(store.data_dir, SECRETS) == []
    else:
        import psycopg

        with psycopg.connect(store.database_url) as conn:
            tables = [t for (t,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'").fetchall()]
            assert "betrokken_idempotency" in tables
            for t in tables:
                dump = json.dumps([list(map(str, row)) for row in conn.execute(f'SELECT * FROM "{t}"').fetchall()])
                assert not any(s in dump for s in SECRETS), t

    # The audit chain is intact, and an export carries none of the parent's personal data.
    api.app.extensions["betrokken"].service.keys.cache.clear()
    verified = run(store, monkeypatch, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    replayed = run(store, monkeypatch, "audit", "replay-check")
    assert replayed.exit_code == 0, replayed.output
    out = tmp_path / "events.jsonl"
    exported = run(store, monkeypatch, "events", "export", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    text = out.read_text(encoding="utf-8")
    assert parent_id in text and not any(s in text for s in SECRETS)
    lines = [json.loads(line) for line in text.splitlines()]
    registered = next(x for x in lines if x["aggregate_id"] == parent_id and x["version"] == 1)
    assert registered["data"]["name"] == "gewist"
    # Not even an export that asks for personal data has any of it.
    with_personal = run(store, monkeypatch, "events", "export", "--with-personal-data", "-o", str(out))
    assert with_personal.exit_code == 0, with_personal.output
    assert not any(s in out.read_text(encoding="utf-8") for s in SECRETS)


def test_the_cli_erases_as_cli_and_a_second_run_records_nothing(
    any_api: Any, store: StoreConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = any_api.parent(name=NAME)
    done = run(store, monkeypatch, "parents", "erase", parent["id"], "--reason", "verzoek van ouder")
    assert done.exit_code == 0, done.output
    assert "erased" in done.output
    any_api.app.extensions["betrokken"].service.keys.cache.clear()  # as after this process's key cache expires
    shown = any_api.get(f"/parents/{parent['id']}").json
    assert shown["erased"] is True and shown["name"] == "gewist"
    events = any_api.get(f"/audit/aggregates/{parent['id']}/events", user="admin").json["events"]
    assert [e["type"] for e in events][-1].endswith("Erased") and events[-1]["actor"] == "cli"

    again = run(store, monkeypatch, "parents", "erase", parent["id"], "--reason", "nogmaals")
    assert again.exit_code == 0 and "already erased" in again.output
    assert len(any_api.get(f"/audit/aggregates/{parent['id']}/events", user="admin").json["events"]) == len(events)


def test_erasing_an_unknown_parent_or_without_a_reason_is_refused(any_api: Any, store: StoreConfig,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    assert any_api.post(f"/parents/{unknown}/erasure", {"reason": "verzoek"}, user="admin").status_code == 404
    parent = any_api.parent()
    missing = any_api.post(f"/parents/{parent['id']}/erasure", {}, user="admin")
    assert missing.status_code == 422 and "reason" in missing.json["error"]["fields"]
    assert any_api.get(f"/parents/{parent['id']}").json["erased"] is False
    result = run(store, monkeypatch, "parents", "erase", unknown, "--reason", "verzoek")
    assert result.exit_code != 0 and "no parent" in result.output
    assert run(store, monkeypatch, "parents", "erase", "not-a-uuid", "--reason", "x").exit_code != 0


def test_erasing_twice_over_the_api_answers_the_same_and_records_one_erasure(api: Any) -> None:
    parent = api.parent()
    first = api.post(f"/parents/{parent['id']}/erasure", {"reason": "verzoek"}, user="admin")
    second = api.post(f"/parents/{parent['id']}/erasure", {"reason": "verzoek"}, user="admin")
    assert first.status_code == second.status_code == 200 and first.json == second.json
    types = [e["type"] for e in api.get(f"/audit/aggregates/{parent['id']}/events", user="admin").json["events"]]
    assert sum(t.endswith("Erased") for t in types) == 1
