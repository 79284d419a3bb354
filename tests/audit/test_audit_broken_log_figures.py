"""No figure from a broken log: the projections' catch-up checks every event's seal as it reads
it, and stops before the first one that no longer matches, on SQLite and on PostgreSQL."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner

from adapters.verification import BrokenLogError, PageCheck
from betrokken.cli.main import cli
from betrokken.system import open_service
from projections import open_projections
from tests.helpers.api_client import open_api
from tests.ui.conftest import login

# The story's roll calls: position 5 marks the parent absent, position 6 corrects it to present.
CORRECTED = 6


def rewrite(raw, position: int, old: bytes, new: bytes) -> None:
    """Edit a stored event's bytes in place (same length: the JSON stays valid)."""
    state = raw.state(position)
    assert old in state and len(old) == len(new)
    raw.sql(f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?", state.replace(old, new), position)


def statuses(projections, program_id) -> list[tuple[int, int, int]]:
    """(present, absent, excused) of each session, as the projections answer them."""
    return [(s["present"], s["absent"], s["excused"]) for s in projections.attendance(program_id)["sessions"]]


@pytest.fixture
def run(store, monkeypatch):
    monkeypatch.setenv("BETROKKEN_DATA_DIR", str(store.data_dir))
    monkeypatch.setenv("BETROKKEN_DATABASE_URL", store.database_url or "")
    return lambda *args: CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_rebuild_over_a_tampered_event_exits_non_zero_naming_it_and_publishes_nothing_from_it(run, store, story, raw):
    assert run("projections", "rebuild").exit_code == 0
    rewrite(raw, CORRECTED, b'"present"', b'"excused"')
    result = run("projections", "rebuild")
    assert result.exit_code == 1
    assert "broken at position 6" in result.stderr and "up to position 5" in result.stderr
    projections = open_projections(store, story.service)
    try:
        assert {row["position"] for row in projections.status()} == {5}
        # The figures as of position 5 (absent), never the tampered "excused" nor the sealed "present".
        assert statuses(projections, story.program_id) == [(0, 1, 0)]
        assert projections.broken is not None and projections.broken.position == CORRECTED
    finally:
        projections.close()


def test_a_flipped_byte_stops_the_rebuild_at_its_position(run, story, raw):
    state = bytearray(raw.state(3))
    state[len(state) // 2] ^= 0x01
    raw.sql(f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?", bytes(state), 3)
    result = run("projections", "rebuild")
    assert result.exit_code == 1 and "broken at position 3" in result.stderr


def test_replay_check_fails_over_a_tampered_log(run, story, raw):
    assert run("audit", "replay-check").exit_code == 0
    rewrite(raw, CORRECTED, b'"present"', b'"excused"')
    result = run("audit", "replay-check")
    assert result.exit_code == 1
    assert "identical" not in result.output and "broken at position 6" in result.stderr


def test_the_catch_up_names_a_deleted_and_an_inserted_event(story, service, raw):
    check = PageCheck(service.recorder)
    notes = service.recorder.select_notifications(start=2, limit=10, inclusive_of_start=False)
    assert check.sealed(2, notes) == (len(notes), None)
    raw.sql(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", 4)
    notes = service.recorder.select_notifications(start=2, limit=10, inclusive_of_start=False)
    good, broken = check.sealed(2, notes)
    assert (good, broken.position, broken.reason) == (1, 4, "an event sealed here is missing (deleted or moved)")
    raw.sql(f"DELETE FROM {raw.seals} WHERE position > ?", 2)
    good, broken = check.sealed(2, notes)
    assert (good, broken.position) == (0, 3)


def test_a_live_app_answers_the_last_good_figures_and_reports_the_break(store, story, raw, caplog):
    api = open_api(store)
    try:
        path = f"/programs/{story.program_id}/attendance"
        sessions = api.get(path, user="admin").json["sessions"]
        assert [(s["present"], s["absent"]) for s in sessions] == [(1, 0)]
        # Written by another process (this app's background catch-up is not woken), then tampered:
        # absent, then corrected to present, and that correction edited into "excused".
        other = open_service(store)
        other.take_roll_call(story.session_id, [(story.parent_id, "absent")])
        other.take_roll_call(story.session_id, [(story.parent_id, "present")])
        position = other.recorder.max_notification_id()
        other.close()
        rewrite(raw, position, b'"present"', b'"excused"')
        with caplog.at_level(logging.ERROR, logger="betrokken.projections"):
            answer = api.get(path, user="admin")
        assert answer.status_code == 200
        # As of the last good position: absent (not the tampered "excused").
        assert [(s["present"], s["absent"], s["excused"]) for s in answer.json["sessions"]] == [(0, 1, 0)]
        assert f"broken at position {position}" in caplog.text
        client = api.app.test_client()
        assert login(client, "auditor", "auditor-password").status_code == 302
        page = client.get("/audit/verify").get_data(as_text=True)
        assert 'id="projections-halted"' in page and f"positie {position - 1}" in page
        assert f'<strong id="first-bad-position">{position}</strong>' in page
    finally:
        api.app.extensions["betrokken"].close()


def test_a_repaired_log_lets_the_catch_up_go_on(store, story, raw):
    original = raw.state(CORRECTED)
    rewrite(raw, CORRECTED, b'"present"', b'"excused"')
    projections = open_projections(store, story.service)
    try:
        assert statuses(projections, story.program_id) == [(0, 1, 0)]
        assert isinstance(projections.broken, BrokenLogError)
        raw.sql(f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?", original, CORRECTED)
        assert statuses(projections, story.program_id) == [(1, 0, 0)]
        assert projections.broken is None
    finally:
        projections.close()
