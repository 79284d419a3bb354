"""The audit and export commands read a store; pointed at none they refuse (exit 2) and create
nothing: no file, no master.key, no table."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from betrokken.cli.main import cli

SOME_ID = "0b5c6a36-4f0e-4b9a-9f39-2d1f0c8e7a11"
COMMANDS = [
    ("audit", "verify"),
    ("audit", "digest"),
    ("audit", "history", SOME_ID),
    ("audit", "state", SOME_ID),
    ("audit", "replay-check"),
    ("events", "export"),
    ("privacy", "sweep"),
    ("privacy", "sweep", "--dry-run"),
    ("privacy", "reads"),
]


def run(data_dir: Path, *args: str, database_url: str = ""):
    env = {"BETROKKEN_DATA_DIR": str(data_dir), "BETROKKEN_DATABASE_URL": database_url, "BETROKKEN_MASTER_KEY": ""}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def refused(result) -> bool:
    return result.exit_code == 2 and "no event store" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_missing_data_directory_is_refused_and_not_created(tmp_path, args):
    missing = tmp_path / "missing"
    assert refused(run(missing, *args))
    assert not missing.exists()


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_an_empty_data_directory_is_refused_and_stays_empty(tmp_path, args):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert refused(run(empty, *args))
    assert list(empty.iterdir()) == []


@pytest.mark.postgres
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_postgresql_database_without_events_is_refused_and_left_empty(postgres_store, args):
    import psycopg

    assert refused(run(postgres_store.data_dir, *args, database_url=postgres_store.database_url or ""))
    assert not postgres_store.data_dir.exists()
    with psycopg.connect(postgres_store.database_url) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
        assert tables.fetchall() == []


def test_an_existing_store_is_still_read_and_import_still_fills_a_new_one(sqlite_store, tmp_path):
    from betrokken.system import open_service

    service = open_service(sqlite_store)
    service.register_parent(school="12AB", name="Noor", children=[("Sem", 5)])
    service.close()
    assert run(sqlite_store.data_dir, "audit", "verify").exit_code == 0
    export = tmp_path / "log.jsonl"
    assert run(sqlite_store.data_dir, "events", "export", "-o", str(export)).exit_code == 0
    fresh = tmp_path / "fresh"
    assert run(fresh, "events", "import", str(export)).exit_code == 0
    assert run(fresh, "audit", "verify").exit_code == 0
