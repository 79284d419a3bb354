"""Access (AVG art. 15): the report of a demo parent holds every fact the history holds about
them, and producing it is recorded. The read log shows a staff member's page view and an API
read (with user, time, purpose), not an analyst's query; its chain shows tampering."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from adapters.read_log import ReadLog
from betrokken.demo import fill_demo
from tests.helpers.api_client import Api
from tests.privacy.test_erasure_api import staff_page


def reads(api: Api, caller: str = "auditor", **query: str) -> list[dict[str, Any]]:
    r = api.get("/audit/reads?" + "&".join(f"{k}={v}" for k, v in query.items()), user=caller)
    assert r.status_code == 200, r.json
    return r.json["items"]


def test_a_staff_page_view_and_an_api_read_are_logged_and_an_analyst_query_is_not(api: Api) -> None:
    parent = api.parent()
    assert reads(api, parent_id=parent["id"]) == []
    assert api.get(f"/parents/{parent['id']}", headers={"X-Purpose": "huisbezoek voorbereiden"}).status_code == 200
    staff_page(api, f"/parents/{parent['id']}", user="staff")
    program = api.program()
    assert api.get(f"/programs/{program['id']}/rewards", user="analyst").status_code == 200
    found = reads(api, parent_id=parent["id"])
    assert [(r["user"], r["channel"], r["activity"]) for r in found] == [
        ("staff", "api", "GET /api/v1/parents/<uuid:parent_id>"),
        ("staff", "ui", "GET /parents/<uuid:parent_id>"),
    ]
    assert found[0]["purpose"] == "huisbezoek voorbereiden" and found[1]["purpose"] == "uitvoering programma"
    assert all(r["at"] and r["role"] == "staff" and r["school"] == "12AB" for r in found)
    assert not reads(api, user="analyst")
    assert [r["parent_id"] for r in reads(api, user="staff")] == [parent["id"]] * 2


def test_only_auditors_and_admins_read_the_log_and_only_of_their_schools(api: Api) -> None:
    elsewhere = api.parent(school="34CD", user="admin")
    assert api.get(f"/parents/{elsewhere['id']}", user="admin").status_code == 200
    assert len(reads(api, "admin", parent_id=elsewhere["id"])) == 1
    assert reads(api, "auditor", parent_id=elsewhere["id"]) == []  # the auditor sees 12AB only
    for role in ("staff", "analyst"):
        assert api.get("/audit/reads", user=role).status_code == 403
    assert api.get("/audit/reads?parent_id=nope", user="auditor").status_code == 422


def test_the_read_log_is_a_hash_chain_that_shows_a_changed_row(api: Api) -> None:
    parent = api.parent()
    for _ in range(3):
        api.get(f"/parents/{parent['id']}")
    log: ReadLog = api.app.extensions["betrokken"].reads
    assert log.verify() == (3, None)
    path = api.app.extensions["betrokken"].config.data_dir / "reads.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE betrokken_read_log SET user_name = 'niemand' WHERE position = 2")
    conn.close()
    assert log.verify() == (1, 2)


def test_the_access_report_of_a_demo_parent_holds_every_fact_of_their_history(api: Api) -> None:
    fill_demo(api.service)
    system = api.app.extensions["betrokken"]
    program = api.service.programs()[0]
    parent_id = next(p for p in program.enrolled_parents() if any(x.parent_id == p for x in program.payouts))
    written = api.post("/messages", {"parent_ids": [str(parent_id)], "purpose": "aanmoedigen", "text": "Goed bezig, {naam}!"})
    assert written.status_code == 201, written.json
    assert api.get(f"/parents/{parent_id}/access-report", user="staff").status_code == 403
    assert api.get(f"/parents/{parent_id}/access-report", user="auditor").status_code == 403
    r = api.get(f"/parents/{parent_id}/access-report", user="admin")
    assert r.status_code == 200, r.json
    report = r.json
    shown = api.get(f"/parents/{parent_id}", user="admin").json
    assert report["details"]["name"] == shown["name"] and len(report["children"]) == len(shown["children"])
    assert report["payouts"] and report["attendance"] and report["programmes"]
    # the message written to the parent, its text as they read it, and its events in the history
    [message] = report["messages"]
    assert (message["purpose"], message["status"]) == ("aanmoedigen", "queued") and shown["name"] in message["text"]
    assert {f["type"] for f in report["history"] if f["aggregate"] == "Mailbox"} >= {"Mailbox.Opened", "Mailbox.Queued"}
    # every event of the parent, and every event of a programme or session naming them, is in it
    in_report = {(f["aggregate_id"], f["version"]) for f in report["history"]}
    own = api.get(f"/audit/aggregates/{parent_id}/events", user="admin").json["events"]
    assert {(str(parent_id), e["version"]) for e in own[:-1]} <= in_report  # the last: the report's own event
    assert own[-1]["type"] == "Parent.AccessReportProduced" and own[-1]["actor"] == "admin"
    for p in api.service.programs():
        for aggregate_id in [p.id, *system.service.directory.sessions_of(p.id)]:
            for e in api.get(f"/audit/aggregates/{aggregate_id}/events", user="admin").json["events"]:
                if str(parent_id) in json.dumps(e["data"]):
                    assert (str(aggregate_id), e["version"]) in in_report, e
    # producing it was logged as a read, with the access purpose
    assert any(x["activity"].endswith("/access-report") and x["purpose"].startswith("inzageverzoek")
               for x in reads(api, "admin", parent_id=str(parent_id), user="admin"))


def test_a_programme_page_and_roll_call_naming_parents_are_logged_for_staff_not_for_analysts(api: Api) -> None:
    program = api.program()
    parent = api.parent()
    api.enroll(program["id"], parent["id"])
    s = api.session(program["id"])
    staff_page(api, f"/programs/{program['id']}", user="staff")
    staff_page(api, f"/sessions/{s['id']}", user="staff")
    staff_page(api, f"/programs/{program['id']}", user="analyst")
    staff_page(api, "/parents", user="staff")
    found = reads(api, parent_id=parent["id"])
    assert [(r["user"], r["activity"]) for r in found] == [
        ("staff", "GET /programs/<uuid:program_id>"),
        ("staff", "GET /sessions/<uuid:session_id>"),
        ("staff", "GET /parents"),
    ]
