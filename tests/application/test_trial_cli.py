"""`betrokken evaluate`, `betrokken trial lock` and `betrokken trial verify` on a store with a trial."""

from __future__ import annotations

import csv
import io
import json
from uuid import UUID

import pytest

from adapters.config import StoreConfig
from betrokken.system import open_service
from tests.application.test_trial import SEED, run_trial
from tests.helpers.cli import run


def trial_in(store: StoreConfig, n: int) -> UUID:
    """A trial with n allocated parents, in the store; the service closed again."""
    service = open_service(store)
    try:
        return run_trial(service, n=n)[0]
    finally:
        service.close()


def test_lock_reveals_the_seed_and_verify_re_derives_every_arm(sqlite_store: StoreConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    program_id = trial_in(sqlite_store, 9)
    not_yet = run(sqlite_store, monkeypatch, "trial", "verify", str(program_id))
    assert not_yet.exit_code != 0 and "not locked" in not_yet.output
    wrong = run(sqlite_store, monkeypatch, "trial", "lock", str(program_id), "--seed", "niet-het-zaad")
    assert wrong.exit_code != 0 and "not the seed" in wrong.output
    locked = run(sqlite_store, monkeypatch, "trial", "lock", str(program_id))
    assert locked.exit_code == 0 and SEED in locked.output
    verified = run(sqlite_store, monkeypatch, "trial", "verify", str(program_id))
    assert verified.exit_code == 0 and verified.output.startswith("9 assignments re-derived")


def test_evaluate_prints_the_report_as_table_json_and_csv(sqlite_store: StoreConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    program_id = trial_in(sqlite_store, 6)
    as_json = json.loads(run(sqlite_store, monkeypatch, "evaluate", str(program_id), "--format", "json").output)
    attrition = {a["arm"]: a["allocated"] for a in as_json["attrition"]}
    assert as_json["program_id"] == str(program_id) and set(attrition) == {"cash", "fund", "control"}
    assert sum(attrition.values()) == 6
    table = run(sqlite_store, monkeypatch, "evaluate", str(program_id)).output
    assert table.startswith("instrument") and f"arm cash: {attrition['cash']} allocated" in table
    rows = list(csv.DictReader(io.StringIO(run(sqlite_store, monkeypatch, "evaluate", str(program_id), "--format", "csv").output)))
    assert rows == []  # no outcome measures recorded: nothing to compare
    missing = run(sqlite_store, monkeypatch, "evaluate", "00000000-0000-0000-0000-000000000000")
    assert missing.exit_code != 0 and "no programme" in missing.output
