"""The test client for the JSON API: one user per role, requests signed with their tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from adapters.config import StoreConfig
from tests.helpers.hashing import CHEAP
from betrokken.wsgi import open_app

SCHOOL, OTHER_SCHOOL = "12AB", "34CD"
USERS = {
    "admin": ("admin", []),
    "staff": ("staff", [SCHOOL]),
    "other_staff": ("staff", [OTHER_SCHOOL]),
    "auditor": ("auditor", [SCHOOL]),
    "analyst": ("analyst", [SCHOOL]),
}


@dataclass
class Api:
    """The test client, signing each request with the named user's token."""

    app: Flask
    client: FlaskClient
    tokens: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, user: str | None = "staff", **kw: Any) -> TestResponse:
        headers = dict(kw.pop("headers", {}))
        if user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kw)

    def get(self, path: str, user: str | None = "staff", **kw: Any) -> TestResponse:
        return self.call("GET", path, user, **kw)

    def post(self, path: str, json: Any = None, user: str | None = "staff", **kw: Any) -> TestResponse:
        return self.call("POST", path, user, json=json, **kw)

    def put(self, path: str, json: Any = None, user: str | None = "staff", **kw: Any) -> TestResponse:
        return self.call("PUT", path, user, json=json, **kw)

    @property
    def service(self):  # type: ignore[no-untyped-def]
        return self.app.extensions["betrokken"].service

    def last_position(self) -> int:
        """The position of the newest stored event (0 when none)."""
        return self.service.recorder.max_notification_id() or 0

    # -- building blocks for tests --------------------------------------------------------

    def parent(self, school: str = SCHOOL, user: str = "staff", name: str = "Fatima Yilmaz") -> dict[str, Any]:
        r = self.post("/parents", {"school": school, "name": name, "children": [{"name": "Sara", "group": 4}]}, user)
        assert r.status_code == 201, r.json
        return r.json

    def program(self, school: str = SCHOOL, user: str = "staff", **extra: Any) -> dict[str, Any]:
        body = {"school": school, "name": "PACT najaar", "kind": "pact", "starts_on": "2025-09-01", **extra}
        r = self.post("/programs", body, user)
        assert r.status_code == 201, r.json
        return r.json

    def enroll(self, program_id: str, parent_id: str, on: str = "2025-09-01", user: str = "staff") -> None:
        r = self.post(f"/programs/{program_id}/enrollments", {"parent_id": parent_id, "enrolled_on": on}, user)
        assert r.status_code == 201, r.json

    def session(self, program_id: str, starts_at: str = "2025-09-08T19:00:00+02:00", **extra: Any) -> dict[str, Any]:
        body = {"title": "Samen lezen", "starts_at": starts_at, "homework": "Lees elke dag 20 minuten", **extra}
        r = self.post(f"/programs/{program_id}/sessions", body)
        assert r.status_code == 201, r.json
        return r.json

    def roll_call(self, session_id: str, *records: tuple[str, str], user: str = "staff") -> TestResponse:
        body = {"records": [{"parent_id": p, "status": s} for p, s in records]}
        return self.put(f"/sessions/{session_id}/attendance", body, user)


def open_api(config: StoreConfig) -> Api:
    app = open_app({
        "TESTING": True,
        **CHEAP,
        "BETROKKEN_DATA_DIR": str(config.data_dir),
        "BETROKKEN_DATABASE_URL": config.database_url or "",
    })
    accounts = app.extensions["betrokken"].accounts
    api = Api(app=app, client=app.test_client())
    for name, (role, schools) in USERS.items():
        accounts.add_user(name, role, schools, f"{name}-password", actor="test")
        api.tokens[name] = accounts.issue_token(name, actor="test")
    return api


@dataclass
class Programme:
    """A programme at SCHOOL with one enrolled parent and one session with homework."""

    program_id: str
    parent_id: str
    child_id: str
    session_id: str


