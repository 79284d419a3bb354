"""The authorisation matrix (authz_matrix.csv): every route of the API and the staff UI, for every
role, on the user's own school and on another, answers as the file says; denials are logged."""

from __future__ import annotations

import logging
from typing import Iterator

import pytest
from flask import Flask

from tests.helpers.authz import ROLES, Cell, World, app_routes, has_target, load_matrix, run_cell, seed
from tests.helpers.hashing import CHEAP
from betrokken.wsgi import open_app

SUCCESSES = {"ok", "redirect"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One seeded app for the whole matrix (the cells that change things make fresh objects)."""
    data = tmp_path_factory.mktemp("authz") / "data"
    app: Flask = open_app({"BETROKKEN_DATA_DIR": str(data), "TESTING": True, **CHEAP})
    yield seed(app)
    app.extensions["betrokken"].close()


def test_the_matrix_lists_every_route_and_nothing_else(world: World) -> None:
    listed = {(c.method, c.rule) for c in load_matrix()}
    routes = app_routes(world.app)
    assert not routes - listed, f"routes missing from authz_matrix.csv: {sorted(routes - listed)}"
    assert not listed - routes, f"rows for routes that no longer exist: {sorted(listed - routes)}"


def test_a_route_naming_a_school_s_records_is_tried_on_the_own_and_another_school() -> None:
    scopes: dict[tuple[str, str], set[str]] = {}
    for c in load_matrix():
        scopes.setdefault((c.method, c.rule), set()).add(c.scope)
        assert set(c.expected) == set(ROLES) and all(c.expected.values()), c
    for (method, rule), found in scopes.items():
        if has_target(rule):
            assert found == {"own", "other"}, (method, rule, found)


def test_every_cell_answers_as_the_matrix_says(world: World) -> None:
    cells: list[tuple[Cell, str]] = [(c, role) for c in load_matrix() for role in ROLES]
    unexpected_successes, mismatches = [], []
    for cell, role in cells:
        got = run_cell(world, cell, role)
        want = cell.expected[role]
        if got != want:
            line = f"{cell.method} {cell.rule} [{cell.scope}] as {role}: expected {want}, got {got}"
            (unexpected_successes if got in SUCCESSES and want not in SUCCESSES else mismatches).append(line)
    print(f"\nauthorisation matrix: {len(cells)} cells, {len(unexpected_successes)} unexpected successes, "
          f"{len(mismatches)} other mismatches")
    assert not unexpected_successes, "\n".join(unexpected_successes)
    assert not mismatches, "\n".join(mismatches)


def test_a_role_outside_its_rights_is_refused_somewhere_in_every_command() -> None:
    # a guard on the file itself: no command row lets an analyst, an auditor or anonymous succeed
    for c in load_matrix():
        if c.method in ("POST", "PUT") and c.rule not in ("/login", "/logout", "/language"):
            for role in ("analyst", "auditor", "anonymous"):
                assert c.expected[role] not in SUCCESSES, (c.method, c.rule, role)


def test_denials_are_logged_with_user_route_and_outcome(world: World, caplog: pytest.LogCaptureFixture) -> None:
    own = world.schools["own"]
    other = world.schools["other"]
    caplog.set_level(logging.INFO, logger="betrokken.security")
    client = world.app.test_client()
    assert client.get("/api/v1/audit/log", headers={"Authorization": f"Bearer {world.tokens['staff']}"}).status_code == 403
    assert client.get(f"/api/v1/parents/{other.parent}", headers={"Authorization": f"Bearer {world.tokens['staff']}"}).status_code == 404
    assert client.get(f"/api/v1/parents/{own.parent}").status_code == 401
    assert world.ui["analyst"].get(f"/parents/{own.parent}").status_code == 403
    records = [r for r in caplog.records if r.name == "betrokken.security"]
    seen = {(r.user, r.route, r.outcome) for r in records}  # type: ignore[attr-defined]
    assert ("m_staff", "/api/v1/audit/log", "403") in seen
    assert ("m_staff", "/api/v1/parents/<uuid:parent_id>", "404") in seen
    assert ("anonymous", "/api/v1/parents/<uuid:parent_id>", "401") in seen
    assert ("m_analyst", "/parents/<uuid:parent_id>", "403") in seen
    assert all(r.levelno == logging.WARNING for r in records)
    # and a success is not logged as a denial
    caplog.clear()
    assert client.get(f"/api/v1/parents/{own.parent}", headers={"Authorization": f"Bearer {world.tokens['staff']}"}).status_code == 200
    assert not [r for r in caplog.records if r.name == "betrokken.security"]




def test_the_matrix_catches_a_role_given_more_than_it_may(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # negative control: hand analysts the parents' records in the UI, and the matrix must notice
    from web.staff import access

    monkeypatch.setitem(access.PERMISSIONS, "records", access.PERMISSIONS["records"] | {"analyst"})
    cells = [c for c in load_matrix() if c.rule == "/parents/<uuid:parent_id>" and c.scope == "own"]
    assert cells and all(run_cell(world, c, "analyst") == "ok" != c.expected["analyst"] for c in cells)
