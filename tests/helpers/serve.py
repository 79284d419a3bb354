"""A real `betrokken serve` on loopback, and the `betrokken` CLI, for the tests that need the
processes themselves (contract, browser, attack, restarts). Servers are started through a
`Processes` registry, so the test's finaliser stops them whatever the outcome."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.helpers.processes import Processes, kill, stop

BETROKKEN = shutil.which("betrokken", path=str(Path(sys.executable).parent)) or "betrokken"
URL = re.compile(r"http://127\.0\.0\.1:(\d+)")


def environment(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """This process's environment without our settings, then the store's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BETROKKEN_")}
    env["BETROKKEN_DATA_DIR"] = str(data_dir)
    if database_url:
        env["BETROKKEN_DATABASE_URL"] = database_url
    return env


def cli(env: dict[str, str], *args: str, stdin: str | None = None, check: bool = True,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `betrokken ARGS`; with `check`, it must succeed."""
    done = subprocess.run([BETROKKEN, *args], env=env, input=stdin, capture_output=True, text=True, timeout=timeout)
    if check:
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done


def add_user(env: dict[str, str], name: str, role: str, *schools: str, password: str = "een-lang-wachtwoord-42") -> str:
    """Add a user with the CLI; their API token."""
    school_args = [a for s in schools for a in ("--school", s)]
    added = cli(env, "users", "add", name, "--role", role, *school_args, "--password-stdin", stdin=password + "\n")
    assert "added" in added.stdout, added.stdout
    return cli(env, "users", "token", name).stdout.strip().splitlines()[-1]


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A `betrokken serve` process on 127.0.0.1 (port 0: the server picks a free one); it can be
    killed and started again on the same data directory. Each start is a new `generation`."""

    def __init__(self, processes: Processes, env: dict[str, str], *, threads: int = 8, port: int = 0) -> None:
        self.processes, self.env, self.threads, self.port = processes, env, threads, port
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.generation = 0
        self._lock = threading.Lock()
        self.start()

    @property
    def base(self) -> str:
        """http://127.0.0.1:PORT (without the API prefix)."""
        return self.url.removesuffix("/api/v1")

    def address(self) -> tuple[int, str]:
        """The generation and the API's URL, read together (another thread may be restarting it)."""
        with self._lock:
            return self.generation, self.url

    def start(self) -> None:
        """Start the process and wait until it says where it listens."""
        with tempfile.TemporaryFile(mode="w+") as log:  # stderr: never a pipe nobody drains
            proc = self.processes.start(
                [BETROKKEN, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--threads", str(self.threads)],
                env=self.env, stdout=subprocess.PIPE, stderr=log, text=True,
            )
            self.proc = proc
            line = self._first_line(proc)
            match = URL.search(line)
            if not match or self.port not in (0, int(match.group(1))):
                self.kill()
                log.seek(0)
                raise AssertionError(f"betrokken serve printed no URL: {line!r}; stderr: {log.read()[-2000:]}")
        with self._lock:
            self.url = f"http://127.0.0.1:{match.group(1)}/api/v1"
            self.generation += 1

    @staticmethod
    def _first_line(proc: subprocess.Popen[str]) -> str:
        """The line with its URL (or the last line before it gave up)."""
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if "http://" in line or not line:
                break
        return line

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, whatever was in flight is cut off."""
        if self.proc is not None:
            kill(self.proc)
        self.proc = None

    def stop(self) -> int:
        """SIGTERM, then SIGKILL if it lingers; its exit code (0: it shut down cleanly)."""
        code = stop(self.proc) if self.proc is not None else 0
        self.proc = None
        return code
