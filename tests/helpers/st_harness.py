"""Run schemathesis (all phases, the stateful one included) in-process over the WSGI app, as one role.

Used by test_schemathesis.py (a quick run inside `make test`) and by `make attack` (longer).
Returns figures: cases tried, failures (check name, operation, message), per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.engine import events, from_schema

from tests.helpers.hashing import CHEAP
from betrokken.wsgi import open_app

SCHOOL = "12AB"
ROLES = {"admin": [], "staff": [SCHOOL], "auditor": [SCHOOL], "analyst": [SCHOOL]}
# What the API promises: no 5xx, only documented statuses, content types, headers and bodies.
# (schemathesis 4.32's use_after_free / ignored_auth pass `max_redirects` to werkzeug's WSGI
# client and error out in-process, so they are left to a run against `betrokken serve`.)
CHECKS = (
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_schema_conformance", "response_headers_conformance",
)


@dataclass
class Figures:
    role: str
    cases: int = 0
    scenarios: int = 0
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # the first failures' request bodies and messages


def seeded_app(data_dir: Path) -> tuple[Any, dict[str, str], dict[str, str]]:
    """The app on a fresh data dir with one token per role and a programme, parents, sessions."""
    app = open_app({"TESTING": True, "BETROKKEN_DATA_DIR": str(data_dir), "BETROKKEN_DATABASE_URL": "", **CHEAP})
    accounts = app.extensions["betrokken"].accounts
    tokens = {}
    for role, schools in ROLES.items():
        accounts.add_user(role, role, schools, f"{role}-password-123", actor="test")
        tokens[role] = accounts.issue_token(role, actor="test")
    client = app.test_client()
    h = {"Authorization": f"Bearer {tokens['staff']}"}

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = client.post(f"/api/v1{path}", json=body, headers=h)
        assert r.status_code == 201, (path, r.status_code, r.json)
        return r.json

    program = post("/programs", {"school": SCHOOL, "name": "PACT najaar", "kind": "pact", "starts_on": "2025-09-01",
                                 "rewards": {"per_session_cents": 500, "per_homework_cents": 250}})
    parents = [post("/parents", {"school": SCHOOL, "name": f"Ouder {i}", "children": [{"name": f"Kind {i}", "group": 3}]})
               for i in range(3)]
    for p in parents:
        post(f"/programs/{program['id']}/enrollments", {"parent_id": p["id"], "enrolled_on": "2025-09-01"})
    sessions = [post(f"/programs/{program['id']}/sessions", {"title": f"Bijeenkomst {i}",
                     "starts_at": f"2025-09-{8 + 7 * i:02d}T19:00:00+02:00", "homework": "Samen lezen"})
                for i in range(2)]
    r = client.put(f"/api/v1/sessions/{sessions[0]['id']}/attendance", headers=h,
                   json={"records": [{"parent_id": p["id"], "status": "present"} for p in parents]})
    assert r.status_code == 200, r.json
    ids = {"program_id": program["id"], "parent_id": parents[0]["id"], "session_id": sessions[1]["id"],
           "child_id": parents[0]["children"][0]["id"]}
    return app, tokens, ids


def run_role(app: Any, token: str, role: str, max_examples: int, seed: int | None = None,
             max_time: float | None = None) -> Figures:
    """One schemathesis run as `role`: examples, coverage, fuzzing and stateful phases."""
    config: dict[str, Any] = {
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": max_examples},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True},
                   "fuzzing": {"enabled": True}, "stateful": {"enabled": True}},
        "checks": {"enabled": False, **{c: {"enabled": True} for c in CHECKS}},
        "suppress-health-check": ["all"],
        "cache": {"enabled": False},
    }
    if seed is not None:
        config["seed"] = seed
    if max_time is not None:
        config["max-time"] = max_time
    cfg = schemathesis.Config.from_dict(config)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=cfg)
    figures = Figures(role)
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            figures.scenarios += 1
            figures.cases += len(event.recorder.cases)
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status.name == "FAILURE":
                        node = event.recorder.cases.get(case_id)
                        op = f"{node.value.method} {node.value.formatted_path}" if node else "?"
                        resp = event.recorder.interactions.get(case_id)
                        status = resp.response.status_code if resp and resp.response else None
                        failure = check.failure_info.failure if check.failure_info else None
                        figures.failures.append(f"{role}: {check.name} {op} -> {status}: {failure.title if failure else ''}")
                        if failure is not None and len(figures.details) < 20:
                            body = node.value.body if node else None
                            figures.details.append(f"{figures.failures[-1]}\n  body={body!r}\n  {failure.message[:1500]}")
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            figures.errors.append(f"{role}: {getattr(event, 'info', None) or getattr(event, 'exception', None)}")
    return figures
