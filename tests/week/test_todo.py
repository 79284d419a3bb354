"""The to-do lists (`GET /todo`), from the projections: on the demo data exactly what the demo
left to do; each line goes once it is done; each user sees their own schools."""

from __future__ import annotations

from betrokken.demo import fill_demo
from tests.helpers.api_client import SCHOOL, Api


def test_on_the_demo_data_the_todo_lists_exactly_what_the_demo_planted(api: Api) -> None:
    summary = fill_demo(api.service)
    assert len(summary.planted_missing_roll_calls) >= 3 and len(summary.planted_absences) >= 6
    todo = api.get("/todo", user="admin")
    assert todo.status_code == 200, todo.json
    lists = todo.json
    assert set(lists) == {"missing_roll_calls", "consecutive_absences", "overdue_home_visits",
                          "outstanding_payouts", "failed_messages"}
    assert sorted(x["session_id"] for x in lists["missing_roll_calls"]) == sorted(map(str, summary.planted_missing_roll_calls))
    assert sorted((x["program_id"], x["parent_id"]) for x in lists["consecutive_absences"]) == sorted(
        (str(p), str(q)) for p, q in summary.planted_absences)
    assert lists["overdue_home_visits"] and all(x["days"] > 31 for x in lists["overdue_home_visits"])
    assert lists["outstanding_payouts"] and all(x["outstanding_cents"] > 0 for x in lists["outstanding_payouts"])
    assert lists["failed_messages"] == []
    own = api.get("/todo", user="staff").json
    assert own["missing_roll_calls"] and {x["school"] for k in own for x in own[k]} == {SCHOOL}
    assert api.get("/todo", user="analyst").status_code == 403


def test_a_line_disappears_once_it_is_done(any_api: Api) -> None:
    api = any_api
    parent = api.parent()["id"]
    program = api.program()["id"]
    api.enroll(program, parent)
    first, second, third = (api.session(program, starts_at=f"2025-09-{d}T19:00:00+02:00")["id"] for d in ("08", "15", "22"))
    todo = api.get("/todo").json
    assert [x["session_id"] for x in todo["missing_roll_calls"]] == [first, second, third]
    for s in (first, second):
        assert api.roll_call(s, (parent, "absent")).status_code == 200
    todo = api.get("/todo").json
    assert [x["session_id"] for x in todo["missing_roll_calls"]] == [third]
    assert [(x["parent_id"], x["absences"]) for x in todo["consecutive_absences"]] == [(parent, 2)]
    assert api.roll_call(third, (parent, "excused")).status_code == 200
    assert api.get("/todo").json["consecutive_absences"][0]["absences"] == 2  # excused: neither counts nor breaks
    assert api.roll_call(first, (parent, "present")).status_code == 200  # a correction of the first
    todo = api.get("/todo").json
    assert todo["missing_roll_calls"] == [] and todo["consecutive_absences"] == []
    assert api.get("/todo", user="other_staff").json["consecutive_absences"] == []
