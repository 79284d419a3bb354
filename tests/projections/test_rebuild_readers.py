"""No wrong figure during a rebuild: while another process rebuilds the projections from zero
again and again, readers through `betrokken serve` get the complete figures every time (the
position check and the rows are read in one snapshot), never empty or partial ones; and each
rebuild accounts for every event, its own and those servers caught up for it."""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import Any

import requests

from adapters.config import StoreConfig
from tests.helpers.api_client import open_api
from tests.helpers.processes import Processes
from tests.helpers.serve import Server, environment

PARENTS = 6
SESSIONS = 5
READS = 1000  # per reader thread, all while the rebuilds go on


def seed(store: StoreConfig) -> tuple[str, dict[str, str], int]:
    """A programme with parents, sessions and roll calls; its id, the API tokens and the log's size."""
    api = open_api(store)
    try:
        parents = [api.parent(name=f"Ouder {i}")["id"] for i in range(PARENTS)]
        program = api.program(rewards={"per_session_cents": 500, "per_homework_cents": 250})["id"]
        for p in parents:
            api.enroll(program, p)
        for s in range(SESSIONS):
            session = api.session(program, starts_at=f"2025-09-{8 + s:02d}T19:00:00+02:00")["id"]
            statuses = ("present", "absent", "excused")
            r = api.roll_call(session, *[(p, statuses[(i + s) % 3]) for i, p in enumerate(parents)])
            assert r.status_code == 200, r.json
        events = len(api.service.recorder.select_notifications(start=1, limit=10_000))
        return program, dict(api.tokens), events
    finally:
        api.app.extensions["betrokken"].close()


def test_readers_never_see_a_half_built_view_while_another_process_rebuilds(
    store: StoreConfig, processes: Processes
) -> None:
    program, tokens, events = seed(store)
    env = environment(store.data_dir, store.database_url)
    server = Server(processes, env)
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {tokens['staff']}"
    paths = [f"{server.url}/programs/{program}/{view}" for view in ("attendance", "completion", "rewards")]
    expected = [http.get(p, timeout=30).json() for p in paths]
    assert len(expected[0]["parents"]) == PARENTS and len(expected[2]) == PARENTS
    assert any(row["earned_cents"] for row in expected[2])

    rebuilding = processes.start(
        [sys.executable, "-m", "tests.helpers.rebuild_loop", str(store.data_dir), store.database_url or "", "7"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert rebuilding.stdout is not None
    first = rebuilding.stdout.readline()  # the first rebuild is done: the loop runs
    assert first, rebuilding.stderr.read()[-2000:] if rebuilding.stderr else ""
    wrong: list[tuple[str, Any]] = []

    def read() -> None:
        session = requests.Session()
        session.headers.update(http.headers)
        for i in range(READS):
            path, want = paths[i % 3], expected[i % 3]
            r = session.get(path, timeout=60)
            if r.status_code != 200 or r.json() != want:
                wrong.append((path, r.status_code))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    for t in readers:
        t.join(timeout=600)
    assert rebuilding.poll() is None, "the rebuilds stopped before the reads did"
    rebuilding.terminate()  # mid-rebuild, perhaps: the lines it printed are whole rebuilds
    out, _ = rebuilding.communicate(timeout=60)
    # Whole lines only: a line the terminated process had not finished writing is not a rebuild.
    whole = (first + out).split("\n")[:-1]
    rebuilt = [tuple(int(x) for x in line.split()) for line in whole if len(line.split()) == 3]
    assert len(rebuilt) >= len(whole) - 1, whole  # at most the last line cut short by the stop
    print(f"\n{2 * READS} reads during {len(rebuilt)} rebuilds, {len(wrong)} wrong")
    assert not wrong, wrong[:10]
    assert len(rebuilt) >= 5
    for own, by_others, _position in rebuilt:
        assert own + by_others == events, rebuilt  # every event counted once, by whoever processed it
    assert any(by_others for _, by_others, _ in rebuilt), "the servers never caught up during a rebuild"
