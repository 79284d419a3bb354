"""A personal field whose key this store lacks (a log imported without `keys import`) reads
"onleesbaar", never "gewist": nothing was erased. In the API, the staff UI and exports."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.config import StoreConfig
from betrokken.cli.main import cli
from tests.helpers.api_client import open_api
from tests.privacy.test_erasure_api import staff_page

KEPT, GONE = "Noor Uniekbakker", "Wim Wordtgewist"


def run(config: StoreConfig, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.setenv("BETROKKEN_DATA_DIR", str(config.data_dir))
    monkeypatch.delenv("BETROKKEN_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def registrations(config: StoreConfig, monkeypatch: pytest.MonkeyPatch, out: Path, *flags: str) -> dict[str, Any]:
    """Each parent's registration line in an export of the store, by parent id."""
    run(config, monkeypatch, "events", "export", "-o", str(out), *flags)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {line["aggregate_id"]: line for line in lines if line["type"] == "Parent.Registered"}


def test_a_missing_key_reads_onleesbaar_and_an_erasure_gewist(sqlite_store, tmp_path, monkeypatch):
    source = open_api(sqlite_store)
    kept, gone = source.parent(name=KEPT)["id"], source.parent(name=GONE)["id"]
    assert source.post(f"/parents/{gone}/erasure", {"reason": "verzoek"}, user="admin").status_code == 200
    log = tmp_path / "log.jsonl"
    run(sqlite_store, monkeypatch, "events", "export", "-o", str(log))
    target_store = replace(sqlite_store, data_dir=tmp_path / "target")
    run(target_store, monkeypatch, "events", "import", str(log))  # the keys stay behind

    target = open_api(target_store)
    try:
        # The API: the erased parent's fields read "gewist"; the one whose key is missing, "onleesbaar".
        erased = source.get(f"/parents/{gone}").json
        assert (erased["name"], erased["erased"], erased["unreadable"]) == ("gewist", True, False)
        assert erased["children"][0]["name"] == "gewist"
        readable = source.get(f"/parents/{kept}").json
        assert (readable["name"], readable["erased"], readable["unreadable"]) == (KEPT, False, False)
        missing = target.get(f"/parents/{kept}").json
        assert (missing["name"], missing["erased"], missing["unreadable"]) == ("onleesbaar", False, True)
        assert missing["children"][0]["name"] == "onleesbaar"

        # The staff UI says which it is.
        erased_page, missing_page = staff_page(source, f"/parents/{gone}"), staff_page(target, f"/parents/{kept}")
        assert "Gegevens gewist" in erased_page and "onleesbaar" not in erased_page
        assert "Gegevens onleesbaar" in missing_page and "Gegevens gewist" not in missing_page
        assert "Gegevens onleesbaar" in staff_page(target, "/parents")
    finally:
        source.app.extensions["betrokken"].close()
        target.app.extensions["betrokken"].close()

    # Exports, with personal data and without: the words are no personal data, so they stay.
    for flags in ((), ("--with-personal-data",)):
        here = registrations(sqlite_store, monkeypatch, tmp_path / "here.jsonl", *flags)
        there = registrations(target_store, monkeypatch, tmp_path / "there.jsonl", *flags)
        assert here[gone]["data"]["name"] == "gewist" and "withheld" not in here[gone]
        assert there[kept]["data"]["name"] == "onleesbaar" and "withheld" not in there[kept]
        assert (here[kept]["data"].get("name") == KEPT) == bool(flags)
