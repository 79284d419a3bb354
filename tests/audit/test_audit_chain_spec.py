"""docs/audit-chain.md is the chain's specification: its reference verifier, run exactly as
printed there, prints what `betrokken audit digest` prints for real stores and their exports on
SQLite and PostgreSQL, and its test vector is what the sealing code computes."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result

from adapters.config import StoreConfig
from adapters.sealing import GENESIS, canonical_bytes, links_after, next_link
from application.export import read_records
from betrokken.demo import DemoBuilder
from betrokken.system import open_service
from tests.audit.conftest import RawStore
from tests.helpers.cli import run
from tests.helpers.processes import Processes

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit-chain.md"


def fenced(language: str) -> list[str]:
    """The bodies of the document's ```LANGUAGE blocks, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


def vector() -> dict[str, str]:
    """The test vector's `record N = HEX ...` and `link N = HEX` lines, spaces taken out."""
    (text,) = fenced("text")
    pairs = (line.split("=") for line in text.splitlines() if line.strip())
    return {name.strip(): value.replace(" ", "") for name, value in pairs}


Run = Callable[[Path], subprocess.CompletedProcess[str]]


@pytest.fixture
def verifier(tmp_path: Path, processes: Processes) -> Run:
    """The document's one Python block, saved as a script and run with the standard library only."""
    (code,) = fenced("python")
    assert len(code.splitlines()) <= 45, "the reference verifier is meant to stay about 40 lines"
    script = tmp_path / "verify_chain.py"
    script.write_text(code, encoding="utf-8")

    def verify(source: Path) -> subprocess.CompletedProcess[str]:
        # -I -S: no PYTHONPATH, no site-packages, so nothing of ours (or anyone's) can be imported.
        argv = [sys.executable, "-I", "-S", str(script), str(source)]
        proc = processes.start(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate(timeout=120)
        return subprocess.CompletedProcess(argv, proc.returncode, out, err)

    return verify


def betrokken(config: StoreConfig, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    """A `betrokken` command on the store that must succeed."""
    result = run(config, monkeypatch, *args)
    assert result.exit_code == 0, result.output
    return result


def with_demo_data(config: StoreConfig) -> StoreConfig:
    """The store filled with the demo data set through the programme service."""
    service = open_service(config)
    try:
        DemoBuilder(service).build()
    finally:
        service.close()
    return config


def test_the_verifier_prints_audit_digest_for_a_sqlite_data_directory(sqlite_store, verifier, monkeypatch):
    config = with_demo_data(sqlite_store)
    digest = betrokken(config, monkeypatch, "audit", "digest").stdout
    result = verifier(config.data_dir)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == digest and digest.startswith("1477:")


def test_the_verifier_prints_audit_digest_for_an_export(store, verifier, monkeypatch, tmp_path):
    config = with_demo_data(store)
    exported = tmp_path / "events.jsonl"
    betrokken(config, monkeypatch, "events", "export", "-o", str(exported))
    result = verifier(exported)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == betrokken(config, monkeypatch, "audit", "digest").stdout


def test_the_test_vector_is_what_the_sealing_code_computes():
    expected = vector()
    (export_file,) = fenced("jsonl")
    link = GENESIS
    for n, (record, seal) in enumerate(read_records(io.StringIO(export_file)), start=1):
        # The table people read shows the same inputs as the file the verifier reads.
        row = f"| event {n} | {record.position} | `{record.originator_id}` | {record.originator_version} | `{record.topic}` | `{record.state.decode()}` |"
        assert row in DOC.read_text(encoding="utf-8")
        assert canonical_bytes(record).hex() == expected[f"record {n}"]
        link = next_link(link, record)
        assert link.hex() == expected[f"link {n}"] == (seal or b"").hex()
    assert n == 2


def test_the_verifier_reproduces_the_test_vector(verifier, tmp_path):
    (export_file,) = fenced("jsonl")
    path = tmp_path / "vector.jsonl"
    path.write_text(export_file, encoding="utf-8")
    result = verifier(path)
    assert (result.returncode, result.stdout) == (0, f"2:{vector()['link 2']}\n")


def flip_a_bit(raw: RawStore, position: int) -> None:
    """Change one bit of a stored state, as someone with the database file could."""
    state = bytearray(raw.state(position))
    state[10] ^= 0x80
    raw.sql(f"UPDATE {raw.events} SET state = ? WHERE rowid = ?", bytes(state), position)


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "tamper, position",
    [
        (lambda raw: flip_a_bit(raw, 5), 5),
        (lambda raw: raw.sql(f"DELETE FROM {raw.events} WHERE rowid = 3"), 3),
        (lambda raw: raw.sql(f"DELETE FROM {raw.seals} WHERE position = 6"), 6),
    ],
    ids=["edited", "deleted", "unsealed"],
)
def test_the_verifier_names_the_first_altered_position_as_audit_verify_does(store, story, raw, verifier, monkeypatch, tamper, position):
    tamper(raw)
    result = verifier(store.data_dir)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(f"ALTERED at position {position}:")
    verdict = run(store, monkeypatch, "audit", "verify")
    assert verdict.exit_code == 1 and f"first bad position: {position}" in verdict.output


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_a_state_rewritten_as_sqlite_text_is_hashed_as_its_utf8_bytes(store, story, raw, verifier, monkeypatch):
    raw.sql(f"UPDATE {raw.events} SET state = CAST(state AS TEXT) WHERE rowid = 4")
    assert raw.sql(f"SELECT typeof(state) FROM {raw.events} WHERE rowid = 4") == [("text",)]
    result = verifier(store.data_dir)
    assert (result.returncode, result.stdout) == (0, betrokken(store, monkeypatch, "audit", "digest").stdout)


def test_the_catch_ups_fast_links_are_the_specified_links(store):
    """A catch-up hashes pages with `links_after`; its links are the spec's, on either back end."""
    with_demo_data(store)
    service = open_service(store)
    try:
        notes = service.recorder.select_notifications(start=1, limit=300)
        records = service.recorder.select_records(0, 300)
    finally:
        service.close()
    expected, link = [], GENESIS
    for record in records:
        link = next_link(link, record)
        expected.append(link)
    assert len(expected) == 300
    assert links_after(GENESIS, notes) == expected
