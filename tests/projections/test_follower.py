"""The projections' follower process (betrokken/follower.py): `betrokken projections follow`
keeps the views caught up with writes made elsewhere, stops on SIGTERM, and stops by itself when
the process that started it is gone; `betrokken serve` runs one beside itself, starts another
when it dies, and stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
import requests

from adapters.config import StoreConfig
from application.clock import SCHOOL_TZ
from betrokken.system import open_service
from projections import open_projections
from tests.helpers.processes import Processes
from tests.helpers.serve import BETROKKEN, add_user, environment


def lag(config: StoreConfig) -> int:
    """How far the views are behind the log (read without catching up)."""
    service = open_service(config)
    projections = open_projections(config, service)
    try:
        return max(row["lag"] for row in projections.status())
    finally:
        projections.close()
        service.close()


def wait_for_no_lag(config: StoreConfig, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while lag(config) > 0:
        assert time.monotonic() < deadline, "the follower did not catch up"
        time.sleep(0.05)


def write_some(config: StoreConfig) -> None:
    """A programme, a parent enrolled, a session and its roll call, without any projections in this process."""
    service = open_service(config)
    try:
        program = service.create_program(school="12AB", name="PACT", kind="pact", starts_on=date(2025, 1, 1))
        parent = service.register_parent(school="12AB", name="Ouder", children=[("Kind", 3)])
        service.enroll(program.id, parent_id=parent.id, enrolled_on=date(2025, 1, 1))
        session = service.schedule_session(program.id, title="Eerste", starts_at=datetime(2025, 1, 7, 19, 30, tzinfo=SCHOOL_TZ))
        service.take_roll_call(session.id, [(parent.id, "present")])
    finally:
        service.close()


def test_the_follower_catches_up_with_writes_made_elsewhere_and_stops_on_sigterm(
    store: StoreConfig, processes: Processes
) -> None:
    env = environment(store.data_dir, store.database_url)
    write_some(store)  # the tables exist before the follower opens them
    assert lag(store) > 0
    follower = processes.start([BETROKKEN, "projections", "follow"], env=env)
    wait_for_no_lag(store)
    write_some(store)
    wait_for_no_lag(store)
    follower.send_signal(signal.SIGTERM)
    assert follower.wait(timeout=30) == 0


def test_the_follower_stops_when_the_process_that_started_it_is_gone(sqlite_store: StoreConfig, processes: Processes) -> None:
    env = environment(sqlite_store.data_dir)
    write_some(sqlite_store)
    # A parent that starts a follower (as `betrokken serve` does) and is then killed outright.
    parent = processes.start([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[1]); from betrokken.follower import start_process; "
        "child = start_process(); print(child.pid, flush=True); time.sleep(600)"), str(Path(__file__).parents[2])],
        env=env, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    wait_for_no_lag(sqlite_store)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{child}").exists() and "projections" in Path(f"/proc/{child}/cmdline").read_text(errors="replace"):
        assert time.monotonic() < deadline, "the follower outlived the process that started it"
        time.sleep(0.05)


def followers_of(pid: int) -> list[int]:
    """The processes running `betrokken projections follow --parent PID`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"follow" in argv and b"--parent" in argv and argv[argv.index(b"--parent") + 1] == str(pid).encode():
                found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_serve_keeps_the_views_up_in_a_follower_process_starts_another_and_stops_it(
    sqlite_store: StoreConfig, processes: Processes, tmp_path: Path
) -> None:
    env = environment(sqlite_store.data_dir)
    token = add_user(env, "beheer", "admin")
    log = tmp_path / "serve.log"
    server = processes.start([BETROKKEN, "serve", "--host", "127.0.0.1", "--port", "0"], env=env,
                             stdout=subprocess.PIPE, stderr=log.open("w"), text=True)
    assert server.stdout is not None
    line = server.stdout.readline()
    assert "http://" in line, log.read_text()
    base = line.strip().rsplit(" ", 1)[-1]
    followers = followers_of(server.pid)
    assert len(followers) == 1, log.read_text()
    # A follower that dies is started again.
    os.kill(followers[0], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while (found := followers_of(server.pid)) in ([], followers):
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    followers = found
    assert len(followers) == 1 and "the projections follower ended" in log.read_text()
    headers = {"Authorization": f"Bearer {token}"}
    made = requests.post(f"{base}/api/v1/programs", headers=headers, timeout=30, json={
        "school": "12AB", "name": "PACT", "kind": "pact", "starts_on": "2025-01-01"})
    assert made.status_code == 201, made.text
    # Nobody reads through the server, and its own process has no projections thread: the follower did this.
    wait_for_no_lag(sqlite_store)
    assert followers_of(server.pid) == followers, log.read_text()  # the same one all along
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) == 0, log.read_text()
    assert followers_of(server.pid) == []
