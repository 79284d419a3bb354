"""Every command endpoint of the public contract, answered as the contract says (happy paths)."""

from __future__ import annotations

from datetime import datetime

from tests.helpers.api_client import SCHOOL, Api, Programme


def test_registering_a_parent_answers_201_with_the_children_and_ids(any_api: Api) -> None:
    r = any_api.post("/parents", {
        "school": SCHOOL, "name": "Fatima Yilmaz", "phone": "0612345678", "email": "f@example.nl",
        "language": "tr", "children": [{"name": "Sara", "group": 4}, {"name": "Emre", "group": 8}],
    })
    assert r.status_code == 201
    body = r.json
    assert body["school"] == SCHOOL and body["name"] == "Fatima Yilmaz" and body["language"] == "tr"
    assert [(c["name"], c["group"]) for c in body["children"]] == [("Sara", 4), ("Emre", 8)]
    assert all(len(c["id"]) == 36 for c in body["children"])
    assert any_api.get(f"/parents/{body['id']}").json == body
    assert [p["id"] for p in any_api.get("/parents").json["items"]] == [body["id"]]


def test_adding_a_child_answers_201_with_the_child(api: Api) -> None:
    parent = api.parent()
    r = api.post(f"/parents/{parent['id']}/children", {"name": "Noah", "group": 1})
    assert r.status_code == 201
    assert r.json["name"] == "Noah" and r.json["group"] == 1
    children = api.get(f"/parents/{parent['id']}").json["children"]
    assert r.json in children and len(children) == 2


def test_creating_a_programme_fills_omitted_settings_from_the_kind_template(any_api: Api) -> None:
    r = any_api.post("/programs", {
        "school": SCHOOL, "name": "Pittige Jaren", "kind": "pittige_jaren", "starts_on": "2025-09-01",
        "rewards": {"per_session_cents": 1000, "cap_cents": 5000},
    })
    assert r.status_code == 201
    p = r.json
    assert p["completion"] == {"min_attendance_rate": 0.5, "min_homework_rate": 0.0, "min_sessions_attended": 7}
    assert p["rewards"]["per_session_cents"] == 1000 and p["rewards"]["cap_cents"] == 5000
    assert p["rewards"]["per_homework_cents"] == 0 and p["rewards"]["payout"] == "cash"
    assert p["starts_on"] == "2025-09-01"
    assert any_api.get(f"/programs/{p['id']}").json == p
    assert [x["id"] for x in any_api.get("/programs").json["items"]] == [p["id"]]


def test_a_full_programme_journey_through_the_api(any_api: Api) -> None:
    """Enrol, schedule, roll call, homework, assessment, payout, withdrawal, cancellation."""
    a = any_api
    parent = a.parent()
    program = a.program(rewards={"per_session_cents": 500, "per_homework_cents": 250, "per_assessment_cents": 300})
    r = a.post(f"/programs/{program['id']}/enrollments", {"parent_id": parent["id"], "enrolled_on": "2025-09-01"})
    assert r.status_code == 201
    assert r.json["parent_id"] == parent["id"] and r.json["enrolled_on"] == "2025-09-01" and r.json["withdrawn_on"] is None

    session = a.session(program["id"], location="Lokaal 3")
    assert session["program_id"] == program["id"] and session["starts_at"] == "2025-09-08T19:00:00+02:00"
    assert session["has_homework"] is True and session["homework_assignment"] == "Lees elke dag 20 minuten"
    assert session["cancelled"] is False and session["attendance"] == [] and session["homework"] == []

    r = a.roll_call(session["id"], (parent["id"], "present"))
    assert r.status_code == 200
    r = a.put(f"/sessions/{session['id']}/homework", {"records": [{"parent_id": parent["id"], "completed": True}]})
    assert r.status_code == 200
    got = a.get(f"/sessions/{session['id']}").json
    assert got["attendance"] == [{"parent_id": parent["id"], "status": "present"}]
    assert got["homework"] == [{"parent_id": parent["id"], "completed": True}]

    r = a.post(f"/parents/{parent['id']}/assessments", {
        "program_id": program["id"], "child_id": parent["children"][0]["id"], "name": "Tussentoets lezen",
        "score": 8, "max_score": 10, "taken_on": "2025-10-01",
    })
    assert r.status_code == 201 and r.json["score"] == 8 and r.json["taken_on"] == "2025-10-01"

    # earned: 500 (session) + 250 (homework) + 300 (assessment) = 1050
    r = a.post(f"/programs/{program['id']}/payouts", {"parent_id": parent["id"], "amount_cents": 1050, "method": "education_fund"})
    assert r.status_code == 201
    assert r.json["amount_cents"] == 1050 and r.json["method"] == "education_fund" and r.json["parent_id"] == parent["id"]

    r = a.post(f"/programs/{program['id']}/enrollments/{parent['id']}/withdrawal", {"withdrawn_on": "2025-11-01", "reason": "verhuisd"})
    assert r.status_code == 200 and r.json["withdrawn_on"] == "2025-11-01" and r.json["reason"] == "verhuisd"

    later = a.session(program["id"], starts_at="2025-11-10T19:00:00+01:00")
    r = a.post(f"/sessions/{later['id']}/cancellation", {"reason": "ziekte trainer"})
    assert r.status_code == 200 and r.json["cancelled"] is True

    detail = a.get(f"/programs/{program['id']}").json
    assert detail["session_ids"] == [session["id"], later["id"]]
    assert detail["enrolments"][0]["withdrawn_on"] == "2025-11-01"
    assert [p["amount_cents"] for p in detail["payouts"]] == [1050]


def test_a_start_time_without_offset_is_dutch_local_time(api: Api, programme: Programme) -> None:
    winter = api.session(programme.program_id, starts_at="2025-12-01T19:30:00")
    summer = api.session(programme.program_id, starts_at="2026-06-01T19:30")
    assert winter["starts_at"] == "2025-12-01T19:30:00+01:00"
    assert summer["starts_at"] == "2026-06-01T19:30:00+02:00"


def test_a_home_visit_names_its_family(api: Api, programme: Programme) -> None:
    r = api.post(f"/programs/{programme.program_id}/sessions", {
        "title": "Huisbezoek", "starts_at": "2025-09-10T10:00:00+02:00", "participants": [programme.parent_id],
    })
    assert r.status_code == 201
    assert r.json["participants"] == [programme.parent_id] and r.json["has_homework"] is False


def test_enrolment_date_defaults_to_today(api: Api) -> None:
    parent, program = api.parent(), api.program()
    r = api.post(f"/programs/{program['id']}/enrollments", {"parent_id": parent["id"]})
    assert r.status_code == 201
    from application.clock import today
    assert r.json["enrolled_on"] == today().isoformat()


def test_programme_sessions_are_listed_in_order_of_start(api: Api, programme: Programme) -> None:
    earlier = api.session(programme.program_id, starts_at="2025-09-01T19:00:00+02:00")
    listed = api.get(f"/programs/{programme.program_id}/sessions").json["items"]
    assert [s["id"] for s in listed] == [earlier["id"], programme.session_id]
    assert all(datetime.fromisoformat(s["starts_at"]).utcoffset() is not None for s in listed)
