"""Every status of the error table, each in the one error shape, and a refused command records nothing."""

from __future__ import annotations

import uuid

import pytest

OTHER = "34CD"


def assert_error(r, status: int, code: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    """The answer has this status and exactly the contract's error shape."""
    assert r.status_code == status, r.json
    assert r.is_json and set(r.json) == {"error"}
    error = r.json["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
    assert set(error) == {"code", "message", "fields"} and isinstance(error["fields"], dict)
    assert bool(error["fields"]) is (status == 422)
    if code is not None:
        assert error["code"] == code
    return error


# -- 401 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic YWRtaW46eA==", "Bearer 00.x"])
def test_a_request_without_a_live_token_is_401(api, header) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": header} if header else {}
    r = api.get("/parents", user=None, headers=headers)
    assert_error(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_tampered_or_revoked_token_is_401(api) -> None:  # type: ignore[no-untyped-def]
    token = api.tokens["staff"]
    assert api.get("/parents").status_code == 200
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert_error(api.get("/parents", user=None, headers={"Authorization": f"Bearer {tampered}"}), 401)
    # another user's id with this user's secret
    other = api.tokens["admin"].split(".")[0] + "." + token.split(".")[1]
    assert_error(api.get("/parents", user=None, headers={"Authorization": f"Bearer {other}"}), 401)
    api.app.extensions["betrokken"].accounts.revoke_tokens("staff", actor="test")
    assert_error(api.get("/parents"), 401)


def test_401_comes_before_validation(api) -> None:  # type: ignore[no-untyped-def]
    assert_error(api.post("/parents", {"nonsense": 1}, user=None), 401)


# -- 403 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["auditor", "analyst"])
def test_auditors_and_analysts_may_not_command(api, programme, user) -> None:  # type: ignore[no-untyped-def]
    p = programme
    before = api.last_position()
    calls = [
        ("POST", "/parents", {"school": "12AB", "name": "X", "children": []}),
        ("POST", f"/parents/{p.parent_id}/children", {"name": "Y", "group": 2}),
        ("POST", "/programs", {"school": "12AB", "name": "P", "kind": "custom", "starts_on": "2025-09-01"}),
        ("POST", f"/programs/{p.program_id}/enrollments", {"parent_id": p.parent_id}),
        ("POST", f"/programs/{p.program_id}/sessions", {"title": "T", "starts_at": "2025-09-09T10:00:00+02:00"}),
        ("PUT", f"/sessions/{p.session_id}/attendance", {"records": [{"parent_id": p.parent_id, "status": "present"}]}),
        ("PUT", f"/sessions/{p.session_id}/homework", {"records": [{"parent_id": p.parent_id, "completed": True}]}),
        ("POST", f"/sessions/{p.session_id}/cancellation", {"reason": "x"}),
        ("POST", f"/programs/{p.program_id}/payouts", {"parent_id": p.parent_id, "amount_cents": 1, "method": "cash"}),
        ("POST", f"/programs/{p.program_id}/enrollments/{p.parent_id}/withdrawal", {"reason": "x"}),
    ]
    for method, path, body in calls:
        assert_error(api.call(method, path, user, json=body), 403, "forbidden")
    assert api.last_position() == before


def test_analysts_read_programmes_but_no_parent_or_session_records(api, programme) -> None:  # type: ignore[no-untyped-def]
    assert api.get("/programs", user="analyst").status_code == 200
    assert api.get(f"/programs/{programme.program_id}", user="analyst").status_code == 200
    for path in ["/parents", f"/parents/{programme.parent_id}", f"/sessions/{programme.session_id}",
                 f"/programs/{programme.program_id}/sessions", "/audit/log"]:
        assert_error(api.get(path, user="analyst"), 403)


def test_only_admins_and_auditors_read_the_audit_log(api, programme) -> None:  # type: ignore[no-untyped-def]
    assert api.get("/audit/log", user="admin").status_code == 200
    assert api.get("/audit/log", user="auditor").status_code == 200
    assert_error(api.get("/audit/log", user="staff"), 403)


def test_auditors_read_records_of_their_schools(api, programme) -> None:  # type: ignore[no-untyped-def]
    assert api.get(f"/parents/{programme.parent_id}", user="auditor").status_code == 200
    assert api.get(f"/sessions/{programme.session_id}", user="auditor").status_code == 200
    assert api.get(f"/programs/{programme.program_id}", user="auditor").status_code == 200


# -- 404 ---------------------------------------------------------------------------------------


def test_unknown_ids_are_404(api, programme) -> None:  # type: ignore[no-untyped-def]
    unknown = uuid.uuid4()
    for path in [f"/parents/{unknown}", f"/programs/{unknown}", f"/sessions/{unknown}"]:
        assert_error(api.get(path), 404, "not_found")
    assert_error(api.post(f"/programs/{unknown}/enrollments", {"parent_id": programme.parent_id}), 404)
    assert_error(api.post(f"/programs/{programme.program_id}/enrollments", {"parent_id": str(unknown)}), 404)
    assert_error(api.roll_call(str(unknown), (programme.parent_id, "present")), 404)
    # an id of the wrong kind is unknown too
    assert_error(api.get(f"/sessions/{programme.parent_id}"), 404)


def test_ids_that_are_not_uuids_and_unknown_routes_are_404(api) -> None:  # type: ignore[no-untyped-def]
    assert_error(api.get("/parents/42"), 404)
    assert_error(api.get("/sessions/not-a-uuid"), 404)
    assert_error(api.get("/nothing-here"), 404)


def test_records_of_another_school_are_404_as_if_they_did_not_exist(api, programme) -> None:  # type: ignore[no-untyped-def]
    before = api.last_position()
    for path in [f"/parents/{programme.parent_id}", f"/programs/{programme.program_id}", f"/sessions/{programme.session_id}"]:
        assert_error(api.get(path, user="other_staff"), 404, "not_found")
    assert_error(api.roll_call(programme.session_id, (programme.parent_id, "present"), user="other_staff"), 404)
    assert_error(api.post(f"/sessions/{programme.session_id}/cancellation", {"reason": "x"}, user="other_staff"), 404)
    assert_error(api.post("/parents", {"school": "12AB", "name": "X", "children": []}, user="other_staff"), 404)
    assert api.get("/parents", user="other_staff").json == {"items": [], "next": None}
    assert api.get("/programs", user="other_staff").json == {"items": [], "next": None}
    assert api.last_position() == before


def test_405_for_a_method_the_path_does_not_take(api) -> None:  # type: ignore[no-untyped-def]
    r = api.call("DELETE", "/parents")
    assert_error(r, 405, "method_not_allowed")
    assert "POST" in r.headers["Allow"]


# -- 409 ---------------------------------------------------------------------------------------


def test_double_enrolment_is_409_and_records_nothing(api, programme) -> None:  # type: ignore[no-untyped-def]
    before = api.last_position()
    r = api.post(f"/programs/{programme.program_id}/enrollments", {"parent_id": programme.parent_id})
    assert_error(r, 409, "already_enrolled")
    assert api.last_position() == before


def test_roll_call_for_a_parent_never_enrolled_is_409_and_records_nothing(api, programme) -> None:  # type: ignore[no-untyped-def]
    stranger = api.parent(name="Niet ingeschreven")
    before = api.last_position()
    r = api.roll_call(programme.session_id, (programme.parent_id, "present"), (stranger["id"], "present"))
    assert_error(r, 409, "not_enrolled")
    assert api.last_position() == before
    assert api.get(f"/sessions/{programme.session_id}").json["attendance"] == []


def test_roll_call_for_a_parent_enrolled_after_the_session_is_409(api, programme) -> None:  # type: ignore[no-untyped-def]
    late = api.parent(name="Laat")
    api.enroll(programme.program_id, late["id"], on="2025-09-09")  # the session was on 2025-09-08
    before = api.last_position()
    assert_error(api.roll_call(programme.session_id, (late["id"], "present")), 409, "not_enrolled")
    assert_error(api.put(f"/sessions/{programme.session_id}/homework", {"records": [{"parent_id": late["id"], "completed": True}]}), 409, "not_enrolled")
    assert api.last_position() == before


def test_roll_call_for_a_parent_withdrawn_before_the_session_is_409(api, programme) -> None:  # type: ignore[no-untyped-def]
    r = api.post(f"/programs/{programme.program_id}/enrollments/{programme.parent_id}/withdrawal",
                 {"withdrawn_on": "2025-09-08", "reason": "verhuisd"})
    assert r.status_code == 200
    before = api.last_position()
    assert_error(api.roll_call(programme.session_id, (programme.parent_id, "present")), 409, "not_enrolled")
    assert api.last_position() == before


def test_roll_call_on_a_cancelled_session_is_409(api, programme) -> None:  # type: ignore[no-untyped-def]
    assert api.post(f"/sessions/{programme.session_id}/cancellation", {"reason": "storm"}).status_code == 200
    before = api.last_position()
    assert_error(api.roll_call(programme.session_id, (programme.parent_id, "present")), 409, "session_cancelled")
    assert api.last_position() == before


def test_cancelling_a_session_with_roll_call_is_409(api, programme) -> None:  # type: ignore[no-untyped-def]
    assert api.roll_call(programme.session_id, (programme.parent_id, "absent")).status_code == 200
    before = api.last_position()
    assert_error(api.post(f"/sessions/{programme.session_id}/cancellation", {"reason": "x"}), 409, "roll_call_recorded")
    assert api.last_position() == before
    assert api.get(f"/sessions/{programme.session_id}").json["cancelled"] is False


def test_roll_call_for_someone_not_named_on_a_home_visit_is_409(api, programme) -> None:  # type: ignore[no-untyped-def]
    other = api.parent(name="Ander gezin")
    api.enroll(programme.program_id, other["id"])
    visit = api.post(f"/programs/{programme.program_id}/sessions", {
        "title": "Huisbezoek", "starts_at": "2025-09-20T10:00:00+02:00", "participants": [programme.parent_id],
    }).json
    before = api.last_position()
    assert_error(api.roll_call(visit["id"], (other["id"], "present")), 409, "not_a_participant")
    assert api.last_position() == before
    assert api.roll_call(visit["id"], (programme.parent_id, "present")).status_code == 200


def test_a_payout_above_what_is_outstanding_is_409(api, programme) -> None:  # type: ignore[no-untyped-def]
    assert api.roll_call(programme.session_id, (programme.parent_id, "present")).status_code == 200  # earns 500
    before = api.last_position()
    r = api.post(f"/programs/{programme.program_id}/payouts", {"parent_id": programme.parent_id, "amount_cents": 501, "method": "cash"})
    assert_error(r, 409, "payout_exceeds_outstanding")
    assert api.last_position() == before
    ok = api.post(f"/programs/{programme.program_id}/payouts", {"parent_id": programme.parent_id, "amount_cents": 500, "method": "cash"})
    assert ok.status_code == 201
    assert_error(api.post(f"/programs/{programme.program_id}/payouts", {"parent_id": programme.parent_id, "amount_cents": 1, "method": "cash"}), 409)


def test_homework_on_a_session_without_homework_is_409(api, programme) -> None:  # type: ignore[no-untyped-def]
    plain = api.post(f"/programs/{programme.program_id}/sessions", {"title": "Zonder", "starts_at": "2025-09-15T19:00:00+02:00"}).json
    r = api.put(f"/sessions/{plain['id']}/homework", {"records": [{"parent_id": programme.parent_id, "completed": True}]})
    assert_error(r, 409, "no_homework_assigned")


# -- 422 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, field", [
    ({"school": "12AB", "name": "X", "children": [{"name": "K", "group": 0}]}, "children.0.group"),
    ({"school": "12AB", "name": "X", "children": [{"name": "K", "group": 9}]}, "children.0.group"),
    ({"school": "12AB", "name": "X", "children": [{"name": "K", "group": "3"}]}, "children.0.group"),
    ({"school": "12AB", "children": []}, "name"),
    ({"school": "twelve", "name": "X"}, "school"),
    ({"school": "12AB", "name": "X", "email": "not-an-email"}, "email"),
    ({"school": "12AB", "name": "X", "nickname": "unknown field"}, "nickname"),
    ({"school": "12AB", "name": "X", "children": [{"name": "K", "group": 3, "age": 7}]}, "children.0.age"),
])
def test_invalid_parents_are_422_with_the_field(api, body, field) -> None:  # type: ignore[no-untyped-def]
    before = api.last_position()
    error = assert_error(api.post("/parents", body), 422, "validation_failed")
    assert field in error["fields"], error
    assert api.last_position() == before


@pytest.mark.parametrize("patch, field", [
    ({"starts_on": "2025-13-01"}, "starts_on"),
    ({"starts_on": "01-09-2025"}, "starts_on"),
    ({"starts_on": "2025-09-01T10:00:00"}, "starts_on"),
    ({"kind": "yoga"}, "kind"),
    ({"completion": {"min_attendance_rate": 1.5}}, "completion.min_attendance_rate"),
    ({"completion": {"min_homework_rate": -0.1}}, "completion.min_homework_rate"),
    ({"rewards": {"assessment_threshold": 2}}, "rewards.assessment_threshold"),
    ({"rewards": {"per_session_cents": 2.5}}, "rewards.per_session_cents"),
    ({"rewards": {"payout": "bitcoin"}}, "rewards.payout"),
    ({"rewards": {"bonus": 1}}, "rewards.bonus"),
])
def test_invalid_programmes_are_422_with_the_field(api, patch, field) -> None:  # type: ignore[no-untyped-def]
    body = {"school": "12AB", "name": "P", "kind": "pact", "starts_on": "2025-09-01", **patch}
    error = assert_error(api.post("/programs", body), 422)
    assert field in error["fields"], error


def test_invalid_commands_on_a_programme_are_422(api, programme) -> None:  # type: ignore[no-untyped-def]
    p = programme
    cases = [
        (f"/programs/{p.program_id}/enrollments", {"parent_id": "not-a-uuid"}, "parent_id"),
        (f"/programs/{p.program_id}/enrollments", {"parent_id": p.parent_id, "enrolled_on": "2025-02-30"}, "enrolled_on"),
        (f"/programs/{p.program_id}/sessions", {"title": "T", "starts_at": "next tuesday"}, "starts_at"),
        (f"/programs/{p.program_id}/sessions", {"title": "T"}, "starts_at"),
        (f"/programs/{p.program_id}/sessions", {"title": "T", "starts_at": "0001-01-01T00:00:00+01:00"}, "starts_at"),
        (f"/programs/{p.program_id}/sessions", {"title": "T", "starts_at": "9999-12-31T23:00:00-05:00"}, "starts_at"),
        (f"/programs/{p.program_id}/payouts", {"parent_id": p.parent_id, "amount_cents": 0, "method": "cash"}, "amount_cents"),
        (f"/programs/{p.program_id}/payouts", {"parent_id": p.parent_id, "amount_cents": 100, "method": "cheque"}, "method"),
        (f"/parents/{p.parent_id}/assessments", {"program_id": p.program_id, "child_id": p.child_id, "name": "T",
                                                  "score": "veel", "max_score": 10, "taken_on": "2025-10-01"}, "score"),
        (f"/parents/{p.parent_id}/children", {"name": "K", "group": 9}, "group"),
        (f"/sessions/{p.session_id}/cancellation", {}, "reason"),
    ]
    before = api.last_position()
    for path, body, field in cases:
        error = assert_error(api.post(path, body), 422)
        assert field in error["fields"], (path, error)
    assert api.last_position() == before


def test_invalid_roll_calls_are_422(api, programme) -> None:  # type: ignore[no-untyped-def]
    path = f"/sessions/{programme.session_id}/attendance"
    assert "records.0.status" in assert_error(api.put(path, {"records": [{"parent_id": programme.parent_id, "status": "late"}]}), 422)["fields"]
    assert "records" in assert_error(api.put(path, {"records": []}), 422)["fields"]
    assert "records" in assert_error(api.put(path, {}), 422)["fields"]
    hw = f"/sessions/{programme.session_id}/homework"
    assert "records.0.completed" in assert_error(api.put(hw, {"records": [{"parent_id": programme.parent_id, "completed": "yes"}]}), 422)["fields"]


@pytest.mark.parametrize("data, content_type", [
    ("school=12AB&name=X", "application/x-www-form-urlencoded"),
    ("{not json", "application/json"),
    ("", "application/json"),
    ("[1, 2]", "application/json"),
    ('"text"', "application/json"),
    ("null", "application/json"),
])
def test_a_body_that_is_not_a_json_object_is_422_with_a_clear_message(api, data, content_type) -> None:  # type: ignore[no-untyped-def]
    before = api.last_position()
    error = assert_error(api.call("POST", "/parents", data=data, headers={"Content-Type": content_type}), 422, "invalid_body")
    assert "JSON" in error["message"] and error["fields"] == {"body": [error["message"]]}
    assert api.last_position() == before


def test_audit_log_query_is_validated(api) -> None:  # type: ignore[no-untyped-def]
    assert "limit" in assert_error(api.get("/audit/log?limit=0", user="admin"), 422)["fields"]
    assert "after" in assert_error(api.get("/audit/log?after=x", user="admin"), 422)["fields"]


# -- 500 ---------------------------------------------------------------------------------------


def test_an_unexpected_failure_is_500_without_a_stack_trace(api, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(api.service.directory, "parents_of", boom)
    r = api.get("/parents")
    error = assert_error(r, 500, "internal_error")
    assert "secret" not in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)
    assert "secret internals" in caplog.text  # logged for us
    assert error["message"]
