"""The retention sweep erases exactly the parents past retention who are in no running
programme (several programmes, kinds and dates), with a report; --dry-run changes nothing;
the CLI's reads of a parent's data are logged."""

from __future__ import annotations

from datetime import date
from uuid import UUID as pid_uuid

import pytest

from adapters.config import StoreConfig
from betrokken.system import open_service
from domain.retention import Involvement, add_months, kept_until, parse_months
from tests.helpers.cli import run


@pytest.fixture
def world(sqlite_store: StoreConfig) -> dict[str, str]:
    """Parents in programmes closed long ago, recently, still running; one never enrolled."""
    service = open_service(sqlite_store)
    try:
        def parent(name: str) -> str:
            return str(service.register_parent(school="12AB", name=name, children=[("Kind", 3)]).id)

        def programme(kind: str, parents: list[str], closed_on: date | None) -> None:
            p = service.create_program(school="12AB", name=kind, kind=kind, starts_on=date(2022, 9, 1))
            for pid in parents:
                service.enroll(p.id, parent_id=pid_uuid(pid), enrolled_on=date(2022, 9, 1))
            if closed_on is not None:
                service.corrections.close_program(p.id, reason="afgerond", on=closed_on)

        ids = {n: parent(n) for n in ("old_pact", "old_info", "recent_pact", "running", "old_and_running", "never")}
        programme("pact", [ids["old_pact"], ids["old_and_running"]], date(2023, 6, 30))  # + 24 months: 2025-06-30
        programme("info_meetings", [ids["old_info"]], date(2024, 10, 31))  # + 12 months: 2025-10-31
        programme("pact", [ids["recent_pact"]], date(2024, 10, 31))  # + 24 months: 2026-10-31
        programme("real", [ids["running"], ids["old_and_running"]], None)
        return ids
    finally:
        service.close()


def names_of(store: StoreConfig) -> dict[str, bool]:
    service = open_service(store)
    try:
        return {str(p.id): p.erased for p in service.parents()}
    finally:
        service.close()


def test_retention_ends_a_kind_s_months_after_the_last_programme_closed() -> None:
    months = {"pact": 24, "info_meetings": 12}
    assert kept_until([Involvement("pact", date(2023, 6, 30))], date(2022, 1, 1), months) == date(2025, 6, 30)
    assert kept_until([Involvement("pact", date(2023, 6, 30)), Involvement("real", None)], date(2022, 1, 1), months) is None
    assert kept_until([], date(2022, 1, 31), months) == date(2024, 1, 31)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert parse_months("pact=36, real=12") == {"pact": 36, "real": 12}
    with pytest.raises(ValueError):
        parse_months("toneel=3")


def test_the_sweep_erases_exactly_the_parents_past_retention_and_dry_run_changes_nothing(
    sqlite_store, world, monkeypatch
) -> None:
    before = (sqlite_store.data_dir / "events.sqlite").read_bytes()
    dry = run(sqlite_store, monkeypatch, "privacy", "sweep", "--dry-run", "--on", "2025-12-01")
    assert dry.exit_code == 0, dry.output
    assert (sqlite_store.data_dir / "events.sqlite").read_bytes() == before
    assert not any(names_of(sqlite_store).values())
    expected = {world["old_pact"], world["old_info"]}
    assert {line.split()[2].rstrip(":") for line in dry.stdout.splitlines() if line.startswith("would erase ") and "parent(s)" not in line} == expected
    assert "would erase 2 parent(s), kept 4" in dry.stdout and "dry run" in dry.stdout

    done = run(sqlite_store, monkeypatch, "privacy", "sweep", "--on", "2025-12-01")
    assert done.exit_code == 0, done.output
    assert f"erased {world['old_pact']}: retention ended 2025-06-30" in done.stdout
    erased = {pid for pid, gone in names_of(sqlite_store).items() if gone}
    assert erased == expected
    replay = run(sqlite_store, monkeypatch, "audit", "replay-check")
    assert replay.exit_code == 0, replay.output
    again = run(sqlite_store, monkeypatch, "privacy", "sweep", "--on", "2025-12-01")
    assert "erased 0 parent(s)" in again.stdout


def test_a_school_board_sets_its_own_retention(sqlite_store, world, monkeypatch) -> None:
    monkeypatch.setenv("BETROKKEN_RETENTION_MONTHS", "pact=6")
    done = run(sqlite_store, monkeypatch, "privacy", "sweep", "--dry-run", "--on", "2025-06-01")
    assert done.exit_code == 0, done.output
    assert world["recent_pact"] in done.stdout and world["old_pact"] in done.stdout
    monkeypatch.setenv("BETROKKEN_RETENTION_MONTHS", "pact=zes")
    bad = run(sqlite_store, monkeypatch, "privacy", "sweep", "--dry-run")
    assert bad.exit_code != 0 and "BETROKKEN_RETENTION_MONTHS" in bad.output


def test_reading_a_parent_s_history_on_the_command_line_is_logged(sqlite_store, world, monkeypatch) -> None:
    shown = run(sqlite_store, monkeypatch, "audit", "history", world["running"])
    assert shown.exit_code == 0, shown.output
    logged = run(sqlite_store, monkeypatch, "privacy", "reads", "--parent", world["running"])
    assert "betrokken audit history" in logged.stdout and "cli" in logged.stdout
    assert run(sqlite_store, monkeypatch, "privacy", "reads", "--verify").stdout.startswith("intact: 1 reads")


def test_the_server_s_daily_sweep_erases_the_parents_past_retention(sqlite_store, world) -> None:
    import threading

    from betrokken.sweeper import Sweeper

    service = open_service(sqlite_store)
    sweeper = Sweeper(service, None, {}, interval=3600, first_delay=0)
    try:
        sweeper.start()
        waiting = threading.Event()
        for _ in range(600):  # polls for the first sweep (no timing assertion)
            if sweeper.runs:
                break
            waiting.wait(0.1)
        assert sweeper.runs == 1
        erased = {str(p.id) for p in service.parents() if p.erased}
        assert {world["old_pact"], world["old_info"]} <= erased  # retention ended in 2025
        assert world["running"] not in erased and world["old_and_running"] not in erased and world["never"] not in erased
    finally:
        sweeper.stop()
        service.close()
