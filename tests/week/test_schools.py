"""The register of schools: admins add, everyone sees their own; the CLI adds too."""

from __future__ import annotations

import pytest

from adapters.config import StoreConfig
from tests.helpers.api_client import OTHER_SCHOOL, SCHOOL, Api
from tests.helpers.cli import run


def test_an_admin_registers_schools_and_each_user_sees_their_own(api: Api) -> None:
    r = api.post("/schools", {"brin": SCHOOL, "name": "De Regenboog", "region": "midden"}, user="admin")
    assert r.status_code == 201, r.json
    assert r.json == {"brin": SCHOOL, "name": "De Regenboog", "region": "midden"}
    assert api.post("/schools", {"brin": OTHER_SCHOOL, "name": "Het Anker", "region": "zuid"}, user="admin").status_code == 201
    assert [s["brin"] for s in api.get("/schools", user="admin").json] == [SCHOOL, OTHER_SCHOOL]
    assert api.get("/schools", user="staff").json == [{"brin": SCHOOL, "name": "De Regenboog", "region": "midden"}]
    assert [s["brin"] for s in api.get("/schools", user="other_staff").json] == [OTHER_SCHOOL]


def test_a_code_is_registered_once_and_bad_input_records_nothing(api: Api) -> None:
    body = {"brin": SCHOOL, "name": "De Regenboog", "region": "noord"}
    assert api.post("/schools", body, user="admin").status_code == 201
    before = api.last_position()
    again = api.post("/schools", {**body, "name": "Andere naam"}, user="admin")
    assert (again.status_code, again.json["error"]["code"]) == (409, "school_exists")
    assert api.post("/schools", {**body, "brin": "56EF", "region": "oost"}, user="admin").status_code == 422
    assert api.post("/schools", {**body, "brin": "school"}, user="admin").status_code == 422
    assert api.post("/schools", {"brin": "56EF", "name": "X", "region": "zuid"}, user="staff").status_code == 403
    assert api.last_position() == before


def test_the_cli_adds_a_school(sqlite_store: StoreConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    added = run(sqlite_store, monkeypatch, "schools", "add", "12AB", "--name", "De Regenboog", "--region", "zuid")
    assert added.exit_code == 0, added.output
    again = run(sqlite_store, monkeypatch, "schools", "add", "12AB", "--name", "Dubbel", "--region", "zuid")
    assert again.exit_code != 0 and "registered already" in again.output
    bad = run(sqlite_store, monkeypatch, "schools", "add", "12AB", "--name", "X", "--region", "oost")
    assert bad.exit_code != 0
    listed = run(sqlite_store, monkeypatch, "schools", "list")
    assert listed.output.splitlines() == ["12AB\tzuid\tDe Regenboog"]
