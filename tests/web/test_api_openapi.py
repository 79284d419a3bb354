"""The OpenAPI document is served, valid, and documents the contract's paths and bearer security."""

from __future__ import annotations

from openapi_spec_validator import validate


def test_the_openapi_document_is_served_and_valid(api) -> None:  # type: ignore[no-untyped-def]
    r = api.client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json
    validate(doc)
    assert doc["openapi"] == "3.0.3"
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert doc["security"] == [{"bearerAuth": []}]
    for path, method in [
        ("/api/v1/parents", "post"), ("/api/v1/parents/{parent_id}", "get"),
        ("/api/v1/parents/{parent_id}/children", "post"), ("/api/v1/parents/{parent_id}/assessments", "post"),
        ("/api/v1/programs", "post"), ("/api/v1/programs", "get"), ("/api/v1/programs/{program_id}", "get"),
        ("/api/v1/programs/{program_id}/enrollments", "post"),
        ("/api/v1/programs/{program_id}/enrollments/{parent_id}/withdrawal", "post"),
        ("/api/v1/programs/{program_id}/sessions", "post"), ("/api/v1/sessions/{session_id}", "get"),
        ("/api/v1/sessions/{session_id}/attendance", "put"), ("/api/v1/sessions/{session_id}/homework", "put"),
        ("/api/v1/sessions/{session_id}/cancellation", "post"), ("/api/v1/programs/{program_id}/payouts", "post"),
        ("/api/v1/audit/log", "get"),
    ]:
        assert method in doc["paths"][path], (path, method)
    assert "requestBody" in doc["paths"]["/api/v1/parents"]["post"]
    assert "201" in doc["paths"]["/api/v1/parents"]["post"]["responses"]


OPERATION_IDS = {
    ("get", "/api/v1/parents"): "listParents", ("post", "/api/v1/parents"): "registerParent",
    ("get", "/api/v1/parents/{parent_id}"): "getParent", ("post", "/api/v1/parents/{parent_id}/children"): "addChild",
    ("post", "/api/v1/parents/{parent_id}/assessments"): "recordAssessment",
    ("post", "/api/v1/parents/{parent_id}/erasure"): "eraseParentData",
    ("get", "/api/v1/programs"): "listPrograms", ("post", "/api/v1/programs"): "createProgram",
    ("get", "/api/v1/programs/{program_id}"): "getProgram",
    ("post", "/api/v1/programs/{program_id}/enrollments"): "enrollParent",
    ("post", "/api/v1/programs/{program_id}/enrollments/{parent_id}/withdrawal"): "withdrawParent",
    ("post", "/api/v1/programs/{program_id}/sessions"): "scheduleSession",
    ("get", "/api/v1/programs/{program_id}/sessions"): "listProgramSessions",
    ("post", "/api/v1/programs/{program_id}/payouts"): "recordPayout",
    ("get", "/api/v1/programs/{program_id}/attendance"): "getProgramAttendance",
    ("get", "/api/v1/programs/{program_id}/completion"): "getProgramCompletion",
    ("get", "/api/v1/programs/{program_id}/rewards"): "getProgramRewards",
    ("get", "/api/v1/sessions/{session_id}"): "getSession",
    ("put", "/api/v1/sessions/{session_id}/attendance"): "takeRollCall",
    ("put", "/api/v1/sessions/{session_id}/homework"): "recordHomework",
    ("post", "/api/v1/sessions/{session_id}/cancellation"): "cancelSession",
    ("get", "/api/v1/audit/log"): "getAuditLog",
    ("get", "/api/v1/audit/aggregates/{aggregate_id}/events"): "getAggregateEvents",
    ("get", "/api/v1/audit/aggregates/{aggregate_id}/state"): "getAggregateState",
    # corrections and privacy
    ("patch", "/api/v1/parents/{parent_id}"): "correctParent",
    ("patch", "/api/v1/parents/{parent_id}/children/{child_id}"): "correctChild",
    ("post", "/api/v1/schools/{brin}/school-year"): "startSchoolYear",
    ("post", "/api/v1/parents/{parent_id}/assessments/{assessment_id}/correction"): "correctAssessment",
    ("post", "/api/v1/programs/{program_id}/payouts/{payout_id}/reversal"): "reversePayout",
    ("post", "/api/v1/programs/{program_id}/closure"): "closeProgram",
    ("post", "/api/v1/programs/{program_id}/reopening"): "reopenProgram",
    ("get", "/api/v1/parents/{parent_id}/access-report"): "getAccessReport",
    ("get", "/api/v1/audit/reads"): "getReads",
    ("post", "/api/v1/programs/{program_id}/rules"): "changeProgramRules",
    ("get", "/api/v1/programs/{program_id}/rules"): "getProgramRules",
}


def test_every_operation_has_a_unique_operation_id_in_the_staffs_words(api) -> None:  # type: ignore[no-untyped-def]
    doc = api.client.get("/api/v1/openapi.json").json
    ids = {(method, path): op.get("operationId") for path, ops in doc["paths"].items()
           for method, op in ops.items() if method in ("get", "post", "put", "patch", "delete")}
    assert all(ids.values()), [k for k, v in ids.items() if not v]
    assert len(set(ids.values())) == len(ids)
    for operation, name in OPERATION_IDS.items():  # the names generated clients call: renaming one is a change
        assert ids.get(operation) == name, operation


def test_request_bodies_refuse_unknown_fields_and_commands_document_their_key(api) -> None:  # type: ignore[no-untyped-def]
    doc = api.client.get("/api/v1/openapi.json").json
    key = doc["components"]["parameters"]["IdempotencyKey"]
    assert key["in"] == "header" and {"pattern", "minLength", "maxLength"} <= set(key["schema"])
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method in ("post", "put", "patch") and "requestBody" in op:
                ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                assert doc["components"]["schemas"][ref].get("additionalProperties") is False, (method, path)
