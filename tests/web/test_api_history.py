"""What the API records: nothing for a repeat, one fact per correction, the user as actor; the log."""

from __future__ import annotations


def events_of(api, aggregate_id: str) -> list:  # type: ignore[no-untyped-def]
    from uuid import UUID

    return list(api.service.events.get(UUID(aggregate_id)))


def test_repeating_a_roll_call_records_nothing_and_a_correction_records_one_fact(any_api) -> None:  # type: ignore[no-untyped-def]
    a = any_api
    parent, program = a.parent(), a.program()
    a.enroll(program["id"], parent["id"])
    session = a.session(program["id"])
    assert a.roll_call(session["id"], (parent["id"], "absent")).status_code == 200
    after_first = a.last_position()
    assert a.roll_call(session["id"], (parent["id"], "absent")).status_code == 200
    assert a.last_position() == after_first
    assert a.roll_call(session["id"], (parent["id"], "excused")).status_code == 200
    assert a.last_position() == after_first + 1
    recorded = [e for e in events_of(a, session["id"]) if type(e).__qualname__ == "Session.AttendanceRecorded"]
    assert [(e.status, e.actor) for e in recorded] == [("absent", "staff"), ("excused", "staff")]
    assert a.get(f"/sessions/{session['id']}").json["attendance"] == [{"parent_id": parent["id"], "status": "excused"}]


def test_repeating_homework_records_nothing(api, programme) -> None:  # type: ignore[no-untyped-def]
    path = f"/sessions/{programme.session_id}/homework"
    body = {"records": [{"parent_id": programme.parent_id, "completed": False}]}
    assert api.put(path, body).status_code == 200
    before = api.last_position()
    assert api.put(path, body).status_code == 200
    assert api.last_position() == before
    body["records"][0]["completed"] = True
    assert api.put(path, body).status_code == 200
    assert api.last_position() == before + 1


def test_every_event_names_the_user_who_caused_it(api) -> None:  # type: ignore[no-untyped-def]
    parent = api.parent(user="admin")
    program = api.program(user="staff")
    api.enroll(program["id"], parent["id"], user="admin")
    actors = [(e.type, e.actor) for e in _log(api)]
    assert actors == [("Parent.Registered", "admin"), ("TrainingProgram.Created", "staff"),
                      ("TrainingProgram.ParentEnrolled", "admin")]


def _log(api):  # type: ignore[no-untyped-def]
    from application.audit import AuditLog

    return AuditLog(api.service).log(0, 100).items


def test_the_audit_log_pages_through_every_event_in_order(any_api) -> None:  # type: ignore[no-untyped-def]
    a = any_api
    for i in range(5):
        a.parent(name=f"Ouder {i}")
    first = a.get("/audit/log?limit=2", user="admin").json
    assert [i["position"] for i in first["items"]] == [1, 2] and first["next"] == 2
    item = first["items"][0]
    assert set(item) == {"position", "aggregate_id", "version", "type", "timestamp", "actor"}
    assert item["type"] == "Parent.Registered" and item["version"] == 1 and item["actor"] == "staff"
    assert "+" in item["timestamp"] or item["timestamp"].endswith("Z")
    second = a.get(f"/audit/log?after={first['next']}&limit=2", user="admin").json
    assert [i["position"] for i in second["items"]] == [3, 4] and second["next"] == 4
    last = a.get(f"/audit/log?after={second['next']}&limit=2", user="admin").json
    assert [i["position"] for i in last["items"]] == [5] and last["next"] is None
    assert a.get("/audit/log?after=5", user="admin").json == {"items": [], "next": None}


def test_an_auditor_sees_only_the_events_of_their_schools(api) -> None:  # type: ignore[no-untyped-def]
    ours = api.parent()
    theirs = api.parent(school="34CD", user="other_staff")
    program = api.program()
    api.enroll(program["id"], ours["id"])
    session = api.session(program["id"])
    api.roll_call(session["id"], (ours["id"], "present"))
    api.parent(school="34CD", user="other_staff")
    seen = api.get("/audit/log", user="auditor").json
    ids = {i["aggregate_id"] for i in seen["items"]}
    assert ids == {ours["id"], program["id"], session["id"]} and theirs["id"] not in ids
    paged = api.get("/audit/log?limit=2", user="auditor").json
    assert len(paged["items"]) == 2 and paged["next"] is not None
    rest = api.get(f"/audit/log?after={paged['next']}", user="auditor").json
    assert [i["position"] for i in paged["items"] + rest["items"]] == [i["position"] for i in seen["items"]]
    assert len(api.get("/audit/log", user="admin").json["items"]) == 7
