"""Moving a store from SQLite to PostgreSQL: the events and the parents' keys go together."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from adapters.config import StoreConfig
from betrokken.system import open_service
from betrokken.cli.main import cli


def env_of(config: StoreConfig) -> dict[str, str]:
    return {"BETROKKEN_DATA_DIR": str(config.data_dir), "BETROKKEN_DATABASE_URL": config.database_url or ""}


def test_events_and_keys_move_from_sqlite_to_postgres_with_personal_data_readable(sqlite_store, postgres_store, tmp_path: Path):
    postgres_store = StoreConfig(data_dir=tmp_path / "pg-side", database_url=postgres_store.database_url)
    source = open_service(sqlite_store)
    kept = source.register_parent(school="12AB", name="Noor Bakker", phone="0611111111", children=[("Mila", 2)])
    gone = source.register_parent(school="12AB", name="Wordt Gewist", children=[("Kind", 5)])
    source.erase_parent(gone.id, reason="verzoek")
    source.close()

    runner = CliRunner()
    log, keys = tmp_path / "log.jsonl", tmp_path / "keys.jsonl"
    assert runner.invoke(cli, ["events", "export", "-o", str(log)], env=env_of(sqlite_store)).exit_code == 0
    assert runner.invoke(cli, ["keys", "export", "-o", str(keys)], env=env_of(sqlite_store)).exit_code == 0
    assert "Noor Bakker" not in log.read_text()  # the default export carries no personal data in clear
    moved_keys = {row["owner"]: row["wrapped"] for row in map(json.loads, keys.read_text().splitlines())}
    assert moved_keys[str(gone.id)] == "" and moved_keys[str(kept.id)]  # the erased parent has no key to move
    assert len(moved_keys) == 2  # only that the erased one's key was destroyed

    # Another master key cannot open the keys: refused, clearly.
    refused = runner.invoke(cli, ["keys", "import", str(keys)], env=env_of(postgres_store))
    assert refused.exit_code != 0 and "master key" in refused.output

    postgres_store.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(sqlite_store.data_dir / "master.key", postgres_store.data_dir / "master.key")
    imported = runner.invoke(cli, ["events", "import", str(log)], env=env_of(postgres_store))
    assert imported.exit_code == 0, imported.output
    assert runner.invoke(cli, ["keys", "import", str(keys)], env=env_of(postgres_store)).exit_code == 0

    target = open_service(postgres_store)
    try:
        moved = target.parent(kept.id)
        assert (moved.name, moved.phone) == ("Noor Bakker", "0611111111")
        assert [c.name for c in moved.children.values()] == ["Mila"]
        assert target.parent(gone.id).erased and target.parent(gone.id).name == "gewist"
    finally:
        target.close()
