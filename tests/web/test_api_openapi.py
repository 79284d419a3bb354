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
