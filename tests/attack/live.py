"""A real `betrokken serve` on loopback for the attack tests: start, SIGKILL, restart on the same
data directory; the CLI for users, tokens, rebuilds; a requests session per client thread."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

BETROKKEN = shutil.which("betrokken", path=str(Path(sys.executable).parent)) or "betrokken"
SCHOOL = "12AB"


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BETROKKEN_")}
    env["BETROKKEN_DATA_DIR"] = str(data_dir)
    return env


def cli(env: dict[str, str], *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([BETROKKEN, *args], env=env, input=stdin, capture_output=True, text=True, timeout=300)
    if check:
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done


def admin_token(env: dict[str, str], name: str = "aanval") -> str:
    cli(env, "users", "add", name, "--role", "admin", "--password-stdin", stdin="aanval-wachtwoord-123\n")
    return cli(env, "users", "token", name).stdout.strip().splitlines()[-1]


class Server:
    """A `betrokken serve` process on 127.0.0.1 (a free port, picked by the server itself)."""

    def __init__(self, env: dict[str, str], threads: int = 8) -> None:
        self.env, self.threads = env, threads
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [BETROKKEN, "serve", "--host", "127.0.0.1", "--port", "0", "--threads", str(self.threads)],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()  # type: ignore[union-attr]
            if "http://" in line or not line:
                break
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not match:
            self.kill()
            raise AssertionError(f"betrokken serve printed no URL: {line!r}")
        self.url = f"http://127.0.0.1:{match.group(1)}/api/v1"

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, whatever was in flight is cut off."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)
            self.proc.stdout.close()  # type: ignore[union-attr]
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        self.kill()


class Client:
    """One HTTP client (its own connection pool), signed with a token."""

    def __init__(self, server: Server, token: str) -> None:
        self.server = server
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, json: Any = None, timeout: float = 30) -> requests.Response:
        return self.http.request(method, self.server.url + path, json=json, timeout=timeout)

    def ok(self, method: str, path: str, json: Any = None) -> Any:
        r = self.call(method, path, json)
        assert r.status_code < 300, (method, path, r.status_code, r.text[:500])
        return r.json()


def events_of(client: Client, aggregate_id: str) -> list[dict[str, Any]]:
    return client.ok("GET", f"/audit/aggregates/{aggregate_id}/events")["events"]


def projections_of(client: Client, program_ids: list[str]) -> dict[str, Any]:
    """attendance, completion and rewards of each programme, as the API answers them."""
    return {(pid, view): client.ok("GET", f"/programs/{pid}/{view}")
            for pid in program_ids for view in ("attendance", "completion", "rewards")}


def rows_sorted(value: Any) -> Any:
    """A projection answer with its lists in a stable order (row order is not part of the contract)."""
    if isinstance(value, list):
        return sorted((rows_sorted(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: rows_sorted(v) for k, v in value.items()}
    return value
