"""Every process a test starts, in its own process group, stopped when the test ends whatever
its outcome (the `processes` fixtures in tests/conftest.py call `stop_all`)."""

from __future__ import annotations

import os
import signal
import subprocess
from typing import Any, Sequence


def _signal_group(proc: subprocess.Popen[Any], sig: int) -> None:
    # Only while it runs: a reaped leader's group id may already belong to someone else.
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass


def kill(proc: subprocess.Popen[Any]) -> int:
    """SIGKILL the process's group (no shutdown code runs), wait for it, close its pipes."""
    _signal_group(proc, signal.SIGKILL)
    code = proc.wait(timeout=60)
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
    return code


def stop(proc: subprocess.Popen[Any], grace: float = 20) -> int:
    """SIGTERM the process's group, give it `grace` seconds to finish, then kill it; its exit code."""
    _signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    return kill(proc)


class Processes:
    """The processes one test (or one module's fixture) started."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[Any]] = []

    def start(self, argv: Sequence[str], **popen: Any) -> subprocess.Popen[Any]:
        """Popen in a new session (so the whole group can be signalled), remembered for `stop_all`."""
        proc = subprocess.Popen(list(argv), start_new_session=True, **popen)
        self.started.append(proc)
        return proc

    def stop_all(self) -> None:
        """Kill whatever is still running, and reap everything."""
        while self.started:
            kill(self.started.pop())
