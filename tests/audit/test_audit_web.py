"""GET /audit/aggregates/{id}/events and /state: auditors only, scoped, the one error shape."""

from __future__ import annotations

from typing import Iterator
from uuid import uuid4

import pytest

from tests.helpers.api_client import Api, open_api


@pytest.fixture
def api(store) -> Iterator[Api]:
    opened = open_api(store)
    yield opened
    opened.app.extensions["betrokken"].close()


@pytest.fixture
def corrected(api: Api) -> dict[str, str]:
    """A session at 12AB whose roll call was corrected once (absent, then present)."""
    parent, program = api.parent(), api.program()
    api.enroll(program["id"], parent["id"])
    session = api.session(program["id"])
    assert api.roll_call(session["id"], (parent["id"], "absent")).status_code == 200
    assert api.roll_call(session["id"], (parent["id"], "present")).status_code == 200
    return {"session": session["id"], "parent": parent["id"], "program": program["id"]}


def test_an_auditor_reads_every_fact_with_the_user_who_recorded_it(api, corrected):
    r = api.get(f"/audit/aggregates/{corrected['session']}/events", user="auditor")
    assert r.status_code == 200, r.json
    assert r.json["aggregate_id"] == corrected["session"]
    events = r.json["events"]
    assert [(e["version"], e["type"], e["actor"]) for e in events] == [
        (1, "Session.Scheduled", "staff"),
        (2, "Session.AttendanceRecorded", "staff"),
        (3, "Session.AttendanceRecorded", "staff"),
    ]
    assert events[1]["data"] == {"parent_id": corrected["parent"], "status": "absent"}
    assert set(events[0]) == {"version", "type", "timestamp", "actor", "data"}


def test_the_state_at_a_version_and_at_a_moment(api, corrected):
    path = f"/audit/aggregates/{corrected['session']}/state"
    v2 = api.get(path, user="auditor", query_string={"version": 2})
    assert v2.status_code == 200, v2.json
    assert v2.json["version"] == 2
    assert v2.json["state"]["attendance"] == {corrected["parent"]: "absent"}
    now = api.get(path, user="auditor")
    assert now.json["version"] == 3 and now.json["state"]["attendance"] == {corrected["parent"]: "present"}
    second = api.get(f"/audit/aggregates/{corrected['session']}/events", user="auditor").json["events"][1]["timestamp"]
    at = api.get(path, user="auditor", query_string={"as_of": second})
    assert at.status_code == 200 and at.json["version"] == 2
    before = api.get(path, user="auditor", query_string={"as_of": "2000-01-01T00:00:00+00:00"})
    assert before.status_code == 404 and before.json["error"]["code"] == "not_found"


def test_errors_take_the_one_shape(api, corrected):
    path = f"/audit/aggregates/{corrected['session']}"
    assert api.get(f"{path}/events", user=None).status_code == 401
    assert api.get(f"{path}/events", user="staff").status_code == 403
    assert api.get(f"{path}/events", user="analyst").status_code == 403
    assert api.get(f"/audit/aggregates/{uuid4()}/events", user="auditor").status_code == 404
    assert api.get(f"{path}/state", user="auditor", query_string={"version": 99}).status_code == 404
    both = api.get(f"{path}/state", user="auditor", query_string={"version": 1, "as_of": "2025-01-01T00:00:00+00:00"})
    assert both.status_code == 422 and "as_of" in both.json["error"]["fields"]
    assert api.get(f"{path}/state", user="auditor", query_string={"version": 0}).status_code == 422
    assert api.get(f"{path}/state", user="admin", query_string={"version": 1}).status_code == 200


def test_aggregates_of_other_schools_do_not_exist_for_the_auditor(api):
    elsewhere = api.parent(school="34CD", user="other_staff")
    program = api.program(school="34CD", user="other_staff")
    for ident in (elsewhere["id"], program["id"]):
        r = api.get(f"/audit/aggregates/{ident}/events", user="auditor")
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
        assert api.get(f"/audit/aggregates/{ident}/state", user="auditor").status_code == 404
    assert api.get(f"/audit/aggregates/{elsewhere['id']}/events", user="admin").status_code == 200


def test_the_endpoints_are_in_the_openapi_document(api):
    paths = api.client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/audit/aggregates/{aggregate_id}/events" in paths
    assert "/api/v1/audit/aggregates/{aggregate_id}/state" in paths
