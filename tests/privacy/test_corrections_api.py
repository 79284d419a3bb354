"""Corrections through the API: each is an event with its actor, the figures follow, refusals are
409 with a named rule and record nothing, and the replay check stays identical after each."""

from __future__ import annotations

from typing import Any

import pytest

from betrokken.replay_check import replay_check
from tests.helpers.api_client import Api


def replays_identically(api: Api) -> None:
    """The live projections equal a rebuild from the events (`audit replay-check`)."""
    system = api.app.extensions["betrokken"]
    system.projections.catch_up()
    report = replay_check(system.config, api.service)
    assert report.identical, report.diffs


def patch(api: Api, path: str, body: Any, user: str = "staff") -> Any:
    return api.call("PATCH", path, user, json=body)


def refused(api: Api, response: Any, code: str, before: int) -> None:
    """A 409 naming the rule, and nothing recorded."""
    assert response.status_code == 409, response.json
    assert response.json["error"]["code"] == code
    assert api.last_position() == before


@pytest.fixture
def earning(api: Api) -> dict[str, Any]:
    """A parent who attended one session (500) and passed one test (1000), with 700 paid out."""
    program = api.program(rewards={"per_session_cents": 500, "per_homework_cents": 0, "per_assessment_cents": 1000})
    parent = api.parent()
    api.enroll(program["id"], parent["id"])
    s = api.session(program["id"])
    assert api.roll_call(s["id"], (parent["id"], "present")).status_code == 200
    a = api.post(f"/parents/{parent['id']}/assessments", {
        "program_id": program["id"], "child_id": parent["children"][0]["id"], "name": "Cito",
        "score": 8, "max_score": 10, "taken_on": "2025-10-01"})
    assert a.status_code == 201, a.json
    pay = api.post(f"/programs/{program['id']}/payouts", {"parent_id": parent["id"], "amount_cents": 700, "method": "cash"})
    assert pay.status_code == 201, pay.json
    return {"program": program["id"], "parent": parent["id"], "child": parent["children"][0]["id"],
            "assessment": a.json["id"], "payout": pay.json["id"]}


def rewards_of(api: Api, program_id: str) -> dict[str, Any]:
    r = api.get(f"/programs/{program_id}/rewards")
    assert r.status_code == 200, r.json
    [row] = r.json
    return row


def history(api: Api, aggregate_id: str) -> list[dict[str, Any]]:
    r = api.get(f"/audit/aggregates/{aggregate_id}/events", user="auditor")
    assert r.status_code == 200, r.json
    return r.json["events"]


def test_a_parent_s_details_are_corrected_and_the_old_values_stay_in_the_auditors_history(api: Api) -> None:
    parent = api.parent(name="Fatma Yilmas")
    r = patch(api, f"/parents/{parent['id']}", {"name": "Fatma Yilmaz", "phone": "0612345678", "language": "Turks"})
    assert r.status_code == 200, r.json
    assert (r.json["name"], r.json["phone"], r.json["language"]) == ("Fatma Yilmaz", "0612345678", "Turks")
    assert api.get(f"/parents/{parent['id']}").json["name"] == "Fatma Yilmaz"
    events = history(api, parent["id"])
    assert events[0]["data"]["name"] == "Fatma Yilmas"
    assert events[-1]["type"] == "Parent.DetailsCorrected" and events[-1]["actor"] == "staff"
    assert events[-1]["data"]["corrected"] == ["language", "name", "phone"]
    replays_identically(api)


def test_a_corrected_name_is_stored_encrypted(api: Api) -> None:
    parent = api.parent()
    assert patch(api, f"/parents/{parent['id']}", {"name": "Zyxwvu Uniekenaam"}).status_code == 200
    store = api.app.extensions["betrokken"].config.data_dir / "events.sqlite"
    assert b"Zyxwvu" not in store.read_bytes()


def test_bad_corrections_are_422_and_record_nothing(api: Api) -> None:
    parent = api.parent()
    before = api.last_position()
    for body in ({}, {"email": "geen-adres"}, {"name": ""}, {"school": "34CD"}):
        assert patch(api, f"/parents/{parent['id']}", body).status_code == 422, body
    child = parent["children"][0]["id"]
    assert patch(api, f"/parents/{parent['id']}/children/{child}", {"group": 9}).status_code == 422
    assert api.last_position() == before


def test_a_child_s_name_and_group_are_corrected(api: Api) -> None:
    parent = api.parent()
    child = parent["children"][0]["id"]
    r = patch(api, f"/parents/{parent['id']}/children/{child}", {"name": "Sarah", "group": 5})
    assert r.status_code == 200, r.json
    assert (r.json["id"], r.json["name"], r.json["group"]) == (child, "Sarah", 5)
    assert api.get(f"/parents/{parent['id']}").json["children"][0]["group"] == 5
    assert patch(api, f"/parents/{parent['id']}/children/{parent['id']}", {"group": 5}).status_code == 409


def test_an_erased_parent_cannot_be_corrected(api: Api) -> None:
    parent = api.parent()
    assert api.post(f"/parents/{parent['id']}/erasure", {"reason": "verzoek"}, user="admin").status_code == 200
    before = api.last_position()
    refused(api, patch(api, f"/parents/{parent['id']}", {"name": "Nieuw"}), "parent_erased", before)
    child = parent["children"][0]["id"]
    refused(api, patch(api, f"/parents/{parent['id']}/children/{child}", {"group": 5}), "parent_erased", before)


def test_the_new_school_year_moves_every_child_up_and_groep_8_leaves(api: Api) -> None:
    a = api.post("/parents", {"school": "12AB", "name": "A", "children": [{"name": "K1", "group": 3}, {"name": "K2", "group": 8}]}).json
    b = api.post("/parents", {"school": "12AB", "name": "B", "children": [{"name": "K3", "group": 1}]}).json
    elsewhere = api.post("/parents", {"school": "34CD", "name": "C", "children": [{"name": "K4", "group": 2}]}, user="admin").json
    r = api.post("/schools/12AB/school-year", {"on": "2026-08-31"})
    assert r.status_code == 200, r.json
    assert r.json == {"moved_up": 2, "left": 1}
    kids = {c["name"]: c for p in (a, b) for c in api.get(f"/parents/{p['id']}").json["children"]}
    assert (kids["K1"]["group"], kids["K3"]["group"]) == (4, 2)
    assert (kids["K2"]["group"], kids["K2"]["left_on"]) == (8, "2026-08-31")
    assert api.get(f"/parents/{elsewhere['id']}", user="admin").json["children"][0]["group"] == 2
    before = api.last_position()
    assert api.post("/schools/12AB/school-year", {"on": "2026-08-31"}).json == {"moved_up": 0, "left": 0}
    assert api.last_position() == before  # once per date
    assert api.post("/schools/34CD/school-year", {"on": "2026-08-31"}).status_code == 404  # not staff's school
    assert api.post("/schools/nope/school-year", {"on": "2026-08-31"}).status_code == 404


def test_a_corrected_assessment_changes_the_reward_and_a_withdrawn_one_stops_counting(api: Api, earning) -> None:
    p = earning
    assert rewards_of(api, p["program"])["assessment_cents"] == 1000
    url = f"/parents/{p['parent']}/assessments/{p['assessment']}/correction"
    r = api.post(url, {"score": 2, "reason": "verkeerd overgenomen"})
    assert r.status_code == 200, r.json
    assert (r.json["score"], r.json["withdrawn"]) == (2, False)
    assert rewards_of(api, p["program"])["assessment_cents"] == 0  # 2/10 is under the threshold
    replays_identically(api)
    assert api.post(url, {"score": 9, "reason": "toch goed"}).status_code == 200
    assert rewards_of(api, p["program"])["assessment_cents"] == 1000
    r = api.post(url, {"withdrawn": True, "reason": "toets bij verkeerd kind"})
    assert r.status_code == 200 and r.json["withdrawn"] is True
    assert rewards_of(api, p["program"])["assessment_cents"] == 0
    replays_identically(api)
    before = api.last_position()
    refused(api, api.post(url, {"score": 9, "reason": "nog eens"}), "assessment_withdrawn", before)
    assert api.post(url, {"score": 11, "max_score": 10, "reason": "x"}).status_code == 409
    assert api.post(url, {"reason": "x"}).status_code in (409, 422)
    assert api.post(f"/parents/{p['parent']}/assessments/{p['payout']}/correction", {"score": 1, "reason": "x"}).status_code == 404


def test_a_reversed_payout_stops_counting_as_paid_and_cannot_be_reversed_twice(api: Api, earning) -> None:
    p = earning
    assert rewards_of(api, p["program"])["paid_cents"] == 700
    url = f"/programs/{p['program']}/payouts/{p['payout']}/reversal"
    r = api.post(url, {"reason": "dubbel geboekt"})
    assert r.status_code == 200, r.json
    assert r.json["reversed"] is True and r.json["amount_cents"] == 700
    row = rewards_of(api, p["program"])
    assert (row["paid_cents"], row["outstanding_cents"]) == (0, 1500)
    [shown] = api.get(f"/programs/{p['program']}").json["payouts"]
    assert shown["reversed"] is True
    replays_identically(api)
    before = api.last_position()
    refused(api, api.post(url, {"reason": "nog eens"}), "payout_already_reversed", before)
    assert api.post(f"/programs/{p['program']}/payouts/{p['parent']}/reversal", {"reason": "x"}).status_code == 404
    assert history(api, p["program"])[-1]["type"] == "TrainingProgram.PayoutReversed"


def test_a_closed_programme_refuses_every_command_until_an_admin_reopens_it(api: Api, earning) -> None:
    p = earning
    r = api.post(f"/programs/{p['program']}/closure", {"reason": "afgerond"})
    assert r.status_code == 200, r.json
    assert r.json["closed_on"] is not None
    before = api.last_position()
    newcomer = api.parent(name="Later")
    before = api.last_position()
    sessions = api.get(f"/programs/{p['program']}/sessions").json["items"]
    for response in (
        api.post(f"/programs/{p['program']}/enrollments", {"parent_id": newcomer["id"]}),
        api.post(f"/programs/{p['program']}/sessions", {"title": "Extra", "starts_at": "2025-10-08T19:00:00+02:00"}),
        api.post(f"/programs/{p['program']}/payouts", {"parent_id": p["parent"], "amount_cents": 100, "method": "cash"}),
        api.put(f"/sessions/{sessions[0]['id']}/attendance", {"records": [{"parent_id": p["parent"], "status": "absent"}]}),
        api.post(f"/programs/{p['program']}/payouts/{p['payout']}/reversal", {"reason": "x"}),
        api.post(f"/parents/{p['parent']}/assessments/{p['assessment']}/correction", {"score": 1, "reason": "x"}),
        api.post(f"/programs/{p['program']}/enrollments/{p['parent']}/withdrawal", {"reason": "x"}),
        api.post(f"/programs/{p['program']}/closure", {"reason": "nog eens"}),
    ):
        refused(api, response, "program_closed", before)
    assert api.post(f"/programs/{p['program']}/reopening", {"reason": "te vroeg"}).status_code == 403  # staff
    r = api.post(f"/programs/{p['program']}/reopening", {"reason": "te vroeg gesloten"}, user="admin")
    assert r.status_code == 200 and r.json["closed_on"] is None
    refused(api, api.post(f"/programs/{p['program']}/reopening", {"reason": "x"}, user="admin"), "program_open",
            api.last_position())
    api.enroll(p["program"], newcomer["id"])
    replays_identically(api)


def test_corrections_keep_the_figures_and_the_replay_on_both_stores(any_api: Api) -> None:
    api = any_api
    program = api.program(rewards={"per_session_cents": 500, "per_homework_cents": 0, "per_assessment_cents": 1000})
    parent = api.parent()
    api.enroll(program["id"], parent["id"])
    s = api.session(program["id"])
    assert api.roll_call(s["id"], (parent["id"], "present")).status_code == 200
    a = api.post(f"/parents/{parent['id']}/assessments", {
        "program_id": program["id"], "child_id": parent["children"][0]["id"], "name": "Cito",
        "score": 8, "max_score": 10, "taken_on": "2025-10-01"}).json
    pay = api.post(f"/programs/{program['id']}/payouts", {"parent_id": parent["id"], "amount_cents": 700, "method": "cash"}).json
    assert patch(api, f"/parents/{parent['id']}", {"name": "Fatma"}).status_code == 200
    assert api.post(f"/parents/{parent['id']}/assessments/{a['id']}/correction", {"withdrawn": True, "reason": "x"}).status_code == 200
    assert api.post(f"/programs/{program['id']}/payouts/{pay['id']}/reversal", {"reason": "x"}).status_code == 200
    assert api.post(f"/programs/{program['id']}/closure", {"reason": "klaar"}).status_code == 200
    row = rewards_of(api, program["id"])
    assert (row["assessment_cents"], row["paid_cents"], row["outstanding_cents"]) == (0, 0, 500)
    replays_identically(api)
    assert api.get(f"/parents/{parent['id']}").json["name"] == "Fatma"
    reads = api.get(f"/audit/reads?parent_id={parent['id']}", user="auditor").json["items"]
    assert [r["activity"] for r in reads] == ["PATCH /api/v1/parents/<uuid:parent_id>", "GET /api/v1/parents/<uuid:parent_id>"]
