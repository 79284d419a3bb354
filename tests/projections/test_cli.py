"""`betrokken projections status|rebuild` and `betrokken query` on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import random

import pytest
from click.testing import CliRunner

from betrokken.cli.main import cli
from tests.helpers.projection_world import World, random_commands


def invoke(world: World, *args: str):
    env = {"BETROKKEN_DATA_DIR": str(world.config.data_dir), "BETROKKEN_DATABASE_URL": world.config.database_url or ""}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def filled(world: World) -> World:
    random_commands(world, random.Random(8), 120)
    return world


def test_status_shows_positions_head_and_lag(filled: World) -> None:
    head = filled.service.recorder.max_notification_id()
    result = invoke(filled, "projections", "status", "--catch-up")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["view", "position", "head", "lag"]
    assert {tuple(line.split()) for line in lines[1:]} == {
        (view, str(head), str(head), "0") for view in ("facts", "attendance", "completion", "rewards")}


def test_rebuild_replays_from_zero_with_a_progress_bar(filled: World) -> None:
    before = filled.projections.rewards(filled.service.programs()[0].id)
    result = invoke(filled, "projections", "rebuild")
    assert result.exit_code == 0
    head = filled.service.recorder.max_notification_id()
    assert f"rebuilt {head} events" in result.output and "events/s" in result.output
    assert filled.projections.rewards(filled.service.programs()[0].id) == before


def test_query_answers_as_table_csv_and_json(filled: World) -> None:
    sql = "SELECT parent_id, earned_cents, eligible FROM rewards ORDER BY program_id, position"
    table = invoke(filled, "query", sql)
    assert table.exit_code == 0 and table.output.splitlines()[0].split() == ["parent_id", "earned_cents", "eligible"]
    rows = list(csv.DictReader(io.StringIO(invoke(filled, "query", sql, "--format", "csv").stdout)))
    objects = json.loads(invoke(filled, "query", sql, "--format", "json").stdout)
    expected = [r for p in filled.service.programs() for r in filled.projections.rewards(p.id)]
    assert [(r["parent_id"], int(r["earned_cents"])) for r in rows] == [(o["parent_id"], o["earned_cents"]) for o in objects]
    assert sorted((o["parent_id"], o["earned_cents"]) for o in objects) == sorted(
        (e["parent_id"], e["earned_cents"]) for e in expected)
    assert len(table.stdout.splitlines()) == len(expected) + 2


@pytest.mark.parametrize("sql", [
    "DELETE FROM rewards",
    "UPDATE rewards SET paid_cents = 0",
    "INSERT INTO payouts VALUES ('x', 'y', 'z', 1, 'cash', 1)",
    "DROP TABLE rewards",
    "CREATE TABLE evil (x INTEGER)",
])
def test_query_refuses_write_statements(filled: World, sql: str) -> None:
    before = filled.projections.rewards(filled.service.programs()[0].id)
    result = CliRunner().invoke(cli, ["query", sql], env={
        "BETROKKEN_DATA_DIR": str(filled.config.data_dir),
        "BETROKKEN_DATABASE_URL": filled.config.database_url or ""})
    assert result.exit_code != 0
    assert "read-only" in result.output
    assert filled.projections.rewards(filled.service.programs()[0].id) == before


def test_query_cannot_step_out_of_the_read_only_transaction(filled: World) -> None:
    result = CliRunner().invoke(cli, ["query", "COMMIT; DELETE FROM rewards"], env={
        "BETROKKEN_DATA_DIR": str(filled.config.data_dir),
        "BETROKKEN_DATABASE_URL": filled.config.database_url or ""})
    assert result.exit_code != 0
    assert filled.projections.db.query("SELECT COUNT(*) FROM rewards")[0][0] > 0
