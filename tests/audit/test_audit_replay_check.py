"""The replay check: the live projections equal a rebuild from zero, and a tampered row shows."""

from __future__ import annotations

from betrokken.replay_check import SCRATCH_PREFIX, replay_check
from projections import open_projections


def test_live_projections_equal_a_rebuild_from_zero(store, story):
    service = story.service
    live = open_projections(store, service)
    live.catch_up()
    # More events after the live views caught up: the check catches both up to the same place.
    service.take_roll_call(story.session_id, [(story.parent_id, "excused")])
    service.record_homework(story.session_id, [(story.parent_id, True)])
    live.close()
    report = replay_check(store, service)
    assert report.identical, report.diffs
    assert report.position == service.recorder.max_notification_id()
    assert report.rows > 0


def test_a_live_row_that_differs_is_reported(store, story):
    live = open_projections(store, story.service)
    live.catch_up()
    with live.db.exclusive() as tx:
        tx.execute("UPDATE attendance_parents SET attended = attended + 1 WHERE parent_id = ?", (str(story.parent_id),))
    live.close()
    report = replay_check(store, story.service)
    assert not report.identical
    [diff] = report.diffs
    assert diff.table == "attendance_parents"
    assert len(diff.only_live) == 1 and len(diff.only_rebuilt) == 1
    assert str(story.parent_id) in diff.only_live[0]


def test_the_scratch_store_is_removed_afterwards(store, story, tmp_path, monkeypatch):
    import tempfile

    scratch_parent = tmp_path / "tmp"
    scratch_parent.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch_parent))
    replay_check(store, story.service)
    assert list(scratch_parent.iterdir()) == []
    if store.is_postgres:
        import psycopg

        with psycopg.connect(store.database_url) as conn:
            left = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (SCRATCH_PREFIX + "%",)).fetchall()
        assert left == []


def test_the_cli_names_the_differing_column_and_the_last_event_behind_the_row(store, story, monkeypatch):
    from betrokken.replay_rows import canonical_id
    from tests.helpers.cli import run

    live = open_projections(store, story.service)
    live.catch_up()
    with live.db.exclusive() as tx:
        tx.execute("UPDATE attendance_parents SET attended = attended + 1 WHERE parent_id = ?", (str(story.parent_id),))
    live.close()
    # The row (programme, parent) follows from the programme's, the parent's and its sessions'
    # events: the last of them is the session's second roll call, not the other school's parent.
    behind = [r.position for r in story.service.recorder.iter_records()
              if canonical_id(r.originator_id) == str(story.session_id)][-1]
    result = run(store, monkeypatch, "audit", "replay-check")
    assert result.exit_code == 1
    live_line, rebuilt_line, event_line = result.stdout.splitlines()[1:4]
    assert live_line.startswith("  live    ") and rebuilt_line.startswith("  rebuilt ")
    assert f"parent_id={story.parent_id}" in live_line
    assert " *attended=" in live_line and " *attended=" in rebuilt_line
    assert " parent_id=" in rebuilt_line and " *parent_id=" not in rebuilt_line  # only what differs is marked
    assert f"last event behind it: position {behind} (Session.AttendanceRecorded of {story.session_id})" in event_line
