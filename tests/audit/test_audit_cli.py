"""The auditors' commands as a script sees them: output, --json and exit codes."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from betrokken.cli.main import cli


@pytest.fixture
def run(store, story, monkeypatch):
    monkeypatch.setenv("BETROKKEN_DATA_DIR", str(store.data_dir))
    if store.database_url:
        monkeypatch.setenv("BETROKKEN_DATABASE_URL", store.database_url)
    else:
        monkeypatch.delenv("BETROKKEN_DATABASE_URL", raising=False)
    return lambda *args: CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_digest_and_verify_of_an_intact_log(run, story):
    digest = run("audit", "digest")
    assert digest.exit_code == 0
    pos, _, hexdigest = digest.output.strip().partition(":")
    assert int(pos) == 7 and len(hexdigest) == 64
    assert run("audit", "verify").exit_code == 0
    assert run("audit", "verify", "--digest", digest.output.strip()).exit_code == 0
    wrong = run("audit", "verify", "--digest", f"{pos}:{'0' * 64}")
    assert wrong.exit_code == 1 and "first bad position: 7" in wrong.output


def test_verify_names_the_first_altered_position(run, raw):
    state = bytearray(raw.state(5))
    state[10] ^= 0x80
    raw.sql(f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?", bytes(state), 5)
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert "first bad position: 5" in result.output


def test_history_and_state_as_tables_and_json(run, story):
    table = run("audit", "history", str(story.session_id))
    assert table.exit_code == 0 and "Session.AttendanceRecorded" in table.output and "version" in table.output
    doc = json.loads(run("audit", "history", str(story.session_id), "--json").output)
    assert [e["version"] for e in doc["events"]] == [1, 2, 3]
    state = json.loads(run("audit", "state", str(story.session_id), "--version", "2", "--json").output)
    assert state["version"] == 2 and state["state"]["attendance"] == {str(story.parent_id): "absent"}
    as_of = json.loads(run("audit", "state", str(story.session_id), "--as-of", doc["events"][1]["timestamp"], "--json").output)
    assert as_of["version"] == 2
    missing = run("audit", "state", str(story.session_id), "--version", "9")
    assert missing.exit_code != 0 and "not found" in missing.output


def test_replay_check_passes_then_reports_a_tampered_row(run, store, story):
    ok = run("audit", "replay-check")
    assert ok.exit_code == 0, ok.output
    assert "identical" in ok.output
    if store.is_postgres:
        import psycopg

        with psycopg.connect(store.database_url) as conn:
            conn.execute("UPDATE projections.completion SET attended = attended + 5")
    else:
        with sqlite3.connect(store.data_dir / "projections.sqlite") as conn:
            conn.execute("UPDATE completion SET attended = attended + 5")
    bad = run("audit", "replay-check")
    assert bad.exit_code == 1
    assert "table completion" in bad.output and str(story.parent_id) in bad.output


def test_export_then_import_into_an_empty_store_only(run, story, tmp_path, monkeypatch):
    out = tmp_path / "log.jsonl"
    assert run("events", "export", "-o", str(out)).exit_code == 0
    assert len(out.read_text().splitlines()) == 7
    head = run("audit", "digest").output.strip()
    refused = run("events", "import", str(out))
    assert refused.exit_code != 0 and "empty store" in refused.output
    monkeypatch.setenv("BETROKKEN_DATA_DIR", str(tmp_path / "copy"))
    monkeypatch.delenv("BETROKKEN_DATABASE_URL", raising=False)
    imported = run("events", "import", str(out))
    assert imported.exit_code == 0, imported.output
    assert head in imported.output
    assert run("audit", "digest").output.strip() == head


def test_export_leaves_personal_data_out_unless_asked_and_then_says_so_every_time(run, tmp_path):
    safe, full, bare = tmp_path / "safe.jsonl", tmp_path / "full.jsonl", tmp_path / "bare.jsonl"
    default = run("events", "export", "-o", str(safe))
    assert default.exit_code == 0 and "personal data in clear" not in default.stderr
    assert "without personal data" in default.stderr
    assert "Fatima" not in safe.read_text() and "Yusuf" not in safe.read_text()
    for _ in range(2):
        asked = run("events", "export", "--with-personal-data", "-o", str(full))
        assert asked.exit_code == 0 and "contains personal data" in asked.stderr
    assert "Fatima" in full.read_text() and "Yusuf" in full.read_text()
    to_stdout = run("events", "export", "--with-personal-data")
    assert "contains personal data" in to_stdout.stderr and "contains personal data" not in to_stdout.stdout
    # Scripts that ask for no data at all still get that.
    assert run("events", "export", "--without-data", "-o", str(bare)).exit_code == 0
    assert all("data" not in json.loads(line) for line in bare.read_text().splitlines())
    both = run("events", "export", "--with-personal-data", "--without-data")
    assert both.exit_code == 2 and "contradict" in both.output
