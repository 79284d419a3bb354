"""Every event counts exactly once: repeated catch-ups, a rewound position, a crash between the
row writes and the commit, a catch-up process killed with SIGKILL mid-batch, and two catch-ups
(threads and processes) at once. Each ends equal to a rebuild from zero and to the oracle."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from adapters.config import StoreConfig
from projections import open_projections
from tests.helpers.processes import Processes, kill
from tests.helpers.projection_world import World, assert_matches_oracle, dump, random_commands

WORKER = "tests.helpers.catch_up_worker"
ROOT = Path(__file__).resolve().parents[2]


def rebuilt_elsewhere(w: World) -> dict:
    """The tables as a rebuild from zero builds them, in a scratch store."""
    scratch = open_projections(w.config, w.service, namespace="scratch")
    try:
        scratch.rebuild()
        return dump(scratch)
    finally:
        scratch.close()


def test_catching_up_again_changes_nothing(world: World) -> None:
    random_commands(world, random.Random(1), 150)
    world.projections.catch_up()
    before = dump(world.projections)
    world.projections.catch_up()
    world.projections.catch_up()
    assert dump(world.projections) == before


def test_rebuild_from_zero_equals_the_incrementally_built_tables(world: World) -> None:
    rng = random.Random(2)
    for _ in range(6):  # incremental: read between bursts of commands
        random_commands(world, rng, 40)
        assert_matches_oracle(world)
    incremental = dump(world.projections)
    stats = world.projections.rebuild()
    assert stats.events == world.service.recorder.max_notification_id()
    assert dump(world.projections) == incremental
    assert rebuilt_elsewhere(world) == incremental


def test_reprocessing_from_a_rewound_position_gives_the_same_tables(world: World) -> None:
    random_commands(world, random.Random(3), 200)
    world.projections.catch_up()
    before = dump(world.projections)
    with world.projections.db.exclusive() as tx:
        tx.execute("UPDATE projection_positions SET position = ?", (world.projections.head() // 3,))
    world.projections.catch_up()
    assert dump(world.projections) == before


def test_a_crash_between_the_row_writes_and_the_commit_leaves_nothing_behind(world: World) -> None:
    random_commands(world, random.Random(4), 200)
    crashy = open_projections(world.config, world.service, namespace="crashy", page_size=17)
    pages = 0

    def crash_on_the_fifth_page() -> None:
        nonlocal pages
        pages += 1
        if pages == 5:
            raise RuntimeError("power cut")

    try:
        crashy.runner.before_commit = crash_on_the_fifth_page
        with pytest.raises(RuntimeError):
            crashy.catch_up()
        position = min(v["position"] for v in crashy.status())
        # Four pages committed, the fifth rolled back as a whole: rows and position alike.
        assert position == world.service.recorder.select_notifications(start=1, limit=4 * 17)[-1].id
        scheduled = sum(1 for n in world.service.recorder.select_notifications(start=1, limit=position)
                        if n.topic.endswith("Session.Scheduled"))
        assert crashy.db.query("SELECT COUNT(*) FROM sessions") == [(scheduled,)]
        crashy.runner.before_commit = None
        crashy.catch_up()
        world.projections.catch_up()
        assert dump(crashy) == dump(world.projections) == rebuilt_elsewhere(world)
    finally:
        crashy.close()
    assert_matches_oracle(world)


def detach(w: World) -> None:
    """Close this process's projections: payouts check the aggregates meanwhile."""
    w.projections.close()
    w.service.earned_cents = w.service._earned_from_aggregates


def start_worker(processes: Processes, config: StoreConfig, page_size: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = processes.start(
        [sys.executable, "-m", WORKER, str(config.data_dir), config.database_url or "", str(page_size)],
        stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_a_catch_up_killed_mid_batch_resumes_without_double_counting(world: World, processes: Processes) -> None:
    detach(world)  # only the worker processes catch up while events are written
    rng = random.Random(5)
    random_commands(world, rng, 100)
    kills = 0
    worker = start_worker(processes, world.config, page_size=7)
    for _ in range(12):
        random_commands(world, rng, 40)
        time.sleep(rng.uniform(0.05, 0.3))
        kill(worker)
        kills += 1
        worker = start_worker(processes, world.config, page_size=7)
    processes.stop_all()
    assert kills == 12
    live = open_projections(world.config, world.service)
    try:
        live.catch_up()
        world.projections = live
        assert dump(live) == rebuilt_elsewhere(world)
        assert assert_matches_oracle(world) > 0
    finally:
        live.close()


def test_two_catch_up_processes_at_once_never_double_count(world: World, processes: Processes) -> None:
    detach(world)
    rng = random.Random(6)
    for _ in range(2):
        start_worker(processes, world.config, page_size=5)
    random_commands(world, rng, 400)
    head = world.service.recorder.max_notification_id()
    live = open_projections(world.config, world.service)
    deadline = time.monotonic() + 60
    while min(v["position"] for v in live.status()) < head and time.monotonic() < deadline:
        time.sleep(0.05)
    processes.stop_all()
    try:
        assert min(v["position"] for v in live.status()) == head  # the workers did it all
        world.projections = live
        assert dump(live) == rebuilt_elsewhere(world)
        assert_matches_oracle(world)
    finally:
        live.close()


def test_two_catch_up_threads_at_once_never_double_count(world: World) -> None:
    random_commands(world, random.Random(7), 300)
    others = [open_projections(world.config, world.service, page_size=3) for _ in range(3)]
    try:
        threads = [threading.Thread(target=p.catch_up) for p in others + [world.projections] * 2]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert dump(world.projections) == rebuilt_elsewhere(world)
        assert_matches_oracle(world)
    finally:
        for p in others:
            p.close()


def test_dirty_programmes_are_recomputed_before_a_read_also_after_a_crash_in_the_recompute(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import projections.catch_up as catch_up

    random_commands(world, random.Random(9), 200)
    stopped = open_projections(world.config, world.service, namespace="stopped", page_size=10)
    try:
        for _ in range(5):  # full pages mid-run: facts, dirty marks and position; figures not yet
            stopped.runner.page()
        dirty = stopped.db.query("SELECT COUNT(*) FROM dirty_programs")[0][0]
        assert dirty > 0
        before = dump(stopped)
        real = catch_up.write_views

        def crash_after_writing(tx, program_ids):  # type: ignore[no-untyped-def]
            real(tx, program_ids)
            raise RuntimeError("power cut")

        monkeypatch.setattr(catch_up, "write_views", crash_after_writing)
        with pytest.raises(RuntimeError):
            stopped.runner.flush()
        assert dump(stopped) == before  # the recompute and the clearing of the marks: all or nothing
        monkeypatch.setattr(catch_up, "write_views", real)
        # A reader recomputes them first (and catches up): the same as a rebuild and the oracle.
        program = world.service.programs()[0].id
        assert stopped.rewards(program) == world.projections.rewards(program)
        assert stopped.db.query("SELECT COUNT(*) FROM dirty_programs") == [(0,)]
        world.projections.catch_up()
        assert dump(stopped) == dump(world.projections) == rebuilt_elsewhere(world)
    finally:
        stopped.close()
