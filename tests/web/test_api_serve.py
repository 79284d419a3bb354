"""`betrokken serve` as a real process: it says where it listens, serves threads at once, and a
restart on the same data directory finds everything."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
import requests

BETROKKEN = shutil.which("betrokken", path=str(Path(sys.executable).parent)) or "betrokken"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([BETROKKEN, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


class Server:
    """A running `betrokken serve` process."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.proc = subprocess.Popen(
            [BETROKKEN, "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "8"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()  # type: ignore[union-attr]
            if "http://" in line or not line:
                break
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not match:
            self.stop()
            raise AssertionError(f"no URL printed: {line!r} {self.proc.stderr.read()!r}")  # type: ignore[union-attr]
        assert int(match.group(1)) == port
        self.url = f"http://127.0.0.1:{port}/api/v1"

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.stdout.close()  # type: ignore[union-attr]
            self.proc.stderr.close()  # type: ignore[union-attr]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("BETROKKEN_")}
    e["BETROKKEN_DATA_DIR"] = str(tmp_path / "data")
    yield e


def test_serve_answers_threads_at_once_and_a_restart_finds_everything(env: dict[str, str]) -> None:
    assert "added" in cli(env, "users", "add", "ineke", "--role", "staff", "--school", "12AB", "--password-stdin", stdin="geheim\n")
    token = cli(env, "users", "token", "ineke").strip().splitlines()[-1]
    auth = {"Authorization": f"Bearer {token}"}
    port = free_port()

    server = Server(env, port)
    try:
        program = requests.post(f"{server.url}/programs", json={
            "school": "12AB", "name": "PACT", "kind": "pact", "starts_on": "2025-09-01"}, headers=auth, timeout=10).json()

        def register(i: int) -> str:
            r = requests.post(f"{server.url}/parents", json={
                "school": "12AB", "name": f"Ouder {i}", "children": [{"name": "Kind", "group": 1 + i % 8}]},
                headers=auth, timeout=30)
            assert r.status_code == 201, r.text
            e = requests.post(f"{server.url}/programs/{program['id']}/enrollments",
                              json={"parent_id": r.json()["id"], "enrolled_on": "2025-09-01"}, headers=auth, timeout=30)
            assert e.status_code == 201, e.text
            return r.json()["id"]

        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(pool.map(register, range(24)))
        assert requests.get(f"{server.url}/parents", timeout=10).status_code == 401
    finally:
        assert server.stop() == 0

    again = Server(env, port)
    try:
        listed = requests.get(f"{again.url}/parents", headers=auth, timeout=10).json()
        assert sorted(p["id"] for p in listed) == sorted(ids)
        detail = requests.get(f"{again.url}/programs/{program['id']}", headers=auth, timeout=10).json()
        assert sorted(e["parent_id"] for e in detail["enrolments"]) == sorted(ids)
    finally:
        again.stop()
