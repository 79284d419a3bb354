"""The projection endpoints: the contract's fields, read-your-writes, CSV, roles and scope."""

from __future__ import annotations

import csv
import io

import pytest

from tests.helpers.api_client import Api, Programme


def test_attendance_completion_and_rewards_follow_each_command_at_once(api: Api, programme: Programme):
    p = programme
    assert api.roll_call(p.session_id, (p.parent_id, "present")).status_code == 200
    r = api.get(f"/programs/{p.program_id}/attendance")
    assert r.status_code == 200
    assert r.json == {
        "sessions": [{"session_id": p.session_id, "starts_at": "2025-09-08T19:00:00+02:00",
                      "present": 1, "absent": 0, "excused": 0}],
        "parents": [{"parent_id": p.parent_id, "sessions_held": 1, "attended": 1, "excused": 0,
                     "absent": 0, "attendance_rate": 1.0}],
    }
    # Homework assigned but not recorded: rate 0, not completed (PACT needs 0.75).
    assert api.get(f"/programs/{p.program_id}/completion").json == [{
        "parent_id": p.parent_id, "attended": 1, "attendance_rate": 1.0, "homework_assigned": 1,
        "homework_completed": 0, "homework_rate": 0.0, "completed": False, "arm": None,
    }]
    assert api.put(f"/sessions/{p.session_id}/homework", {"records": [{"parent_id": p.parent_id, "completed": True}]}).status_code == 200
    assert api.get(f"/programs/{p.program_id}/completion").json[0]["completed"] is True
    assert api.get(f"/programs/{p.program_id}/rewards").json == [{
        "parent_id": p.parent_id, "sessions_cents": 500, "homework_cents": 250, "assessment_cents": 0,
        "earned_cents": 750, "paid_cents": 0, "outstanding_cents": 750, "eligible": True,
        "arm": None, "cash_cents": 0, "fund_cents": 0, "released_cents": 0, "forfeited_cents": 0, "fund_balance_cents": 0,
    }]
    paid = api.post(f"/programs/{p.program_id}/payouts", {"parent_id": p.parent_id, "amount_cents": 750, "method": "cash"})
    assert paid.status_code == 201, paid.json
    rewards = api.get(f"/programs/{p.program_id}/rewards").json[0]
    assert (rewards["paid_cents"], rewards["outstanding_cents"], rewards["eligible"]) == (750, 0, False)


def test_a_correction_replaces_the_status_in_the_figures(api: Api, programme: Programme):
    p = programme
    api.roll_call(p.session_id, (p.parent_id, "present"))
    api.roll_call(p.session_id, (p.parent_id, "excused"))
    parent = api.get(f"/programs/{p.program_id}/attendance").json["parents"][0]
    assert (parent["attended"], parent["excused"], parent["attendance_rate"]) == (0, 1, None)


def test_payout_above_outstanding_is_409_and_records_nothing(api: Api, programme: Programme):
    p = programme
    api.roll_call(p.session_id, (p.parent_id, "present"))
    head = api.last_position()
    r = api.post(f"/programs/{p.program_id}/payouts", {"parent_id": p.parent_id, "amount_cents": 501, "method": "cash"})
    assert r.status_code == 409 and r.json["error"]["code"] == "payout_exceeds_outstanding"
    assert api.last_position() == head


@pytest.mark.parametrize("view,columns", [
    ("completion", ["parent_id", "attended", "attendance_rate", "homework_assigned", "homework_completed", "homework_rate", "completed", "arm"]),
    ("rewards", ["parent_id", "sessions_cents", "homework_cents", "assessment_cents", "earned_cents", "paid_cents", "outstanding_cents", "eligible", "arm",
                     "cash_cents", "fund_cents", "released_cents", "forfeited_cents", "fund_balance_cents"]),
    ("attendance", ["parent_id", "sessions_held", "attended", "excused", "absent", "attendance_rate"]),
])
def test_every_projection_answers_csv(api: Api, programme: Programme, view: str, columns: list[str]):
    api.roll_call(programme.session_id, (programme.parent_id, "present"))
    r = api.get(f"/programs/{programme.program_id}/{view}?format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0] == columns and rows[1][0] == programme.parent_id and len(rows) == 2


def test_attendance_sessions_as_csv_and_null_as_empty_cell(api: Api, programme: Programme):
    r = api.get(f"/programs/{programme.program_id}/attendance?format=csv&table=sessions")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows == [["session_id", "starts_at", "present", "absent", "excused"],
                    [programme.session_id, "2025-09-08T19:00:00+02:00", "0", "0", "0"]]
    r = api.get(f"/programs/{programme.program_id}/completion?format=csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[1][2] == ""  # attendance_rate null: no session held yet


def test_unknown_format_is_422(api: Api, programme: Programme):
    r = api.get(f"/programs/{programme.program_id}/rewards?format=xlsx")
    assert r.status_code == 422 and "format" in r.json["error"]["fields"]


@pytest.mark.parametrize("user,status", [("analyst", 200), ("auditor", 200), ("admin", 200), ("other_staff", 404), (None, 401)])
def test_projections_roles_and_schools(api: Api, programme: Programme, user: str | None, status: int):
    for view in ("attendance", "completion", "rewards"):
        assert api.get(f"/programs/{programme.program_id}/{view}", user=user).status_code == status


def test_unknown_programme_is_404(api: Api):
    assert api.get("/programs/00000000-0000-0000-0000-000000000000/rewards").status_code == 404


def test_projections_on_postgres_too(any_api: Api):
    parent = any_api.parent()
    program = any_api.program(rewards={"per_session_cents": 100})
    any_api.enroll(program["id"], parent["id"])
    session = any_api.session(program["id"])
    any_api.roll_call(session["id"], (parent["id"], "present"))
    assert any_api.get(f"/programs/{program['id']}/rewards").json[0]["earned_cents"] == 100
